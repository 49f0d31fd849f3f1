// One request/response exchange (or one WebSocket session) as the request log sees it: what was asked,
// where it went, what came back, how many bytes, how long. Recorded exactly once.
import type { RequestRecord } from '../../../shared/proxy.js';
import type { Logger } from 'pino';
import type { ProxyRequestLog } from './proxy-limits.js';
import * as httpHeadParser from './http-head-parser.js';
import type { RequestHead } from './http-head-parser.js';
import * as proxyResponder from './proxy-responder.js';
import type { ReplyInput } from './proxy-responder.js';
import type { ForwardDecision, RouteTarget } from './route-decision.js';

export class ProxyExchange {
  readonly ts = Date.now();
  private readonly started = performance.now();
  status = 0;
  bytesIn = 0;
  bytesOut = 0;
  project: string | null = null;
  service: string | null = null;
  upstream: string | null = null;
  target: RouteTarget | null = null;
  error: string | null = null;
  websocket = false;
  /** the client connection closes after this exchange */
  close = false;
  /** some of the response already went to the client: an error now can only close the connection */
  responded = false;
  /** the target sent at least one byte for this exchange */
  upstreamSpoke = false;
  /** the forwarded head of a body-less request, kept so a stale pooled connection can be retried once */
  retryHead: Buffer | null = null;
  retried = false;
  /** the forward in progress: its instance key, its caller and the instances left to retry on */
  forwarded: ForwardDecision | null = null;
  /** X-DevMesh-Upstream: `alice/api@2.3.1`, set when a forward is chosen */
  served: string | null = null;
  recorded = false;

  constructor(
    readonly method: string,
    readonly host: string,
    readonly path: string,
    readonly tls: boolean,
    readonly html: boolean,
  ) {}

  /** The exchange a parsed head starts; or, for a target that is neither a path nor a URL, why not. */
  static forHead(head: RequestHead, tls: boolean): ProxyExchange | string {
    let host = head.host;
    let path = head.target;
    if (path.charCodeAt(0) !== 0x2f /* / */) {
      const target = httpHeadParser.routingTarget(head);
      if (target === null) return `request target "${head.target.slice(0, 100)}" is not a path`;
      ({ host, path } = target);
    }
    return new ProxyExchange(
      head.method,
      host ?? '',
      path,
      tls,
      proxyResponder.wantsHtml(httpHeadParser.field(head, 'accept') ?? undefined),
    );
  }

  /** A request too broken to route, answered and closed (400, 408, 431). */
  static refused(status: number, why: string, bytesOut: number, tls: boolean): ProxyExchange {
    const ex = new ProxyExchange('', '', '', tls, false);
    ex.status = status;
    ex.error = why;
    ex.bytesOut = bytesOut;
    return ex;
  }

  /** DevMesh answers this exchange itself (fast path): the reply as HTTP/1.1 bytes; status, error and close set. */
  answer(input: Omit<ReplyInput, 'html'>, close: boolean, headOnly: boolean): Buffer {
    this.close = this.close || close;
    const reply = proxyResponder.reply({ ...input, html: this.html });
    this.status = reply.status;
    this.error = input.message;
    this.responded = true;
    return proxyResponder.bytes(reply, this.close, headOnly);
  }

  /** The client went away before the response was complete (nginx's 499). */
  clientGone(): void {
    this.error ??= 'the client closed the connection before the response was complete';
    if (this.status === 0) this.status = 499;
  }

  /** The target switched protocols (a WebSocket): from now on the exchange is a tunnel. */
  upgraded(): void {
    this.status = 101;
    this.websocket = true;
    this.responded = true;
  }

  /** the X-DevMesh-Upstream response header: who served it (`alice/api@2.3.1`), else `<project>/<service>` */
  get label(): string {
    return this.served ?? `${this.project ?? ''}/${this.service ?? ''}`;
  }

  /** The forward chosen for this exchange: who serves it, where, and what is left to fail over to. */
  forwardTo(d: ForwardDecision): void {
    this.project = d.project;
    this.service = d.service;
    this.upstream = d.upstream;
    this.target = d.target;
    this.served = d.label;
    this.forwarded = d;
  }

  /**
   * The head to send again, once, on a fresh connection to the same target: the pooled connection it went
   * out on was closed by the target before answering (a keep-alive race), not dropped because the target
   * is gone, and the request has no body to replay.
   */
  resendOnFreshConnection(u: { reused: boolean; dropped: boolean }): Buffer | null {
    if (!u.reused || u.dropped || this.upstreamSpoke || this.retryHead === null || this.retried || this.target === null)
      return null;
    this.retried = true;
    return this.retryHead;
  }

  /**
   * Where a request goes after instance `d` failed before answering: the next alternate, when the request
   * can be sent again whole (`replayable`: its body, if any, is not consumed) and replaying it is safe
   * (GET, HEAD, OPTIONS, or marked with Idempotency-Key); else null, and the failure is answered. The one
   * failover rule of both the fast and the slow path.
   */
  static failover(d: ForwardDecision, method: string, marked: boolean, replayable: boolean): ForwardDecision | null {
    const idempotent = method === 'GET' || method === 'HEAD' || method === 'OPTIONS' || marked;
    if (d.alternates.length === 0 || !replayable || !idempotent) return null;
    const [next, ...rest] = d.alternates;
    return { ...next!, alternates: rest };
  }

  /** `api (127.0.0.1:4001)`, for messages */
  get who(): string {
    return `${this.service ?? 'the service'} (${this.upstream ?? 'unknown target'})`;
  }

  /** Hands the record to the log, once; a failing log must never break the data path. */
  recordTo(log: ProxyRequestLog, logger: Logger): void {
    if (this.recorded) return;
    this.recorded = true;
    try {
      log.record(this.toRecord());
    } catch (err) {
      logger.warn({ domain: 'proxy', err: (err as Error).message }, 'request log rejected a record');
    }
  }

  toRecord(): Omit<RequestRecord, 'seq'> {
    return {
      ts: this.ts,
      method: this.method,
      host: this.host,
      path: this.path,
      status: this.status,
      bytesIn: ProxyExchange.count(this.bytesIn),
      bytesOut: ProxyExchange.count(this.bytesOut),
      durationMs: Math.round((performance.now() - this.started) * 1000) / 1000,
      project: this.project,
      service: this.service,
      upstream: this.upstream,
      error: this.error,
      tls: this.tls,
      websocket: this.websocket,
      caller: this.forwarded?.caller ?? null,
      instance: this.forwarded?.key ?? null,
    };
  }

  /** A byte count the log can store whatever a path handed over (a connection counter gone with its stream
   * was once `undefined`, and the row's NOT NULL column threw from the log's timer). */
  private static count(n: number): number {
    return Number.isFinite(n) && n > 0 ? Math.round(n) : 0;
  }

  /** Why a target connection failed, in words a user can act on. */
  static cause(err: Error | null, who: string): string {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- without it `code` is an error type (Error has no code)
    const code = (err as NodeJS.ErrnoException | null)?.code;
    if (code === 'ECONNREFUSED') return `connection refused by ${who}: is it listening on that port?`;
    if (code === 'ECONNRESET' || code === 'EPIPE') return `${who} reset the connection before answering`;
    if (err !== null && err.message.includes('connect timeout')) return `${who}: ${err.message}`;
    if (err !== null) return `${who} failed: ${err.message}`;
    return `${who} closed the connection before answering`;
  }
}
