// Resolves an mDNS host name (an SRV target such as `vm-1a2b3c4d.local`) to its A/AAAA records over the
// discovery's own multicast socket: for an advert whose packet did not carry its host's addresses (RFC 6763
// §12 makes them recommended additionals, not required). One query per name at a time, bounded in time;
// never throws: no answer resolves to an empty list.
import type { Logger } from 'pino';

interface AnswerRecord {
  name?: unknown;
  type?: unknown;
  ttl?: unknown;
  data?: unknown;
}

/** The part of multicast-dns's socket this uses. */
export interface MdnsQuerySocket {
  query(questions: Array<{ name: string; type: 'A' | 'AAAA' }>, cb?: (err?: unknown) => void): void;
  on(
    event: 'response',
    listener: (packet: { answers?: AnswerRecord[]; additionals?: AnswerRecord[] }) => void,
  ): unknown;
  removeListener(event: 'response', listener: (...args: never[]) => void): unknown;
}

// After the first answer, a little longer for the other family's record (sent in another packet by some).
const SETTLE_MS = 150;

export class MdnsHostResolver {
  private readonly inFlight = new Map<string, Promise<string[]>>();

  constructor(
    private readonly socket: MdnsQuerySocket,
    private readonly log: Logger,
  ) {}

  /** The addresses `host` answers with within `timeoutMs` (IPv4 and IPv6, as received), or none. */
  resolve(host: string, timeoutMs: number): Promise<string[]> {
    const key = host.toLowerCase();
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const run = this.query(key, timeoutMs).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, run);
    return run;
  }

  private query(host: string, timeoutMs: number): Promise<string[]> {
    return new Promise((resolve) => {
      const found = new Set<string>();
      let settle: NodeJS.Timeout | null = null;
      const finish = (): void => {
        clearTimeout(deadline);
        if (settle) clearTimeout(settle);
        this.socket.removeListener('response', onResponse);
        resolve([...found]);
      };
      const onResponse = (packet: { answers?: AnswerRecord[]; additionals?: AnswerRecord[] }): void => {
        try {
          for (const rr of [...(packet.answers ?? []), ...(packet.additionals ?? [])]) {
            if (rr.type !== 'A' && rr.type !== 'AAAA') continue;
            if (typeof rr.name !== 'string' || rr.name.toLowerCase() !== host) continue;
            if (typeof rr.data !== 'string' || rr.ttl === 0) continue;
            found.add(rr.data);
          }
          if (found.size > 0 && !settle) {
            settle = setTimeout(finish, SETTLE_MS);
            settle.unref();
          }
        } catch (err) {
          this.log.debug({ err, host }, 'mdns answer unreadable');
        }
      };
      const deadline = setTimeout(finish, timeoutMs);
      deadline.unref();
      this.socket.on('response', onResponse);
      try {
        this.socket.query([
          { name: host, type: 'A' },
          { name: host, type: 'AAAA' },
        ]);
      } catch (err) {
        this.log.debug({ err, host }, 'mdns host query not sent');
        finish();
      }
    });
  }
}
