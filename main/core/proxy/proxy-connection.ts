// The fast path: one client connection, parsed with a light head parser and bound to one kept-alive
// target connection per target. Only heads are rewritten; body bytes pass through as untouched slices,
// with backpressure both ways. A 101 response turns the pair into a raw tunnel (WebSocket).
import type { Socket } from 'node:net';
import type { BodyFramer } from './body-framer.js';
import { ClientFlow } from './client-flow.js';
import { ContainedListeners } from './contained-listeners.js';
import * as headRewriter from './head-rewriter.js';
import { FROM_HEADER, MESH_HEADER } from './head-rewriter.js';
import * as httpHeadParser from './http-head-parser.js';
import type { RequestHead, ResponseHead } from './http-head-parser.js';
import { ResponseReader, type ResponseSink } from './response-reader.js';
import { ProxyExchange } from './proxy-exchange.js';
import type { ProxyContext } from './proxy-context.js';
import * as proxyResponder from './proxy-responder.js';
import type { ReplyInput } from './proxy-responder.js';
import { requestFacts } from './route-decision.js';
import { RoutingPolicy, type ForwardDecision, type RoutingAction } from './routing-policy.js';
import { UpstreamBinding } from './upstream-binding.js';
import type { UpstreamOwner } from './upstream-socket.js';

type Phase = 'head' | 'routing' | 'body' | 'wait' | 'tunnel' | 'done';

export class ProxyConnection implements UpstreamOwner, ResponseSink {
  private phase: Phase = 'head';
  private pending: Buffer | null = null;
  private head: RequestHead | null = null;
  private ex: ProxyExchange | null = null;
  private readonly up: UpstreamBinding;
  private readonly reader: ResponseReader;
  private reqDone = false;
  private resDone = false;
  private readonly flow: ClientFlow;
  private readonly seam: ContainedListeners;

  constructor(
    private readonly socket: Socket,
    private readonly ctx: ProxyContext,
    private readonly tls: boolean,
  ) {
    this.reader = new ResponseReader(ctx.limits.maxHeaderBytes, this);
    this.up = new UpstreamBinding(ctx.pool, this);
    const listeners = {
      data: this.onData,
      drain: this.onDrain,
      timeout: this.onTimeout,
      end: this.onEnd,
      error: this.onError,
      close: this.onClose,
    };
    this.seam = new ContainedListeners(socket, listeners, (err) => this.onUpstreamFault(err));
    this.flow = new ClientFlow(socket, ctx.limits.headTimeoutMs, () => {
      const why = `request head not complete within ${ctx.limits.headTimeoutMs / 1000} s`;
      if (this.phase === 'head' && this.ex === null) this.seam.run(() => this.refuse(408, why));
    });
    socket.setNoDelay(true);
    socket.setTimeout(ctx.limits.idleTimeoutMs);
    this.flow.armHeadDeadline();
  }

  /** Closes the client connection now (proxy shutdown). */
  destroy(): void {
    this.socket.destroy();
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.phase === 'body') return this.forwardBody(chunk);
    if (this.phase === 'tunnel') {
      this.ex!.bytesIn += chunk.length;
      return this.toUpstream(chunk);
    }
    this.pending = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
    if (this.phase === 'head') this.parseHead();
    else this.flow.hold(ClientFlow.QUEUE);
  };

  private parseHead(): void {
    const buf = this.pending!;
    const r = httpHeadParser.parseRequest(buf, this.ctx.limits.maxHeaderBytes);
    if (r === null) return this.flow.armHeadDeadline();
    if ('error' in r) return this.refuse(r.status, r.error);
    this.flow.clearHeadDeadline();
    if (r.minor === 0 || r.expect) return this.handOff(buf);
    this.pending = r.headEnd < buf.length ? buf.subarray(r.headEnd) : null;
    this.begin(r);
  }

  private begin(head: RequestHead): void {
    const ex = ProxyExchange.forHead(head, this.tls);
    if (typeof ex === 'string') return this.refuse(400, ex);
    this.head = head;
    this.ex = ex;
    this.reqDone = this.resDone = false;
    const facts = requestFacts(httpHeadParser.field(head, FROM_HEADER), httpHeadParser.field(head, MESH_HEADER));
    this.apply(
      this.ctx.policy.decide(ex.host || undefined, ex.path, headRewriter.isLoop(head, this.ctx.instanceId), facts),
    );
  }

  private apply(action: RoutingAction): void {
    const ex = this.ex!;
    if (action.kind === 'forward') return this.forward(action.decision);
    ex.project = action.project;
    ex.service = action.service;
    if (action.kind === 'answer') return this.answer(action.reply, action.close);
    // start_on_request: hold the request (and stop reading the client) until the service is healthy.
    this.phase = 'routing';
    this.flow.hold(ClientFlow.QUEUE);
    const resume = (next: RoutingAction) => {
      if (this.ex !== ex || this.phase !== 'routing') return;
      this.flow.release(ClientFlow.QUEUE);
      this.apply(next);
    };
    void action.next.then(
      (next) => this.seam.run(() => resume(next)),
      (err) => this.onUpstreamFault(err),
    );
  }

  private forward(d: ForwardDecision): void {
    const ex = this.ex!;
    const head = this.head!;
    ex.forwardTo(d);
    const path = RoutingPolicy.forwardPath(ex.path, d.stripPrefix);
    const up = this.up.bind(d.target).socket;
    const info = {
      path,
      clientIp: this.socket.remoteAddress ?? '127.0.0.1',
      tls: this.tls,
      instanceId: this.ctx.instanceId,
    };
    const headBytes = headRewriter.request(head, { ...info, upgrade: head.upgrade, rewrite: d.rewrite });
    ex.retryHead = head.framer.done ? headBytes : null;
    this.reader.reset();
    this.phase = 'body';
    const rest = this.pending;
    this.pending = null;
    if (rest === null || head.framer.done) {
      this.toUpstream(headBytes);
      if (head.framer.done) this.requestDone(rest);
      return;
    }
    // Corked, the head and the first body bytes leave in one writev.
    up.cork();
    this.toUpstream(headBytes);
    this.forwardBody(rest);
    up.uncork();
  }

  private forwardBody(chunk: Buffer): void {
    const framer = this.head!.framer;
    const n = framer.consume(chunk, 0);
    if (framer.error !== null) return this.malformedBody(framer.error);
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
      this.flow.hold(ClientFlow.QUEUE);
    }
    if (this.resDone) this.finish();
  }

  private readonly onDrain = (): void => this.up.resume();

  private readonly onTimeout = (): void => {
    const ex = this.ex;
    if (ex !== null && !ex.responded && (this.phase === 'wait' || this.phase === 'body')) {
      this.releaseUpstream(false);
      const message = `${ex.who} sent nothing for ${this.ctx.limits.idleTimeoutMs / 1000} s (idle timeout)`;
      return this.answer({ status: 504, code: 'upstream_timeout', title: 'Gateway timeout', message }, true);
    }
    if (ex === null && this.pending !== null)
      return this.refuse(408, 'request head not complete before the idle timeout');
    this.abort();
  };

  // The client sends no more (half-close): answer what it asked, then close. A body cut short never completes.
  private readonly onEnd = (): void => {
    if (this.phase === 'tunnel') return this.up.end();
    if (this.ex === null) return void this.socket.end();
    if (this.phase === 'body') return this.abort();
    this.ex.close = true;
  };

  private readonly onError = (err: Error): void =>
    this.ctx.logger.debug({ domain: 'proxy', err: err.message }, 'client connection error');

  private readonly onClose = (): void => {
    const ex = this.ex;
    const wasTunnel = this.phase === 'tunnel';
    this.phase = 'done';
    this.flow.stop();
    if (ex !== null && !ex.recorded && !wasTunnel) ex.clientGone();
    if (ex !== null) ex.recordTo(this.ctx.requests, this.ctx.logger);
    if (wasTunnel) this.up.end();
    else this.releaseUpstream(ex === null);
    this.ctx.onClosed(this);
  };

  onUpstreamData(chunk: Buffer): void {
    if (this.phase === 'tunnel') return this.toClient(chunk);
    const ex = this.ex;
    if (ex === null || this.resDone) {
      // Bytes nobody asked for: this target connection is out of step.
      return this.releaseUpstream(false);
    }
    ex.upstreamSpoke = true;
    this.reader.feed(chunk, this.head!.method, this.head!.upgrade !== null);
  }

  onInterim(r: ResponseHead): void {
    this.toClient(headRewriter.response(r, this.ex!.label, false, null));
  }

  onResponseHead(r: ResponseHead, framer: BodyFramer, first: Buffer | null): void {
    const ex = this.ex!;
    if (r.connection.has('close') || r.minor === 0 || framer.mode === 'until-close') this.up.reusable = false;
    // A body that ends only when the target closes can end the client's connection the same way only.
    ex.close = ex.close || this.head!.close || framer.mode === 'until-close';
    ex.status = r.status;
    ex.responded = true;
    this.toClient(headRewriter.response(r, ex.label, ex.close, null, first));
  }

  onResponseBody(slice: Buffer): void {
    this.toClient(slice);
  }

  onResponseEnd(overrun: boolean): void {
    if (overrun) this.up.reusable = false;
    this.responseDone();
  }

  onInvalid(why: string): void {
    if (this.ex!.responded) this.ex!.error = `${this.ex!.who} ${why}`;
    this.upstreamFailed(new Error(why));
  }

  onUpgrade(r: ResponseHead, rest: Buffer): void {
    const ex = this.ex!;
    ex.upgraded();
    this.phase = 'tunnel';
    this.up.reusable = false;
    // WebSocket sessions idle for long stretches by design; the apps ping, the proxy must not cut them.
    this.socket.setTimeout(0);
    this.toClient(headRewriter.response(r, ex.label, false, this.head!.upgrade));
    if (rest.length > 0) this.toClient(rest);
    const pending = this.pending;
    this.pending = null;
    this.flow.release(ClientFlow.QUEUE);
    if (pending !== null) this.toUpstream(pending);
  }

  private responseDone(): void {
    this.resDone = true;
    this.ex!.recordTo(this.ctx.requests, this.ctx.logger);
    if (!this.reqDone) {
      // The target answered before the request body ended (e.g. 413): neither connection is in step now.
      this.up.reusable = false;
      this.ex!.close = true;
    }
    this.finish();
  }

  onUpstreamDrain(): void {
    this.flow.release(ClientFlow.DRAIN);
  }

  onUpstreamClose(error: Error | null): void {
    if (this.phase === 'tunnel') {
      this.up.forget();
      this.socket.end();
      return;
    }
    const ex = this.ex;
    const u = this.up.forget();
    this.flow.release(ClientFlow.DRAIN);
    if (ex === null || this.phase === 'done') return; // an idle bound connection went away: the next request takes another
    if (this.reader.untilClose && !this.resDone) return this.responseDone();
    const again = u === null ? null : ex.resendOnFreshConnection(u);
    if (again !== null) {
      this.up.bind(ex.target!);
      return this.toUpstream(again);
    }
    this.upstreamFailed(error);
  }

  private upstreamFailed(error: Error | null): void {
    const ex = this.ex!;
    this.releaseUpstream(false);
    const d = ex.forwarded;
    if (d !== null && !ex.responded && !ex.upstreamSpoke) {
      this.ctx.policy.failed(d.key);
      // Nothing reached the client yet: another instance may answer it.
      const next = ProxyExchange.failover(
        d,
        ex.method,
        this.head!.names.includes('idempotency-key'),
        ex.retryHead !== null && this.reqDone,
      );
      if (next !== null) return this.forward(next);
    }
    const cause =
      error !== null && error.message.startsWith('sent ')
        ? `${ex.who} ${error.message}`
        : ProxyExchange.cause(error, ex.who);
    if (ex.responded) {
      ex.error = `${cause} (mid-response)`;
      return this.abort();
    }
    this.answer({ status: 502, code: 'upstream_failed', title: 'Bad gateway', message: cause }, !this.reqDone);
  }

  private toUpstream(chunk: Buffer): void {
    if (!this.up.write(chunk)) this.flow.hold(ClientFlow.DRAIN);
  }

  private toClient(chunk: Buffer): void {
    if (this.ex !== null) this.ex.bytesOut += chunk.length;
    if (!this.socket.write(chunk)) this.up.pause();
  }

  /** DevMesh answers the current request itself. */
  private answer(input: Omit<ReplyInput, 'html'>, close = false): void {
    const head = this.head!;
    // An unread request body would be taken for the next request: close instead of draining it.
    const unread = !head.framer.done && !this.reqDone;
    this.toClient(this.ex!.answer(input, head.close || close || unread, head.method === 'HEAD'));
    this.ex!.recordTo(this.ctx.requests, this.ctx.logger);
    this.resDone = this.reqDone = true;
    this.finish();
  }

  /**
   * The request body's framing broke: the target got part of a request that can never be finished, so its
   * connection ends; the client gets a 400 and a close, or only the close once a response began.
   */
  private malformedBody(why: string): void {
    const ex = this.ex!;
    this.releaseUpstream(false);
    if (ex.responded) {
      ex.error = `malformed request body: ${why} (mid-response)`;
      return this.abort();
    }
    const message = `malformed request body: ${why}`;
    this.answer({ status: 400, code: 'bad_request', title: 'Bad Request', message }, true);
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  /** A request the fast path could not even parse: answer, log, close. */
  private refuse(status: 400 | 408 | 431, why: string): void {
    this.flow.clearHeadDeadline();
    const bytes = proxyResponder.refusal(status, why);
    ProxyExchange.refused(status, why, bytes.length, this.tls).recordTo(this.ctx.requests, this.ctx.logger);
    this.ex = null;
    this.pending = null;
    this.phase = 'done';
    this.flow.stop();
    this.socket.end(bytes);
    // A client that never reads its last answer must not keep the socket: destroyed after a grace period.
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  private finish(): void {
    const ex = this.ex!;
    this.ex = null;
    this.head = null;
    if (!this.up.settle()) this.flow.release(ClientFlow.DRAIN);
    if (ex.close) {
      this.phase = 'done';
      this.flow.stop();
      this.socket.end();
      return;
    }
    this.phase = 'head';
    this.onDrain();
    this.flow.release(ClientFlow.QUEUE);
    if (this.pending !== null) this.parseHead();
  }

  private abort(): void {
    if (this.ex !== null && !this.ex.recorded) this.ex.recordTo(this.ctx.requests, this.ctx.logger);
    this.releaseUpstream(false);
    this.socket.destroy();
  }

  private handOff(buf: Buffer): void {
    this.phase = 'done';
    this.flow.stop();
    this.pending = null;
    this.seam.detach();
    this.socket.setTimeout(0);
    this.releaseUpstream(true);
    this.ctx.onClosed(this);
    this.ctx.handOff(this.socket, buf, this.tls);
  }

  /** Gives the bound target connection back to the pool (`keep` and clean), or closes it; the client may read again. */
  private releaseUpstream(keep: boolean): void {
    this.up.release(keep);
    this.flow.release(ClientFlow.DRAIN);
  }

  /** Something threw while serving (a bug): logged, the exchange answered 502 or cut short, the connection closed. */
  onUpstreamFault(err: unknown): void {
    const ex = this.ex;
    this.ctx.logger.error(
      { domain: 'proxy', err: err instanceof Error ? err.stack : String(err) },
      'proxy: a request failed inside DevMesh',
    );
    this.phase = 'done';
    try {
      this.up.release(false);
      const reply: Omit<ReplyInput, 'html'> = {
        status: 502,
        code: 'internal',
        title: 'Bad gateway',
        message: `DevMesh failed: ${(err as Error).message}`,
      };
      if (ex !== null && !ex.responded) this.socket.write(ex.answer(reply, true, false));
      if (ex !== null) ex.recordTo(this.ctx.requests, this.ctx.logger);
    } finally {
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 1000).unref();
    }
  }
}
