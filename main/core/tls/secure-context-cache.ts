// The TLS contexts minted so far, by name: bounded (least recently used go first), refreshed before their
// certificate expires, and shared while minting, so a burst of handshakes for a new name mints it once.
import type { SecureContext } from 'node:tls';

export interface CachedContext {
  context: SecureContext;
  notAfter: Date;
}

export class SecureContextCache {
  /** a context this close to its certificate's expiry is minted again */
  static readonly RENEW_BEFORE_MS = 24 * 60 * 60 * 1000;

  private readonly entries = new Map<string, CachedContext>();
  private readonly pending = new Map<string, Promise<SecureContext>>();
  private mintCount = 0;

  constructor(
    private readonly capacity: number,
    private readonly now: () => Date = () => new Date(),
  ) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be a positive integer, not ${capacity}`);
  }

  /** how many times `mint` was called (for tests and diagnostics) */
  get mints(): number {
    return this.mintCount;
  }

  get size(): number {
    return this.entries.size;
  }

  get(name: string, mint: (name: string) => Promise<CachedContext>): Promise<SecureContext> {
    const hit = this.entries.get(name);
    if (hit && hit.notAfter.getTime() - this.now().getTime() > SecureContextCache.RENEW_BEFORE_MS) {
      // Map keeps insertion order: re-inserting marks the entry as the most recently used.
      this.entries.delete(name);
      this.entries.set(name, hit);
      return Promise.resolve(hit.context);
    }
    const inFlight = this.pending.get(name);
    if (inFlight) return inFlight;
    this.mintCount++;
    const minting = mint(name).then(
      (minted) => {
        this.pending.delete(name);
        this.put(name, minted);
        return minted.context;
      },
      (err: unknown) => {
        // Not cached: the next handshake for the name tries again.
        this.pending.delete(name);
        throw err;
      },
    );
    this.pending.set(name, minting);
    return minting;
  }

  private put(name: string, entry: CachedContext): void {
    this.entries.delete(name);
    this.entries.set(name, entry);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }
}
