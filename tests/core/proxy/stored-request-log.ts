// The production request log for proxy tests: RequestLog and TrafficStats over SQLite on disk in a temp
// folder, flushed by its own timer as in the daemon (an in-memory stand-in once hid an HTTP/2 crash).
// Also an HTTPS provider from a real local CA, and the HTTP/2 helpers the tests share.
import http2 from 'node:http2';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestRecord } from '../../../shared/proxy.js';
import { EventBus } from '../../../main/core/events/event-bus.js';
import { DaemonHealth } from '../../../main/core/health/daemon-health.js';
import { RequestLog } from '../../../main/core/proxy/request-log.js';
import type { TlsContextProvider } from '../../../main/core/proxy/tls-context-provider.js';
import { TrafficStats } from '../../../main/core/proxy/traffic-stats.js';
import { Database } from '../../../main/core/store/database.js';
import { LocalCertificateAuthority } from '../../../main/core/tls/local-certificate-authority.js';
import { until } from './proxy-harness.js';

export class StoredRequestLog {
  readonly events = new EventBus();
  readonly stats = new TrafficStats(this.events);
  /** where the log reports a store that refused its rows (the daemon's ledger in production) */
  readonly health = DaemonHealth.detached();
  readonly log: RequestLog;
  readonly db: Database;

  private constructor(readonly dir: string) {
    this.db = Database.open(join(dir, 'devmesh.db'));
    // no per-second cap: a test's burst is stored whole, so every exchange can be read back
    this.log = new RequestLog(this.db, this.events, this.stats, { health: this.health, maxStoredPerSecond: 1e9 });
  }

  /** Every row stored so far, oldest first, read back from SQLite (waiting rows are written first). */
  get records(): RequestRecord[] {
    return this.log.page({ limit: 100_000 }).requests;
  }

  record(entry: Omit<RequestRecord, 'seq'>): RequestRecord {
    return this.log.record(entry);
  }

  /** Throws when the store refused rows (what the daemon would only report): a test must not pass over it. */
  assertStored(): void {
    this.log.flush();
    const problems = this.health.snapshot().problems;
    if (problems.length > 0) throw new Error(`the request log's store failed: ${JSON.stringify(problems)}`);
  }

  static open(): StoredRequestLog {
    return new StoredRequestLog(mkdtempSync(join(tmpdir(), 'devmesh-proxy-log-')));
  }

  /** The stored rows whose path is `path`, once `count` of them are in SQLite (written by the log's timer). */
  async rows(path: string, count = 1): Promise<RequestRecord[]> {
    const stored = (): RequestRecord[] => {
      const rows = this.db.db.prepare('SELECT seq FROM proxy_requests WHERE path = ?').all(path);
      if (rows.length < count) return [];
      return this.log.page({ limit: 1000, search: path }).requests.filter((r) => r.path === path);
    };
    await until(() => stored().length >= count, 10_000);
    return stored();
  }

  dispose(): void {
    this.log.dispose();
    this.stats.dispose();
    this.db.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A TLS provider backed by a real local CA in `dir`, and the CA certificate clients trust. */
export async function localTls(dir: string): Promise<{ provider: TlsContextProvider; ca: string; caPath: string }> {
  const ca = await LocalCertificateAuthority.open(join(dir, 'ca'));
  const provider: TlsContextProvider = {
    certPath: ca.certPath,
    defaultContext: () => ca.defaultContext(),
    defaultCredentials: () => ca.defaultCredentials(),
    secureContextFor: (name) => ca.secureContextFor(name),
  };
  return { provider, ca: ca.certPem, caPath: ca.certPath };
}

/**
 * The size of a header list as HTTP/2 measures it (RFC 9113 §6.5.2, SETTINGS_MAX_HEADER_LIST_SIZE): per
 * field, the octets of its name and value plus 32. The proxy counts an HTTP/2 response head this way.
 */
export function headerListSize(headers: Record<string, unknown>): number {
  let n = 0;
  for (const [name, value] of Object.entries(headers)) {
    for (const v of Array.isArray(value) ? value : [value])
      n += Buffer.byteLength(name) + Buffer.byteLength(String(v)) + 32;
  }
  return n;
}

export interface H2Reply {
  status: number;
  headers: http2.IncomingHttpHeaders;
  body: Buffer;
}

/** One request on an HTTP/2 session; resolves with the whole answer. */
export function h2request(
  session: http2.ClientHttp2Session,
  headers: http2.OutgoingHttpHeaders,
  body?: Buffer,
): Promise<H2Reply> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': 'GET', ...headers }, { endStream: body === undefined });
    let status = 0;
    let received: http2.IncomingHttpHeaders = {};
    const parts: Buffer[] = [];
    stream.on('response', (h) => {
      received = h;
      status = Number(h[':status']);
    });
    stream.on('data', (d: Buffer) => parts.push(d));
    stream.on('end', () => resolve({ status, headers: received, body: Buffer.concat(parts) }));
    stream.on('error', reject);
    stream.setTimeout(10_000, () => stream.close(http2.constants.NGHTTP2_CANCEL));
    if (body !== undefined) stream.end(body);
  });
}

/** An HTTP/2 session over TLS to 127.0.0.1:port, SNI `servername`, trusting `ca` (or anything when null). */
export async function h2connect(
  port: number,
  servername: string,
  ca: string | null,
): Promise<http2.ClientHttp2Session> {
  const session = http2.connect(`https://${servername}:${port}`, {
    host: '127.0.0.1',
    servername,
    ...(ca === null ? { rejectUnauthorized: false } : { ca }),
  });
  await new Promise<void>((resolve, reject) => {
    session.once('connect', () => resolve());
    session.once('error', reject);
  });
  session.on('error', () => undefined);
  return session;
}
