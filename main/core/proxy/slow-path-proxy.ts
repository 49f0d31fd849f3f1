// The slow path: requests the fast path chooses not to frame itself (HTTP/1.0 clients, `Expect:
// 100-continue`) and HTTPS connections that negotiate HTTP/2 by ALPN are handed, connection and all, to
// Node's HTTP servers and forwarded by http-proxy-3 with a keep-alive agent. Same routing, same answers,
// same request log; just Node's full HTTP stack.
import http from 'node:http';
import { Readable } from 'node:stream';
import https from 'node:https';
import http2, { type Http2ServerRequest } from 'node:http2';
import type { TLSSocket } from 'node:tls';
import type { Socket } from 'node:net';
import { createProxyServer, type ProxyServer as HttpProxy } from 'http-proxy-3';
import type { Logger } from 'pino';
import { FROM_HEADER, HOP_HEADER, MESH_HEADER, UPSTREAM_HEADER } from './head-rewriter.js';
import { ProxyExchange } from './proxy-exchange.js';
import type { ProxyLimits, ProxyRequestLog } from './proxy-limits.js';
import * as proxyResponder from './proxy-responder.js';
import type { ReplyInput } from './proxy-responder.js';
import { RoutingPolicy, type ForwardDecision, type RoutingAction } from './routing-policy.js';
import { requestFacts } from './route-decision.js';
import * as slowPathMeter from './slow-path-meter.js';

// HTTP/1 and HTTP/2 compatibility requests look alike to this code and to http-proxy-3.
type Incoming = http.IncomingMessage;
type Outgoing = http.ServerResponse;

export interface SlowPathDeps {
  policy: RoutingPolicy;
  requests: ProxyRequestLog;
  limits: ProxyLimits;
  instanceId: string;
  logger: Logger;
}

export class SlowPathProxy {
  private readonly agent: http.Agent;
  /** one kept-alive agent per teammate ingress certificate (pinned: the only certificate it trusts) */
  private readonly pinnedAgents = new Map<string, https.Agent>();
  private readonly proxy: HttpProxy;
  private readonly server: http.Server;
  private readonly h2: http2.Http2SecureServer;
  private readonly sockets = new Set<Socket>();
  /** adopted connections that came in over TLS (X-Forwarded-Proto, the request log) */
  private readonly tlsSockets = new WeakSet<Socket>();

  constructor(private readonly deps: SlowPathDeps) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 256, timeout: deps.limits.idleTimeoutMs });
    this.proxy = createProxyServer({ xfwd: true, agent: this.agent, proxyTimeout: deps.limits.idleTimeoutMs });
    // A teammate's ingress names itself in X-DevMesh-Upstream; this proxy's own label replaces it.
    this.proxy.on('proxyRes', (proxyRes: http.IncomingMessage) => {
      delete proxyRes.headers[UPSTREAM_HEADER];
    });
    this.server = http.createServer(
      { headersTimeout: deps.limits.headTimeoutMs, requestTimeout: 0, maxHeaderSize: deps.limits.maxHeaderBytes },
      (req, res) => this.handle(req, res, this.tlsSockets.has(req.socket)),
    );
    this.server.keepAliveTimeout = deps.limits.idleTimeoutMs;
    this.server.on('checkContinue', (req: Incoming, res: Outgoing) => {
      this.handle(req, res, this.tlsSockets.has(req.socket), true);
    });
    // Never listens: HTTPS connections that chose h2 by ALPN are handed to it after their handshake.
    this.h2 = http2.createSecureServer({ allowHTTP1: false }, (req, res) =>
      this.handle(req as unknown as Incoming, res as unknown as Outgoing, true),
    );
    this.h2.on('sessionError', (err) =>
      deps.logger.debug({ domain: 'proxy', err: err.message }, 'HTTP/2 session error'),
    );
  }

  /** Takes over a TLS connection that negotiated HTTP/2. */
  adoptH2(socket: TLSSocket): void {
    // Nagle would hold a response's DATA frame back until the client acknowledged its HEADERS frame (a
    // delayed ACK: up to 40 ms per request).
    socket.setNoDelay(true);
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    this.h2.emit('secureConnection', socket);
  }

  /** Takes over a client connection; `pending` holds the bytes already read from it (the request head). */
  adopt(socket: Socket, pending: Buffer, tls: boolean): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    if (tls) this.tlsSockets.add(socket);
    socket.pause();
    socket.unshift(pending);
    this.server.emit('connection', socket);
    socket.resume();
  }

  close(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    this.proxy.close();
    this.h2.close();
    this.agent.destroy();
    this.closePinned();
  }

  /** `interim`: the client waits for 100 Continue before its body (sent once the exchange is metered). */
  private handle(req: Incoming, res: Outgoing, tls: boolean, interim = false): void {
    const url = req.url ?? '/';
    // HTTP/2 names the host in :authority; the HTTP/1.1 target expects Host.
    req.headers.host ??= req.headers[':authority'] as string | undefined;
    const ex = new ProxyExchange(
      req.method ?? 'GET',
      req.headers.host ?? '',
      url,
      tls,
      proxyResponder.wantsHtml(req.headers.accept),
    );
    const measured = slowPathMeter.attach(req, res, ex);
    res.once('close', () => {
      ex.status ||= res.statusCode;
      if (!res.writableFinished) ex.error ??= 'the connection closed before the response was complete';
      measured();
      this.record(ex);
    });
    if (interim) res.writeContinue();
    const hops = String(req.headers[HOP_HEADER] ?? '');
    const loop = hops.split(',').some((h) => h.trim() === this.deps.instanceId);
    const facts = requestFacts(SlowPathProxy.header(req, FROM_HEADER), SlowPathProxy.header(req, MESH_HEADER));
    this.contained(res, ex, () =>
      this.apply(req, res, ex, this.deps.policy.decide(req.headers.host, url, loop, facts)),
    );
  }

  /** Runs `fn` at a seam (a request event, a promise, a proxy callback): what it throws ends this exchange. */
  private contained(res: Outgoing, ex: ProxyExchange, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.fault(res, ex, err);
    }
  }

  /** Something threw while serving (a bug): logged; the exchange answered 502, or cut short once answering. */
  private fault(res: Outgoing, ex: ProxyExchange, err: unknown): void {
    this.deps.logger.error(
      { domain: 'proxy', err: err instanceof Error ? err.stack : String(err) },
      'proxy: a request failed inside DevMesh',
    );
    const message = `DevMesh failed: ${(err as Error).message}`;
    try {
      if (res.headersSent) {
        ex.error = message;
        res.destroy();
      } else this.reply(res, ex, { status: 502, code: 'internal', title: 'Bad gateway', message });
    } catch {
      res.destroy();
    }
  }

  /** The request has no body to replay: HTTP/2 says so by ending the stream with its HEADERS frame (a body
   * needs no Content-Length there); HTTP/1.x by its framing fields. */
  private static bodyless(req: Incoming): boolean {
    const stream = (req as unknown as Partial<Http2ServerRequest>).stream;
    if (stream !== undefined) return stream.endAfterHeaders;
    return (req.headers['content-length'] ?? '0') === '0' && req.headers['transfer-encoding'] === undefined;
  }

  private static header(req: Incoming, name: string): string | null {
    const v = req.headers[name];
    return typeof v === 'string' ? v.trim() : null;
  }

  private apply(req: http.IncomingMessage, res: http.ServerResponse, ex: ProxyExchange, action: RoutingAction): void {
    if (action.kind !== 'forward') {
      ex.project = action.project;
      ex.service = action.service;
      if (action.kind === 'start') {
        const resume = (next: RoutingAction) => this.contained(res, ex, () => this.apply(req, res, ex, next));
        return void action.next.then(resume, (err) => this.fault(res, ex, err));
      }
      return this.reply(res, ex, action.reply);
    }
    req.url = RoutingPolicy.forwardPath(req.url ?? '/', action.decision.stripPrefix);
    const prior = req.headers.via;
    req.headers.via = `${prior ? `${prior}, ` : ''}1.1 devmesh`;
    req.headers[HOP_HEADER] =
      `${req.headers[HOP_HEADER] ? `${String(req.headers[HOP_HEADER])}, ` : ''}${this.deps.instanceId}`;
    this.forward(req, res, ex, action.decision, req.headers.host, true);
  }

  /** Sends the request to `d`; a body-less idempotent one that fails before any answer goes to the next instance. */
  private forward(
    req: Incoming,
    res: Outgoing,
    ex: ProxyExchange,
    d: ForwardDecision,
    clientHost: string | undefined,
    first: boolean,
  ): void {
    ex.forwardTo(d);
    // A teammate's ingress routes by Host and admits by the mesh field; the caller travels along.
    req.headers.host = d.rewrite?.host ?? clientHost;
    delete req.headers[MESH_HEADER];
    for (const [name, value] of d.rewrite?.headers ?? []) req.headers[name.toLowerCase()] = value;
    res.setHeader('X-DevMesh-Upstream', ex.label);
    const host = d.target.host.includes(':') ? `[${d.target.host}]` : d.target.host;
    const pinned = d.target.tls === undefined ? null : this.pinnedAgent(d.target.tls.cert);
    const options = {
      target: `${pinned === null ? 'http' : 'https'}://${host}:${d.target.port}`,
      ...(pinned === null ? {} : { agent: pinned }),
      // The client's (empty) body was read by the first attempt: a retry sends an empty stream instead.
      ...(first ? {} : { buffer: Readable.from([]) }),
    };
    if (first) slowPathMeter.countBody(req, ex);
    this.proxy.web(req, res, options, (err: Error) =>
      this.contained(res, ex, () => this.failed(req, res, ex, d, clientHost, err)),
    );
  }

  /** The forward to `d` failed: the next instance when that is safe, else a 502 (or a cut once answering). */
  private failed(
    req: Incoming,
    res: Outgoing,
    ex: ProxyExchange,
    d: ForwardDecision,
    host: string | undefined,
    err: Error,
  ): void {
    if (!res.headersSent) {
      this.deps.policy.failed(d.key);
      const marked = req.headers['idempotency-key'] !== undefined;
      const next = ProxyExchange.failover(d, req.method ?? 'GET', marked, SlowPathProxy.bodyless(req));
      if (next !== null) return this.forward(req, res, ex, next, host, false);
    }
    const cause = ProxyExchange.cause(err, ex.who);
    if (res.headersSent) {
      ex.error = cause;
      res.destroy();
    } else this.reply(res, ex, { status: 502, code: 'upstream_failed', title: 'Bad gateway', message: cause });
  }

  private pinnedAgent(cert: string): https.Agent {
    let agent = this.pinnedAgents.get(cert);
    if (agent === undefined) {
      // Teammates come and go; a long-lived daemon must not keep an agent per certificate it ever saw.
      if (this.pinnedAgents.size >= 64) this.closePinned();
      agent = new https.Agent({
        keepAlive: true,
        maxSockets: 256,
        ca: [cert],
        checkServerIdentity: () => undefined,
        ALPNProtocols: ['http/1.1'],
      });
      this.pinnedAgents.set(cert, agent);
    }
    return agent;
  }

  /** Ends the connections to a teammate's ingress whose link died; requests on them fail over or answer 502. */
  drop(host: string, port: number, reason: string): void {
    const prefix = `${host.includes(':') ? `[${host}]` : host}:${port}:`;
    for (const agent of this.pinnedAgents.values()) {
      for (const group of [agent.sockets, agent.freeSockets]) {
        for (const [name, sockets] of Object.entries(group))
          if (name.startsWith(prefix) || name.startsWith(`${host}:${port}:`))
            for (const s of sockets ?? []) s.destroy(new Error(reason));
      }
    }
  }

  private closePinned(): void {
    for (const a of this.pinnedAgents.values()) a.destroy();
    this.pinnedAgents.clear();
  }

  private reply(res: http.ServerResponse, ex: ProxyExchange, input: Omit<ReplyInput, 'html'>): void {
    const reply = proxyResponder.reply({ ...input, html: ex.html });
    ex.status = reply.status;
    ex.error = input.message;
    res.writeHead(reply.status, { 'Content-Type': reply.contentType, 'Cache-Control': 'no-store', Via: '1.1 devmesh' });
    res.end(reply.body);
  }

  private record(ex: ProxyExchange): void {
    ex.recordTo(this.deps.requests, this.deps.logger);
  }
}
