// The local reverse proxy's listeners: plain HTTP and, with a TlsContextProvider, HTTPS (SNI picks a
// certificate minted per *.localhost name). Every connection runs the fast path (ProxyConnection);
// the few requests it declines go to the http-proxy-3 slow path. A busy port is reported, not fatal.
import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from 'pino';
import { ProxyConnection } from './proxy-connection.js';
import type { ProxyContext } from './proxy-context.js';
import { DEFAULT_PROXY_LIMITS, type ProxyLimits, type ProxyRequestLog, type ProxyRoutes } from './proxy-limits.js';
import { RoutingPolicy } from './routing-policy.js';
import { SlowPathProxy } from './slow-path-proxy.js';
import { TUNNEL_ALPN } from './tcp/tunnel-protocol.js';
import type { TlsContextProvider } from './tls-context-provider.js';
import { UpstreamPool } from './upstream-pool.js';

export interface ProxyServerDeps {
  routes: ProxyRoutes;
  requests: ProxyRequestLog;
  tls: TlsContextProvider | null;
  /** 127.0.0.1 unless the user opted in to more */
  host: string;
  /** 0 = ephemeral; null: no plain HTTP listener (the peer ingress is HTTPS only) */
  httpPort: number | null;
  httpsPort: number | null;
  instanceId: string;
  logger: Logger;
  limits?: Partial<ProxyLimits>;
  /** how messages name the listeners and the settings that move them (default: the proxy's) */
  names?: { http: string; httpSetting: string; https: string; httpsSetting: string };
  /** the peer tunnel (the peer ingress only): TLS connections that negotiate ALPN devmesh-tunnel/1 go here */
  tunnels?: { accept(socket: tls.TLSSocket): void };
}

export interface ProxyListening {
  httpPort: number | null;
  httpsPort: number | null;
  problems: string[];
}

export class ProxyServer {
  private readonly limits: ProxyLimits;
  private readonly pool: UpstreamPool;
  private readonly slow: SlowPathProxy;
  private readonly connections = new Set<ProxyConnection>();
  private readonly handshaking = new Set<net.Socket>();
  private readonly ctx: ProxyContext;
  private httpServer: net.Server | null = null;
  private httpsServer: tls.Server | null = null;

  constructor(private readonly deps: ProxyServerDeps) {
    this.limits = { ...DEFAULT_PROXY_LIMITS, ...deps.limits };
    this.pool = new UpstreamPool(
      this.limits.connectTimeoutMs,
      this.limits.upstreamIdleMs,
      this.limits.maxIdlePerTarget,
    );
    const policy = new RoutingPolicy(deps.routes, this.limits, deps.instanceId);
    const slowPathDeps = {
      policy,
      requests: deps.requests,
      limits: this.limits,
      instanceId: deps.instanceId,
      logger: deps.logger,
    };
    this.slow = new SlowPathProxy(slowPathDeps);
    this.ctx = {
      ...slowPathDeps,
      pool: this.pool,
      handOff: (socket, pending, isTls) => this.slow.adopt(socket, pending, isTls),
      onClosed: (c) => this.connections.delete(c),
    };
  }

  async listen(): Promise<ProxyListening> {
    const problems: string[] = [];
    // Half-open allowed: a client may send its request and shut down its side; it still gets the answer.
    const http = net.createServer({ noDelay: true, allowHalfOpen: true }, (socket) => this.accept(socket, false));
    const named = this.deps.names ?? {
      http: 'HTTP',
      httpSetting: 'proxy.http_port',
      https: 'HTTPS',
      httpsSetting: 'proxy.https_port',
    };
    const httpPort =
      this.deps.httpPort === null
        ? null
        : await this.bind(http, this.deps.httpPort, named.http, named.httpSetting, problems);
    if (httpPort !== null) this.httpServer = http;
    let httpsPort: number | null = null;
    if (this.deps.httpsPort !== null && this.deps.tls === null) {
      problems.push('the HTTPS listener is off: the DevMesh certificate authority is not available');
    } else if (this.deps.httpsPort !== null && this.deps.tls !== null) {
      const provider = this.deps.tls;
      const https = tls.createServer({
        allowHalfOpen: true,
        // Nagle would hold a small write back until the last one was acknowledged (HTTP/2 writes a response's
        // HEADERS and DATA frames apart): with a client's delayed ACK, up to 40 ms a request.
        noDelay: true,
        // Clients that send no SNI (https://127.0.0.1:7443/) get the `localhost` certificate; Node ignores a
        // `secureContext` option here, so the default certificate goes in as PEM.
        ...provider.defaultCredentials(),
        // A client that stalls its handshake is a slowloris too.
        handshakeTimeout: this.limits.headTimeoutMs,
        // After the HTTP protocols, so a browser or curl never picks the tunnel.
        ALPNProtocols: this.deps.tunnels ? ['h2', 'http/1.1', TUNNEL_ALPN] : ['h2', 'http/1.1'],
        SNICallback: (name, cb) => {
          provider.secureContextFor(name).then(
            (ctx) => cb(null, ctx),
            (err: Error) => cb(err),
          );
        },
      });
      https.on('secureConnection', (socket: tls.TLSSocket) => this.accept(socket, true));
      // Until its handshake completes a socket has no ProxyConnection; track it so close() can end it.
      https.on('connection', (raw: net.Socket) => {
        this.handshaking.add(raw);
        raw.once('close', () => this.handshaking.delete(raw));
      });
      https.on('tlsClientError', (err) =>
        this.deps.logger.debug({ domain: 'proxy', err: err.message }, 'TLS handshake failed'),
      );
      httpsPort = await this.bind(https, this.deps.httpsPort, named.https, named.httpsSetting, problems);
      if (httpsPort !== null) this.httpsServer = https;
    }
    this.deps.logger.info({ domain: 'proxy', httpPort, httpsPort, problems }, 'proxy listening');
    return { httpPort, httpsPort, problems };
  }

  /** A target is gone (a teammate's ingress whose link died): its connections end, and requests waiting on
   *  them are retried on another instance when that is safe, else answered 502. */
  dropTarget(host: string, port: number, reason: string): void {
    const n = this.pool.drop(host, port, reason);
    this.slow.drop(host, port, reason);
    if (n > 0)
      this.deps.logger.info(
        { domain: 'proxy', target: `${host}:${port}`, connections: n, reason },
        'dropped connections to a target that is gone',
      );
  }

  async close(): Promise<void> {
    const closing = [this.httpServer, this.httpsServer].map(
      (s) => new Promise<void>((resolve) => (s === null ? resolve() : s.close(() => resolve()))),
    );
    this.httpServer = null;
    this.httpsServer = null;
    for (const c of [...this.connections]) c.destroy();
    this.connections.clear();
    for (const raw of this.handshaking) raw.destroy();
    this.handshaking.clear();
    this.slow.close();
    this.pool.close();
    await Promise.all(closing);
  }

  /** A new client connection; a failure to take it on closes it, never the listener or the daemon. */
  private accept(socket: net.Socket, isTls: boolean): void {
    try {
      const alpn = isTls ? (socket as tls.TLSSocket).alpnProtocol : false;
      if (alpn === 'h2') this.slow.adoptH2(socket as tls.TLSSocket);
      else if (alpn === TUNNEL_ALPN && this.deps.tunnels) this.deps.tunnels.accept(socket as tls.TLSSocket);
      else this.connections.add(new ProxyConnection(socket, this.ctx, isTls));
    } catch (err) {
      this.deps.logger.error(
        { domain: 'proxy', err: err instanceof Error ? err.stack : String(err) },
        'proxy: could not take on a connection',
      );
      socket.destroy();
    }
  }

  private bind(
    server: net.Server,
    port: number,
    what: string,
    setting: string,
    problems: string[],
  ): Promise<number | null> {
    return new Promise((resolve) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        const where = `${this.deps.host}:${port}`;
        problems.push(
          err.code === 'EADDRINUSE'
            ? `the proxy's ${what} port ${port} is already in use by another program (${where}); the ${what} listener is off. Set ${setting} in the user config (or DEVMESH_${setting.replace('.', '_').toUpperCase()}) to a free port.`
            : `the proxy's ${what} listener could not bind ${where}: ${err.message}. Set ${setting} in the user config to another port.`,
        );
        resolve(null);
      };
      server.once('error', onError);
      server.listen(port, this.deps.host, () => {
        server.removeListener('error', onError);
        server.on('error', (err) =>
          this.deps.logger.error({ domain: 'proxy', err: err.message }, `${what} listener error`),
        );
        resolve((server.address() as net.AddressInfo).port);
      });
    });
  }
}
