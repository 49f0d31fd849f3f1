// The fast path: one client connection, parsed with a light head parser and bound to one kept-alive
// target connection per target. Only heads are rewritten; body bytes pass through as untouched slices,
// with backpressure both ways. A 101 response turns the pair into a raw tunnel (WebSocket).
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { BodyFramer } from './body-framer.js';
import { HeadRewriter } from './head-rewriter.js';
import { HttpHeadParser, type RequestHead, type ResponseHead } from './http-head-parser.js';
import { ProxyExchange } from './proxy-exchange.js';
import type { ProxyLimits, ProxyRequestLog, ProxyRoutes } from './proxy-limits.js';
import { ProxyResponder } from './proxy-responder.js';
import type { RouteDecision } from './route-decision.js';
import type { UpstreamPool } from './upstream-pool.js';
import type { UpstreamOwner, UpstreamSocket } from './upstream-socket.js';

export interface ProxyContext {
  routes: ProxyRoutes;
  requests: ProxyRequestLog;
  pool: UpstreamPool;
  limits: ProxyLimits;
  instanceId: string;
  logger: Logger;
  /** takes over a connection whose request the fast path declines to frame (HTTP/1.0, Expect) */
  handOff(socket: Socket, pending: Buffer, tls: boolean): void;
  onClosed(conn: ProxyConnection): void;
}

type Phase = 'head' | 'routing' | 'body' | 'wait' | 'tunnel' | 'done';

/** Reasons the client socket is paused; it reads again only when none is left. */
const HOLD_DRAIN = 1;
const HOLD_QUEUE = 2;

export class ProxyConnection implements UpstreamOwner {
  private phase: Phase = 'head';
  private pending: Buffer | null = null;
  private holds = 0;
  private head: RequestHead | null = null;
  private ex: ProxyExchange | null = null;
  private upstream: UpstreamSocket | null = null;
  private upstreamPaused = false;
  private upstreamReusable = true;
  private resBuf: Buffer | null = null;
  private resFramer: BodyFramer | null = null;
  private reqDone = false;
  private resDone = false;
  private headTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly socket: Socket,
    private readonly ctx: ProxyContext,
    private readonly tls: boolean,
  ) {
    socket.setNoDelay(true);
    socket.setTimeout(ctx.limits.idleTimeoutMs);
    socket.on('data', this.onData);
    socket.on('drain', this.onDrain);
    socket.on('timeout', this.onTimeout);
    socket.on('end', this.onEnd);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
    this.armHeadTimer();
  }

  /** Closes the client connection now (proxy shutdown). */
  destroy(): void {
    this.socket.destroy();
  }

  // ---- client side -------------------------------------------------------------------------------

  private readonly onData = (chunk: Buffer): void => {
    if (this.phase === 'body') return this.forwardBody(chunk);
    if (this.phase === 'tunnel') return this.toUpstream(chunk);
    this.pending = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
    if (this.phase === 'head') this.parseHead();
    else this.hold(HOLD_QUEUE);
  };

  private parseHead(): void {
    const buf = this.pending!;
    const r = HttpHeadParser.parseRequest(buf, this.ctx.limits.maxHeaderBytes);
    if (r === null) return this.armHeadTimer();
    if ('error' in r) return this.refuse(r.status, r.error);
    this.clearHeadTimer();
    if (r.minor === 0 || r.expect) return this.handOff(buf);
    this.pending = r.headEnd < buf.length ? buf.subarray(r.headEnd) : null;
    this.begin(r);
  }

  private begin(head: RequestHead): void {
    let host = head.host;
    let path = head.target;
    if (path.charCodeAt(0) !== 0x2f /* / */) {
      // Absolute form (`GET http://x/ HTTP/1.1`) is how open proxies are asked: its host is what is routed.
      const url = URL.canParse(path) ? new URL(path) : null;
      if (url === null) return this.refuse(400, `request target "${path.slice(0, 100)}" is not a path`);
      host = url.host;
      path = `${url.pathname}${url.search}`;
    }
    const accept = head.names.indexOf('accept');
    const html = accept >= 0 && ProxyResponder.wantsHtml(head.values[accept]);
    this.head = head;
    this.ex = new ProxyExchange(head.method, host ?? '', path, this.tls, html);
    this.reqDone = false;
    this.resDone = false;
    if (HeadRewriter.isLoop(head, this.ctx.instanceId))
      return this.answer(508, 'loop_detected', 'Loop detected', `this request already went through this DevMesh proxy (${this.ctx.instanceId}): a route points back at the proxy`);
    let decision: RouteDecision;
    try {
      decision = this.ctx.routes.resolve(host, path);
    } catch (err) {
      this.ctx.logger.error({ domain: 'proxy', err }, 'route resolution failed');
      return this.answer(502, 'internal', 'Routing failed', `DevMesh could not route ${host ?? ''}${path}: ${(err as Error).message}`);
    }
    this.route(decision);
  }

  private route(d: RouteDecision): void {
    const ex = this.ex!;
    if (d.kind === 'forward') return this.forward(d);
    if (d.kind === 'foreign')
      return this.answer(403, 'foreign_host', 'Not a DevMesh name', `DevMesh serves only *.localhost names; "${d.host}" is not one, and DevMesh is not an open proxy.`, { close: true });
    if (d.kind === 'unknown')
      return this.answer(404, 'service_not_found', 'Unknown service', d.message, { known: d.known });
    ex.project = d.project;
    ex.service = d.service;
    if (!d.startOnRequest)
      return this.answer(503, 'service_unavailable', 'Service unavailable', `${d.service} (${d.project}) is ${d.state}${d.reason ? `: ${d.reason}` : ''}. Start it with \`devmesh start ${d.service}\`.`, { extra: { state: d.state, reason: d.reason } });
    // start_on_request: hold the request (and stop reading the client) until the service is healthy.
    this.phase = 'routing';
    this.hold(HOLD_QUEUE);
    const bound = this.ctx.limits.startOnRequestTimeoutMs;
    this.ctx.routes.ensureRunning(d.project, d.service, bound).then(
      (next) => {
        if (this.ex !== ex || this.phase !== 'routing') return;
        this.unhold(HOLD_QUEUE);
        if (next.kind === 'forward') this.forward(next);
        else this.answer(503, 'service_unavailable', 'Service unavailable', `${d.service} (${d.project}) did not become ready: it is ${next.kind === 'unavailable' ? next.state : next.kind}.`);
      },
      (err: Error) => {
        if (this.ex !== ex || this.phase !== 'routing') return;
        this.unhold(HOLD_QUEUE);
        this.answer(503, 'service_unavailable', 'Service did not start', `DevMesh started ${d.service} (${d.project}) for this request, but it did not become healthy within ${bound / 1000} s: ${err.message}`);
      },
    );
  }

  private forward(d: Extract<RouteDecision, { kind: 'forward' }>): void {
    const ex = this.ex!;
    const head = this.head!;
    ex.project = d.project;
    ex.service = d.service;
    ex.upstream = d.upstream;
    ex.target = d.target;
    let path = ex.path;
    if (d.stripPrefix !== null && path.startsWith(d.stripPrefix)) {
      path = path.slice(d.stripPrefix.length);
      if (path.charCodeAt(0) !== 0x2f) path = `/${path}`;
    }
    const key = `${d.target.host}:${d.target.port}`;
    if (this.upstream !== null && (this.upstream.key !== key || this.upstream.closed)) this.releaseUpstream(true);
    if (this.upstream === null) {
      this.upstream = this.ctx.pool.acquire(d.target);
      this.upstreamReusable = true;
    }
    this.upstream.owner = this;
    const remoteIp = this.socket.remoteAddress ?? '127.0.0.1';
    const headBytes = Buffer.from(HeadRewriter.request(head, { path, clientIp: remoteIp, tls: this.tls, instanceId: this.ctx.instanceId, upgrade: head.upgrade }), 'latin1');
    ex.retryHead = head.framer.done ? headBytes : null;
    this.resFramer = null;
    this.resBuf = null;
    this.phase = 'body';
    const up = this.upstream.socket;
    up.cork();
    this.toUpstream(headBytes);
    const rest = this.pending;
    this.pending = null;
    if (head.framer.done) this.requestDone(rest);
    else if (rest !== null) this.forwardBody(rest);
    up.uncork();
  }

  private forwardBody(chunk: Buffer): void {
    const framer = this.head!.framer;
    const n = framer.consume(chunk, 0);
    if (framer.error !== null) {
      this.ex!.error = `malformed request body: ${framer.error}`;
      return this.abort();
    }
    if (n > 0) {
      this.ex!.bytesIn += n;
      this.toUpstream(n === chunk.length ? chunk : chunk.subarray(0, n));
    }
    if (framer.done) this.requestDone(n < chunk.length ? chunk.subarray(n) : null);
  }

  private requestDone(rest: Buffer | null): void {
    this.reqDone = true;
    if (this.phase === 'body') this.phase = 'wait';
    if (rest !== null && rest.length > 0) {
      // A pipelined next request: keep it until this response is complete.
      this.pending = rest;
      this.hold(HOLD_QUEUE);
    }
    if (this.resDone) this.finish();
  }

  private readonly onDrain = (): void => {
    if (this.upstreamPaused && this.upstream !== null) {
      this.upstreamPaused = false;
      this.upstream.socket.resume();
    }
  };

  private readonly onTimeout = (): void => {
    const ex = this.ex;
    if (ex !== null && !ex.responded && (this.phase === 'wait' || this.phase === 'body')) {
      this.releaseUpstream(false);
      return this.answer(504, 'upstream_timeout', 'Gateway timeout', `${ex.who} sent nothing for ${this.ctx.limits.idleTimeoutMs / 1000} s (idle timeout)`, { close: true });
    }
    if (ex === null && this.pending !== null) return this.refuse(408, 'request head not complete before the idle timeout');
    this.abort();
  };

  private readonly onEnd = (): void => {
    if (this.phase === 'tunnel') this.upstream?.socket.end();
  };

  private readonly onError = (err: Error): void => {
    this.ctx.logger.debug({ domain: 'proxy', err: err.message }, 'client connection error');
  };

  private readonly onClose = (): void => {
    const ex = this.ex;
    const wasTunnel = this.phase === 'tunnel';
    this.phase = 'done';
    this.clearHeadTimer();
    if (ex !== null && !ex.recorded) {
      if (!wasTunnel) {
        ex.error ??= 'the client closed the connection before the response was complete';
        if (ex.status === 0) ex.status = 499;
      }
      this.record(ex);
    }
    if (this.upstream !== null) {
      if (wasTunnel) this.upstream.socket.end();
      else this.releaseUpstream(ex === null && this.upstreamReusable);
    }
    this.ctx.onClosed(this);
  };

  // ---- upstream side -----------------------------------------------------------------------------

  onUpstreamData(chunk: Buffer): void {
    // Corked, a response head and its first body bytes leave in one writev instead of two syscalls.
    this.socket.cork();
    this.readResponse(chunk);
    this.socket.uncork();
  }

  private readResponse(chunk: Buffer): void {
    if (this.phase === 'tunnel') return this.toClient(chunk);
    const ex = this.ex;
    if (ex === null || this.resDone) {
      this.upstreamReusable = false;
      return this.releaseUpstream(false);
    }
    ex.upstreamSpoke = true;
    let buf = chunk;
    while (this.resFramer === null) {
      if (this.resBuf !== null) {
        buf = Buffer.concat([this.resBuf, buf]);
        this.resBuf = null;
      }
      const r = HttpHeadParser.parseResponse(buf, this.ctx.limits.maxHeaderBytes);
      if (r === null) {
        this.resBuf = buf;
        return;
      }
      if ('error' in r) return this.upstreamFailed(new Error(`sent an invalid response (${r.error})`));
      const rest = buf.subarray(r.headEnd);
      if (r.status === 101 && this.head!.upgrade !== null) return this.startTunnel(r, rest);
      if (r.status < 200) {
        // Interim response (100 Continue, 103 Early Hints): pass it on and read the final one.
        this.toClient(Buffer.from(HeadRewriter.response(r, ex.upstream!, false, null), 'latin1'));
        if (rest.length === 0) return;
        buf = rest;
        continue;
      }
      this.beginResponse(r);
      buf = rest;
    }
    if (buf.length > 0) {
      const framer = this.resFramer;
      const n = framer.consume(buf, 0);
      if (framer.error !== null) {
        ex.error = `${ex.who} sent a malformed body: ${framer.error}`;
        return this.abort();
      }
      if (n > 0) this.toClient(n === buf.length ? buf : buf.subarray(0, n));
      if (n < buf.length) this.upstreamReusable = false; // bytes after the response: out of step
    }
    if (this.resFramer.done) this.responseDone();
  }

  private beginResponse(r: ResponseHead): void {
    const ex = this.ex!;
    const framer = HttpHeadParser.responseFramer(r, this.head!.method);
    this.resFramer = framer;
    if (r.connection.has('close') || r.minor === 0 || framer.mode === 'until-close') this.upstreamReusable = false;
    // A body that ends only when the target closes can end the client's connection the same way only.
    ex.close = this.head!.close || framer.mode === 'until-close';
    ex.status = r.status;
    ex.responded = true;
    this.toClient(Buffer.from(HeadRewriter.response(r, ex.upstream!, ex.close, null), 'latin1'));
  }

  private startTunnel(r: ResponseHead, rest: Buffer): void {
    const ex = this.ex!;
    ex.status = 101;
    ex.websocket = true;
    ex.responded = true;
    this.phase = 'tunnel';
    this.upstreamReusable = false;
    // WebSocket sessions idle for long stretches by design; the apps ping, the proxy must not cut them.
    this.socket.setTimeout(0);
    this.toClient(Buffer.from(HeadRewriter.response(r, ex.upstream!, false, this.head!.upgrade), 'latin1'));
    if (rest.length > 0) this.toClient(rest);
    const pending = this.pending;
    this.pending = null;
    this.unhold(HOLD_QUEUE);
    if (pending !== null) this.toUpstream(pending);
  }

  private responseDone(): void {
    this.resDone = true;
    this.record(this.ex!);
    if (!this.reqDone) {
      // The target answered before the request body ended (e.g. 413): neither connection is in step now.
      this.upstreamReusable = false;
      this.ex!.close = true;
    }
    this.finish();
  }

  onUpstreamDrain(): void {
    this.unhold(HOLD_DRAIN);
  }

  onUpstreamClose(error: Error | null): void {
    if (this.phase === 'tunnel') {
      this.upstream = null;
      this.socket.end();
      return;
    }
    const ex = this.ex;
    const u = this.upstream;
    this.upstream = null;
    this.upstreamPaused = false;
    if (ex === null || this.phase === 'done') return; // an idle bound connection went away: the next request takes another
    if (this.resFramer?.mode === 'until-close' && !this.resDone) return this.responseDone();
    if (u !== null && u.reused && !ex.upstreamSpoke && ex.retryHead !== null && !ex.retried && ex.target !== null) {
      // A pooled connection the target had just closed: send the body-less request again on a fresh one.
      ex.retried = true;
      this.upstream = this.ctx.pool.acquire(ex.target);
      this.upstream.owner = this;
      this.upstreamReusable = true;
      this.toUpstream(ex.retryHead);
      return;
    }
    this.upstreamFailed(error);
  }

  private upstreamFailed(error: Error | null): void {
    const ex = this.ex!;
    this.releaseUpstream(false);
    const cause = error !== null && error.message.startsWith('sent ') ? `${ex.who} ${error.message}` : ProxyExchange.cause(error, ex.who);
    if (ex.responded) {
      ex.error = `${cause} (mid-response)`;
      return this.abort();
    }
    this.answer(502, 'upstream_failed', 'Bad gateway', cause, { close: !this.reqDone });
  }

  // ---- shared ------------------------------------------------------------------------------------

  private toUpstream(chunk: Buffer): void {
    if (this.upstream !== null && !this.upstream.socket.write(chunk)) this.hold(HOLD_DRAIN);
  }

  private toClient(chunk: Buffer): void {
    if (this.ex !== null) this.ex.bytesOut += chunk.length;
    if (!this.socket.write(chunk) && this.upstream !== null && !this.upstreamPaused) {
      this.upstreamPaused = true;
      this.upstream.socket.pause();
    }
  }

  /** DevMesh answers the current request itself. */
  private answer(status: number, code: string, title: string, message: string, opts: { close?: boolean; known?: ReplyKnown; extra?: Record<string, unknown> } = {}): void {
    const ex = this.ex!;
    const head = this.head!;
    // An unread request body would be taken for the next request: close instead of draining it.
    ex.close = ex.close || head.close || opts.close === true || (!head.framer.done && !this.reqDone);
    const reply = ProxyResponder.reply({ status, code, title, message, html: ex.html, known: opts.known, extra: opts.extra });
    ex.status = status;
    ex.error = message;
    this.toClient(ProxyResponder.bytes(reply, ex.close, head.method === 'HEAD'));
    ex.responded = true;
    this.record(ex);
    this.resDone = true;
    this.reqDone = true;
    this.finish();
  }

  /** A request the fast path could not even parse: answer, log, close. */
  private refuse(status: 400 | 408 | 431, why: string): void {
    this.clearHeadTimer();
    const ex = new ProxyExchange('', '', '', this.tls, false);
    ex.status = status;
    ex.error = why;
    const reply = ProxyResponder.reply({ status, code: 'bad_request', title: ProxyResponder.statusText(status), message: why, html: false });
    const bytes = ProxyResponder.bytes(reply, true);
    ex.bytesOut = bytes.length;
    this.record(ex);
    this.ex = null;
    this.pending = null;
    this.phase = 'done';
    this.socket.end(bytes);
    // A client that never reads its answer must not keep the socket: destroy after a grace period.
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  private finish(): void {
    const ex = this.ex!;
    this.ex = null;
    this.head = null;
    this.resFramer = null;
    this.resBuf = null;
    if (!this.upstreamReusable) this.releaseUpstream(false);
    if (ex.close) {
      this.phase = 'done';
      this.socket.end();
      return;
    }
    this.phase = 'head';
    this.onDrain();
    this.unhold(HOLD_QUEUE);
    if (this.pending !== null) this.parseHead();
  }

  private abort(): void {
    if (this.ex !== null && !this.ex.recorded) this.record(this.ex);
    this.releaseUpstream(false);
    this.socket.destroy();
  }

  private handOff(buf: Buffer): void {
    this.phase = 'done';
    this.pending = null;
    for (const [ev, fn] of [['data', this.onData], ['drain', this.onDrain], ['timeout', this.onTimeout], ['end', this.onEnd], ['error', this.onError], ['close', this.onClose]] as const)
      this.socket.removeListener(ev, fn);
    this.socket.setTimeout(0);
    this.releaseUpstream(this.upstreamReusable);
    this.ctx.onClosed(this);
    this.ctx.handOff(this.socket, buf, this.tls);
  }

  /** Gives the bound target connection back to the pool (`keep`), or closes it. */
  private releaseUpstream(keep: boolean): void {
    const u = this.upstream;
    if (u === null) return;
    this.upstream = null;
    if (this.upstreamPaused) u.socket.resume();
    this.upstreamPaused = false;
    if (keep && !u.closed) this.ctx.pool.release(u);
    else u.destroy();
    this.unhold(HOLD_DRAIN);
  }

  private record(ex: ProxyExchange): void {
    if (ex.recorded) return;
    ex.recorded = true;
    try {
      this.ctx.requests.record(ex.toRecord());
    } catch (err) {
      this.ctx.logger.warn({ domain: 'proxy', err: (err as Error).message }, 'request log rejected a record');
    }
  }

  private hold(bit: number): void {
    if (this.holds === 0) this.socket.pause();
    this.holds |= bit;
  }

  private unhold(bit: number): void {
    if ((this.holds & bit) === 0) return;
    this.holds &= ~bit;
    if (this.holds === 0 && this.phase !== 'done') this.socket.resume();
  }

  private armHeadTimer(): void {
    if (this.headTimer !== null) return;
    this.headTimer = setTimeout(() => {
      this.headTimer = null;
      if (this.phase === 'head' && this.ex === null) this.refuse(408, `request head not complete within ${this.ctx.limits.headTimeoutMs / 1000} s`);
    }, this.ctx.limits.headTimeoutMs);
  }

  private clearHeadTimer(): void {
    if (this.headTimer === null) return;
    clearTimeout(this.headTimer);
    this.headTimer = null;
  }
}

type ReplyKnown = Parameters<typeof ProxyResponder.reply>[0]['known'];
