// DevMesh's loopback OTLP/HTTP receiver: `POST /v1/metrics` and `POST /v1/logs` with OTLP's JSON encoding
// (https://opentelemetry.io/docs/specs/otlp/#otlphttp), on 127.0.0.1 only. Agents DevMesh launches are
// pointed at it (AgentTelemetry); what they export becomes figures through the UsageLedger.
//
// Hostile input never reaches further than this file: bodies are bounded (MAX_BODY_BYTES, gzip included,
// decompressed with a bound too), parsed with zod, and every failure is answered (400/413/415) or contained.
// A foreign Host header is refused (a DNS-rebinding page could otherwise post as a same-origin page), and
// only `application/json` is taken, which a cross-origin page cannot send without a preflight no one answers.
// Protobuf bodies get 415 with the variable to set: DevMesh has no protobuf decoder among its packages.
// Answers follow OTLP/HTTP: 200 with `{}` or a `partialSuccess`, 400 with a Status `{ code, message }`, 503
// with Retry-After when the store cannot take the figures (the exporter tries again).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzip } from 'node:zlib';
import type { Logger } from 'pino';
import type { UsageReceiver } from '../../../shared/usage.js';
import type { Disposable } from '../base/disposable.js';
import { LogsRequestSchema, MetricsRequestSchema, logRecords, metricPoints } from './otlp-json.js';
import type { IngestOutcome } from './usage-ledger.js';
import { AGENT_HEADER, readingOfLog, readingOfMetric, type UsageReading } from './usage-readings.js';

/** an export request's body, at most (compressed or not) */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;
/** connections held at once: past it a new one is closed at accept, so bodies in flight stay bounded */
const MAX_CONNECTIONS = 64;

export interface OtlpReceiverDeps {
  /** counts readings; throws nothing */
  ingest(readings: UsageReading[]): IngestOutcome;
  logger?: Logger;
  /** 0 (default): any free port */
  port?: number;
  maxBodyBytes?: number;
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const GRPC_INVALID_ARGUMENT = 3;
const GRPC_UNAVAILABLE = 14;

export class OtlpReceiver implements Disposable {
  private readonly server: Server;
  private port: number | null = null;
  private readonly maxBody: number;
  readonly counts = { accepted: 0, counted: 0, unknownAgent: 0, refused: 0 };

  constructor(private readonly deps: OtlpReceiverDeps) {
    this.maxBody = deps.maxBodyBytes ?? MAX_BODY_BYTES;
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => this.fail(res, err));
    });
    this.server.requestTimeout = 30_000;
    this.server.headersTimeout = 10_000;
    this.server.maxHeadersCount = 100;
    this.server.on('clientError', (_err, socket) => socket.destroy());
    this.server.maxConnections = MAX_CONNECTIONS;
    // accept() fails while the process is out of descriptors (EMFILE): Node emits it on the server, where
    // with no listener it would be an uncaught exception; the server goes on accepting once they are back
    this.server.on('error', (err: NodeJS.ErrnoException) => {
      if (this.port === null) return; // listen's own failure: listen() rejects with it
      this.deps.logger?.warn({ domain: 'usage', err: err.message, code: err.code }, 'OTLP receiver: socket error');
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.deps.port ?? 0, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  /** http://127.0.0.1:<port>; null while not listening */
  get endpoint(): string | null {
    return this.port === null ? null : `http://127.0.0.1:${this.port}`;
  }

  info(): UsageReceiver {
    return { endpoint: this.endpoint, ...this.counts };
  }

  dispose(): void {
    this.port = null;
    this.server.closeAllConnections();
    this.server.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    if (!this.loopbackHost(req.headers.host)) throw new Refusal(403, 'this receiver answers loopback hosts only');
    if (path !== '/v1/metrics' && path !== '/v1/logs')
      throw new Refusal(404, `no ${path}: DevMesh takes OTLP at /v1/metrics and /v1/logs`);
    if (req.method !== 'POST') throw new Refusal(405, `${req.method} ${path}: OTLP exports are POSTed`);
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') {
      throw new Refusal(
        415,
        `DevMesh's OTLP receiver takes OTLP/HTTP JSON only (got ${type || 'no content type'}); set ` +
          'OTEL_EXPORTER_OTLP_PROTOCOL=http/json (Codex: protocol = "json")',
      );
    }
    const raw = await this.body(req);
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new Refusal(400, 'the body is not JSON');
    }
    const header = req.headers[AGENT_HEADER];
    const agentHeader = typeof header === 'string' && header.length <= 128 ? header : null;
    const { readings, rejected, unit } = this.read(path, parsed, agentHeader);
    const outcome = this.deps.ingest(readings);
    if (!outcome.stored) {
      res.setHeader('retry-after', '30');
      throw new Refusal(503, 'the DevMesh store cannot take the figures now; try again later');
    }
    this.counts.accepted++;
    this.counts.counted += outcome.counted;
    this.counts.unknownAgent += outcome.unknownAgent;
    const dropped = rejected + outcome.unknownAgent;
    const answer =
      dropped === 0
        ? {}
        : {
            partialSuccess: {
              [unit]: String(dropped),
              errorMessage:
                outcome.unknownAgent > 0
                  ? `${outcome.unknownAgent} item(s) name no agent DevMesh runs (resource attribute devmesh.agent.id)`
                  : `${rejected} item(s) malformed or over the limit`,
            },
          };
    this.send(res, 200, answer);
  }

  private read(
    path: string,
    body: unknown,
    header: string | null,
  ): { readings: UsageReading[]; rejected: number; unit: string } {
    try {
      return this.readChecked(path, body, header);
    } catch (err) {
      // zod walks AnyValue recursively: a body nested deeper than the stack is refused as malformed
      if (err instanceof RangeError) throw new Refusal(400, 'the body nests values too deeply');
      throw err;
    }
  }

  private readChecked(
    path: string,
    body: unknown,
    header: string | null,
  ): { readings: UsageReading[]; rejected: number; unit: string } {
    const readings: UsageReading[] = [];
    if (path === '/v1/metrics') {
      const parsed = MetricsRequestSchema.safeParse(body);
      if (!parsed.success) throw new Refusal(400, `not an OTLP metrics export: ${parsed.error.issues[0]?.message}`);
      const taken = metricPoints(parsed.data);
      for (const p of taken.items) {
        const r = readingOfMetric(p, header);
        if (r) readings.push(r);
      }
      return { readings, rejected: taken.rejected, unit: 'rejectedDataPoints' };
    }
    const parsed = LogsRequestSchema.safeParse(body);
    if (!parsed.success) throw new Refusal(400, `not an OTLP logs export: ${parsed.error.issues[0]?.message}`);
    const taken = logRecords(parsed.data);
    for (const rec of taken.items) {
      const r = readingOfLog(rec, header);
      if (r) readings.push(r);
    }
    return { readings, rejected: taken.rejected, unit: 'rejectedLogRecords' };
  }

  private loopbackHost(host: string | undefined): boolean {
    if (host === undefined) return true; // HTTP/1.0 clients send none; the socket is loopback anyway
    const name = host.replace(/:\d+$/, '').toLowerCase();
    return name === '127.0.0.1' || name === 'localhost' || name === '[::1]';
  }

  private body(req: IncomingMessage): Promise<Buffer> {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(declared) && declared > this.maxBody) {
      req.resume(); // drained, not buffered (requestTimeout bounds a client that never stops)
      return Promise.reject(this.tooLarge());
    }
    return new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > this.maxBody) {
          req.removeAllListeners('data');
          // drained, not buffered, and the connection kept: closing on a client still sending would reset it
          // before it reads the answer; requestTimeout bounds a client that never stops
          req.resume();
          reject(this.tooLarge());
          return;
        }
        chunks.push(chunk);
      });
      req.on('error', reject);
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const encoding = String(req.headers['content-encoding'] ?? 'identity').toLowerCase();
        if (encoding === 'identity') return resolve(raw);
        if (encoding !== 'gzip') return reject(new Refusal(415, `content encoding ${encoding}: send gzip or none`));
        gunzip(raw, { maxOutputLength: this.maxBody }, (err, out) =>
          err
            ? reject(new Refusal(400, `the gzip body does not decompress within ${this.maxBody} bytes`))
            : resolve(out),
        );
      });
    });
  }

  private tooLarge(): Refusal {
    return new Refusal(413, `an export is at most ${this.maxBody} bytes; export more often or in smaller batches`);
  }

  private fail(res: ServerResponse, err: unknown): void {
    this.counts.refused++;
    if (err instanceof Refusal) {
      const code = err.status === 503 ? GRPC_UNAVAILABLE : GRPC_INVALID_ARGUMENT;
      this.send(res, err.status, { code, message: err.message });
      return;
    }
    this.deps.logger?.warn({ domain: 'usage', err: (err as Error)?.message }, 'an OTLP export failed');
    this.send(res, 500, { code: 13, message: 'DevMesh could not take this export' });
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    if (res.headersSent || res.destroyed) return;
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  }
}
