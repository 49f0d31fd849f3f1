// Addresses worth dialing, each tried at most once at a time, with exponential backoff and jitter
// (0.5 s doubling to 30 s). Static peers and peers that dropped are retried until they answer; addresses
// from mDNS or gossip get a few tries, then wait until they are offered again. A linked address is left
// alone until its link drops.
import type { Logger } from 'pino';
import type { PeerSource } from '../../../shared/mesh.js';

interface Target {
  via: PeerSource;
  persistent: boolean;
  attempt: number;
  timer: NodeJS.Timeout | null;
  dialing: boolean;
  linked: boolean;
}

const FIRST_MS = 500;
const MAX_MS = 30_000;
const CASUAL_TRIES = 3;

export class PeerDialer {
  private readonly targets = new Map<string, Target>();
  private disposed = false;

  constructor(
    /** resolves true when the address should not be tried again (another mesh, this agent itself) */
    private readonly dial: (address: string, via: PeerSource) => Promise<boolean>,
    private readonly logger: Logger,
  ) {}

  want(address: string, via: PeerSource, persistent: boolean): void {
    if (this.disposed) return;
    const t = this.targets.get(address);
    if (t !== undefined) {
      t.persistent ||= persistent;
      if (t.linked) {
        // its link dropped: try again soon
        t.linked = false;
        t.attempt = 0;
        this.schedule(address, t, FIRST_MS);
      } else if (!t.dialing && t.timer === null) this.schedule(address, t, 0);
      return;
    }
    const fresh: Target = { via, persistent, attempt: 0, timer: null, dialing: false, linked: false };
    this.targets.set(address, fresh);
    this.schedule(address, fresh, 0);
  }

  /** A link is up with the peer at `address` (and the address it was dialed at, if different). */
  linked(address: string, dialedAddress?: string): void {
    for (const a of new Set([address, dialedAddress])) {
      if (a === undefined) continue;
      const t = this.targets.get(a) ?? {
        via: 'inbound' as PeerSource,
        persistent: true,
        attempt: 0,
        timer: null,
        dialing: false,
        linked: false,
      };
      if (t.timer) clearTimeout(t.timer);
      t.timer = null;
      t.linked = true;
      t.attempt = 0;
      t.persistent = true;
      this.targets.set(a, t);
    }
  }

  dispose(): void {
    this.disposed = true;
    for (const t of this.targets.values()) if (t.timer) clearTimeout(t.timer);
    this.targets.clear();
  }

  private schedule(address: string, t: Target, delayMs: number): void {
    if (t.timer) clearTimeout(t.timer);
    t.timer = setTimeout(() => {
      t.timer = null;
      void this.attempt(address, t);
    }, delayMs);
    t.timer.unref();
  }

  private async attempt(address: string, t: Target): Promise<void> {
    if (this.disposed || t.dialing || t.linked) return;
    t.dialing = true;
    let stop: boolean;
    try {
      stop = await this.dial(address, t.via);
    } finally {
      t.dialing = false;
    }
    if (this.disposed || t.linked) return;
    if (stop) {
      this.targets.delete(address);
      return;
    }
    t.attempt++;
    if (!t.persistent && t.attempt >= CASUAL_TRIES) {
      this.logger.debug(
        { domain: 'mesh', address, via: t.via },
        'giving up on a discovered address until it is offered again',
      );
      this.targets.delete(address);
      return;
    }
    const base = Math.min(MAX_MS, FIRST_MS * 2 ** Math.min(t.attempt - 1, 10));
    this.schedule(address, t, base / 2 + Math.random() * (base / 2));
  }
}
