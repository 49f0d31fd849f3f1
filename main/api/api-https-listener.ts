// The loopback API server's HTTPS face (`devmesh up --https-port N`): the same UI, API and terminal streams
// over TLS with the local CA's `localhost` certificate, as a browser that trusts the CA (`devmesh ca trust`)
// opens https://localhost:N/. Browsers get HTTP/2 (ALPN h2), as they do from any HTTPS site; other clients
// HTTP/1.1. WebSockets always come over HTTP/1.1: node:http2 does not offer WebSockets over HTTP/2 (RFC 8441),
// so Chromium opens them on a connection of their own, which ends in the same upgrade handler as plain HTTP.
import {
  createSecureServer,
  type Http2SecureServer,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type ServerHttp2Session,
} from 'node:http2';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { DevMeshError } from '../../shared/errors.js';

export type AnyRequest = IncomingMessage | Http2ServerRequest;
export type AnyResponse = ServerResponse | Http2ServerResponse;

export interface ApiHttpsListenerDeps {
  host: string;
  /** 0: any free port */
  port: number;
  /** the CA's `localhost` certificate (chain) and key, PEM */
  credentials: { cert: string; key: string };
  onRequest(req: AnyRequest, res: AnyResponse): void;
  onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  logger: Logger;
}

/** a TLS handshake that has not finished by then is dropped (a client that opened a socket and went quiet) */
const HANDSHAKE_TIMEOUT_MS = 10_000;

export class ApiHttpsListener {
  private readonly server: Http2SecureServer;
  private readonly sockets = new Set<Socket>();
  private readonly sessions = new Set<ServerHttp2Session>();

  constructor(private readonly deps: ApiHttpsListenerDeps) {
    this.server = createSecureServer(
      { ...deps.credentials, allowHTTP1: true, handshakeTimeout: HANDSHAKE_TIMEOUT_MS, minVersion: 'TLSv1.2' },
      (req, res) => deps.onRequest(req, res),
    );
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      deps.onUpgrade(req, socket, head),
    );
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    this.server.on('session', (session: ServerHttp2Session) => {
      this.sessions.add(session);
      session.once('close', () => this.sessions.delete(session));
    });
    // What a client gets wrong (a failed handshake, a broken HTTP/2 session or HTTP/1.1 request) ends that
    // client's connection only: logged, never thrown into the daemon.
    const debug = (what: string) => (err: Error) =>
      deps.logger.debug({ domain: 'api', listener: 'https', err: err.message }, what);
    this.server.on('tlsClientError', debug('TLS handshake failed'));
    this.server.on('sessionError', debug('HTTP/2 session error'));
    this.server.on('clientError', (err: Error, socket: Duplex) => {
      debug('malformed HTTP request')(err);
      socket.destroy();
    });
  }

  /** Listens on host:port; resolves with the port, or rejects with a DevMeshError that says how to fix it. */
  listen(): Promise<number> {
    const { host, port } = this.deps;
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        this.server.off('listening', onListening);
        const how = 'pick another with `devmesh up --https-port N` (0: any free port)';
        reject(
          new DevMeshError(
            'PORT_BUSY',
            err.code === 'EADDRINUSE'
              ? `the HTTPS port ${port} on ${host} is already in use; ${how}`
              : `could not listen for HTTPS on ${host}:${port} (${err.code ?? err.message}); ${how}`,
          ),
        );
      };
      const onListening = (): void => {
        this.server.off('error', onError);
        this.server.on('error', (e: Error) =>
          this.deps.logger.error({ domain: 'api', listener: 'https', err: e.message }, 'HTTPS server error'),
        );
        const bound = this.server.address();
        if (bound === null || typeof bound === 'string') {
          reject(new DevMeshError('INTERNAL', `the HTTPS server on ${host}:${port} has no TCP address`));
          return;
        }
        resolve(bound.port);
      };
      this.server.once('error', onError);
      this.server.once('listening', onListening);
      this.server.listen(port, host);
    });
  }

  /** Stops listening and drops every connection (the API server has said goodbye to its WebSockets first). */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
    });
    for (const session of this.sessions) session.destroy();
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}
