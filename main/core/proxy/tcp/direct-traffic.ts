// The traffic of a stable address while the local engine listens on it itself (TcpRoutes lends the port to a
// database, so local clients pay no forwarding hop): DevMesh no longer sees those connections, so it asks the
// kernel. Every second, `ss -ti` (iproute2's sock_diag client) lists the established sockets on the port with
// their byte counts; a socket seen for the first time is a new connection, one gone is closed and keeps the
// bytes it had when last seen. A connection that opens and closes between two samples is not seen: the figures
// are a floor, said so in the README. Where `ss` does not exist (macOS, Windows) the counters stay at what the
// forwarder itself carried. Nothing here throws: a failed sample is skipped.
import { execFile } from 'node:child_process';
import type { Logger } from 'pino';

export interface SocketBytes {
  /** `127.0.0.1:15432 127.0.0.1:40122`: the socket's own address and its client's */
  key: string;
  /** client → service, and service → client */
  bytesIn: number;
  bytesOut: number;
}

export interface DirectTrafficSnapshot {
  connections: number;
  totalConnections: number;
  bytesIn: number;
  bytesOut: number;
}

export interface DirectTrafficDeps {
  port: number;
  logger: Logger;
  intervalMs?: number;
  /** the sampler (tests give a fixed list); default `ss` */
  sample?: (port: number) => Promise<SocketBytes[] | null>;
}

const INTERVAL_MS = 1_000;
const SS_TIMEOUT_MS = 3_000;
/** `ss` is missing (not Linux, no iproute2): asked once per daemon */
let ssMissing = false;

/** The established sockets `ss -tinH state established` prints: an address line, then an indented info line. */
export function parseSs(output: string): SocketBytes[] {
  const out: SocketBytes[] = [];
  let current: SocketBytes | null = null;
  for (const line of output.split('\n')) {
    if (line.trim() === '') continue;
    if (!/^\s/.test(line)) {
      const fields = line.trim().split(/\s+/);
      // Recv-Q Send-Q Local Peer (the state column is left out when a state is asked for)
      const [local, peer] = fields.length >= 5 ? fields.slice(3, 5) : fields.slice(2, 4);
      current = local !== undefined && peer !== undefined ? { key: `${local} ${peer}`, bytesIn: 0, bytesOut: 0 } : null;
      if (current !== null) out.push(current);
      continue;
    }
    if (current === null) continue;
    current.bytesIn = counter(line, 'bytes_received');
    current.bytesOut = counter(line, 'bytes_acked') || counter(line, 'bytes_sent');
  }
  return out;
}

function counter(line: string, name: string): number {
  const m = new RegExp(`\\b${name}:(\\d+)`).exec(line);
  return m ? Number(m[1]) : 0;
}

export function sampleWithSs(port: number): Promise<SocketBytes[] | null> {
  if (ssMissing) return Promise.resolve(null);
  return new Promise((resolve) => {
    execFile(
      'ss',
      ['-tinH', 'state', 'established', `( sport = :${port} )`],
      { timeout: SS_TIMEOUT_MS, maxBuffer: 8 * 1024 * 1024 },
      (err, stdout) => {
        if (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') ssMissing = true;
          resolve(null);
          return;
        }
        resolve(parseSs(stdout));
      },
    );
  });
}

export class DirectTraffic {
  private readonly open = new Map<string, SocketBytes>();
  private total = 0;
  private closedIn = 0;
  private closedOut = 0;
  private timer: NodeJS.Timeout | null = null;
  private sampling = false;

  constructor(private readonly deps: DirectTrafficDeps) {}

  start(): void {
    if (this.timer !== null) return;
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.deps.intervalMs ?? INTERVAL_MS);
    this.timer.unref();
  }

  /** Stops sampling; the connections still open count as closed with the bytes last seen. */
  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    for (const s of this.open.values()) this.close(s);
    this.open.clear();
  }

  snapshot(): DirectTrafficSnapshot {
    let bytesIn = this.closedIn;
    let bytesOut = this.closedOut;
    for (const s of this.open.values()) {
      bytesIn += s.bytesIn;
      bytesOut += s.bytesOut;
    }
    return { connections: this.open.size, totalConnections: this.total, bytesIn, bytesOut };
  }

  /** One sample taken now (the timer's, or a test's). */
  async tick(): Promise<void> {
    if (this.sampling) return;
    this.sampling = true;
    try {
      const sockets = await (this.deps.sample ?? sampleWithSs)(this.deps.port);
      if (sockets !== null && this.timer !== null) this.take(sockets);
    } catch (err) {
      this.deps.logger.debug({ err: (err as Error).message }, 'direct traffic sample failed');
    } finally {
      this.sampling = false;
    }
  }

  private take(sockets: SocketBytes[]): void {
    const seen = new Set<string>();
    for (const s of sockets) {
      seen.add(s.key);
      if (!this.open.has(s.key)) this.total++;
      this.open.set(s.key, s);
    }
    for (const [key, s] of this.open) {
      if (seen.has(key)) continue;
      this.close(s);
      this.open.delete(key);
    }
  }

  private close(s: SocketBytes): void {
    this.closedIn += s.bytesIn;
    this.closedOut += s.bytesOut;
  }
}
