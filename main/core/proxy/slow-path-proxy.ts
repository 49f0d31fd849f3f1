// The slow path: requests the fast path chooses not to frame itself (HTTP/1.0 clients, `Expect:
// 100-continue`) are handed, connection and all, to a Node http.Server and forwarded by http-proxy-3
// with a keep-alive agent. Same routing, same answers, same request log; just Node's full HTTP stack.
import http from 'node:http';
import type { Socket } from 'node:net';
import { createProxyServer, type ProxyServer as HttpProxy } from 'http-proxy-3';
import type { Logger } from 'pino';
import { HOP_HEADER } from './head-rewriter.js';
import { ProxyExchange } from './proxy-exchange.js';
import type { ProxyLimits, ProxyRequestLog, ProxyRoutes } from './proxy-limits.js';
import { ProxyResponder, type ReplyInput } from './proxy-responder.js';
import type { RouteDecision } from './route-decision.js';

export interface SlowPathDeps {
  routes: ProxyRoutes;
  requests: ProxyRequestLog;
  limits: ProxyLimits;
  instanceId: string;
  logger: Logger;
}

export class SlowPathProxy {
  private readonly agent: http.Agent;
  private readonly proxy: HttpProxy;
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly deps: SlowPathDeps) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 256, timeout: deps.limits.idleTimeoutMs });
    this.proxy = createProxyServer({ xfwd: true, agent: this.agent, proxyTimeout: deps.limits.idleTimeoutMs });
    this.server = http.createServer(
      { headersTimeout: deps.limits.headTimeoutMs, requestTimeout: 0, maxHeaderSize: deps.limits.maxHeaderBytes },
      (req, res) => this.handle(req, res),
    );
    this.server.keepAliveTimeout = deps.limits.idleTimeoutMs;
  }

  /** Takes over a client connection; `pending` holds the bytes already read from it (the request head). */
  adopt(socket: Socket, pending: Buffer, tls: boolean): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    (socket as Socket & { devmeshTls?: boolean }).devmeshTls = tls;
    socket.pause();
    socket.unshift(pending);
    this.server.emit('connection', socket);
    socket.resume();
  }

  close(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    this.proxy.close();
    this.agent.destroy();
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const tls = (req.socket as Socket & { devmeshTls?: boolean }).devmeshTls === true;
    const url = req.url ?? '/';
    const ex = new ProxyExchange(req.method ?? 'GET', req.headers.host ?? '', url, tls, ProxyResponder.wantsHtml(req.headers.accept));
    res.once('close', () => {
      ex.status ||= res.statusCode;
      if (!res.writableFinished) ex.error ??= 'the connection closed before the response was complete';
      ex.bytesOut = req.socket.bytesWritten; // approximate on kept-alive connections, exact for HTTP/1.0
      this.record(ex);
    });
    req.on('data', (d: Buffer) => (ex.bytesIn += d.length));
    const hops = String(req.headers[HOP_HEADER] ?? '');
    if (hops.split(',').some((h) => h.trim() === this.deps.instanceId))
      return this.reply(res, ex, { status: 508, code: 'loop_detected', title: 'Loop detected', message: 'this request already went through this DevMesh proxy' });
    let d: RouteDecision;
    try {
      d = this.deps.routes.resolve(req.headers.host, url);
    } catch (err) {
      return this.reply(res, ex, { status: 502, code: 'internal', title: 'Routing failed', message: (err as Error).message });
    }
    if (d.kind === 'unavailable' && d.startOnRequest) {
      const bound = this.deps.limits.startOnRequestTimeoutMs;
      this.deps.routes.ensureRunning(d.project, d.service, bound).then(
        (next) => this.route(req, res, ex, next),
        (err: Error) => this.reply(res, ex, { status: 503, code: 'service_unavailable', title: 'Service did not start', message: err.message }),
      );
      return;
    }
    this.route(req, res, ex, d);
  }

  private route(req: http.IncomingMessage, res: http.ServerResponse, ex: ProxyExchange, d: RouteDecision): void {
    if (d.kind === 'foreign')
      return this.reply(res, ex, { status: 403, code: 'foreign_host', title: 'Not a DevMesh name', message: `DevMesh serves only *.localhost names; "${d.host}" is not one.` });
    if (d.kind === 'unknown') return this.reply(res, ex, { status: 404, code: 'service_not_found', title: 'Unknown service', message: d.message, known: d.known });
    ex.project = d.project;
    ex.service = d.service;
    if (d.kind === 'unavailable')
      return this.reply(res, ex, { status: 503, code: 'service_unavailable', title: 'Service unavailable', message: `${d.service} (${d.project}) is ${d.state}${d.reason ? `: ${d.reason}` : ''}`, extra: { state: d.state, reason: d.reason } });
    ex.upstream = d.upstream;
    if (d.stripPrefix !== null && req.url?.startsWith(d.stripPrefix)) {
      const rest = req.url.slice(d.stripPrefix.length);
      req.url = rest.startsWith('/') ? rest : `/${rest}`;
    }
    const prior = req.headers.via;
    req.headers.via = `${prior ? `${prior}, ` : ''}1.1 devmesh`;
    req.headers[HOP_HEADER] = `${req.headers[HOP_HEADER] ? `${String(req.headers[HOP_HEADER])}, ` : ''}${this.deps.instanceId}`;
    res.setHeader('X-DevMesh-Upstream', d.upstream);
    this.proxy.web(req, res, { target: `http://${d.upstream}` }, (err: Error) => {
      const cause = ProxyExchange.cause(err, ex.who);
      if (res.headersSent) {
        ex.error = cause;
        res.destroy();
      } else this.reply(res, ex, { status: 502, code: 'upstream_failed', title: 'Bad gateway', message: cause });
    });
  }

  private reply(res: http.ServerResponse, ex: ProxyExchange, input: Omit<ReplyInput, 'html'>): void {
    const reply = ProxyResponder.reply({ ...input, html: ex.html });
    ex.status = reply.status;
    ex.error = input.message;
    res.writeHead(reply.status, { 'Content-Type': reply.contentType, 'Cache-Control': 'no-store', Via: '1.1 devmesh' });
    res.end(reply.body);
  }

  private record(ex: ProxyExchange): void {
    try {
      this.deps.requests.record(ex.toRecord());
    } catch (err) {
      this.deps.logger.warn({ domain: 'proxy', err: (err as Error).message }, 'request log rejected a record');
    }
  }
}
