// The loopback face of DevMeshApi: one node:http server on 127.0.0.1 that serves the browser UI, /healthz
// and the WebSocket API at /api (shared/wire.ts), and when asked the same over HTTPS and HTTP/2 on a second
// port (api-https-listener.ts). Every request must name this server in its Host header (DNS-rebinding
// defence); the WebSocket also needs our own Origin (or none, for the CLI) and the token.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { Http2ServerResponse } from 'node:http2';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { CONTENT_SECURITY_POLICY } from '../../shared/content-security-policy.js';
import { DevMeshError, type ErrorCode } from '../../shared/errors.js';
import { TERMINAL_STREAM_PATH_RE } from '../../shared/terminal.js';
import { MAX_MESSAGE_BYTES, WIRE_PROTOCOL } from '../../shared/wire.js';
import { ApiConnection, DEFAULT_CONNECTION_LIMITS, type ApiConnectionLimits } from './api-connection.js';
import { ApiHttpsListener, type AnyRequest, type AnyResponse } from './api-https-listener.js';
import { CONTRACT_FINGERPRINT, CONTRACT_HEADER } from './contract-fingerprint.js';
import type { DevMeshApi } from './devmesh-api.js';
import { RendererAssets } from './renderer-assets.js';
import { RequestGuard } from './request-guard.js';
import { TerminalStream } from './terminal-stream.js';
import { TokenFileKeeper } from './token-file-keeper.js';

/** The API's loopback port unless told otherwise (`devmesh up --port N`, the app's DEVMESH_PORT). */
export const DEFAULT_API_PORT = 7780;

export interface ApiServerDeps {
  api: DevMeshApi;
  token: string;
  /** loopback only; default 127.0.0.1 */
  host?: string;
  /** 0: an ephemeral port (tests) */
  port: number;
  /** the built renderer (dist/renderer), or null when this face serves no UI */
  rendererDir: string | null;
  logger: Logger;
  limits?: Partial<ApiConnectionLimits>;
  /** $DEVMESH_HOME/token: written back when a client is refused and the file is gone (TokenFileKeeper) */
  tokenFile?: string;
  /** the same over HTTPS on this port too (0: any free port), with the local CA's `localhost` certificate */
  https?: { port: number; credentials(): { cert: string; key: string } };
}

export interface ApiServerAddress {
  port: number;
  /** the UI's address, `http://127.0.0.1:<port>/` */
  url: string;
  /** the UI over HTTPS, `https://localhost:<port>/`, when asked for */
  httpsUrl: string | null;
}

export const API_PATH = '/api';
/** Frames between MAX_MESSAGE_BYTES and this get a MESSAGE_TOO_LARGE answer; larger ones close the socket (1009). */
const MAX_FRAME_BYTES = MAX_MESSAGE_BYTES + 4 * 1024 * 1024;
const CLOSE_GOING_AWAY = 1001;
const CLOSE_GRACE_MS = 500;

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  // the page's one policy, the same the app's app:// handler sends
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

export class ApiServer {
  private readonly host: string;
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly sockets = new Set<Socket>();
  private readonly connections = new Set<ApiConnection>();
  private readonly assets: RendererAssets;
  private readonly limits: ApiConnectionLimits;
  private readonly tokenKeeper: TokenFileKeeper | null;
  private https: ApiHttpsListener | null = null;
  private guard: RequestGuard | null = null;
  private address: ApiServerAddress | null = null;
  private closing: Promise<void> | null = null;

  constructor(private readonly deps: ApiServerDeps) {
    this.host = deps.host ?? '127.0.0.1';
    this.limits = { ...DEFAULT_CONNECTION_LIMITS, ...deps.limits };
    this.tokenKeeper = deps.tokenFile
      ? new TokenFileKeeper({ path: deps.tokenFile, token: deps.token, logger: deps.logger })
      : null;
    this.assets = new RendererAssets(deps.rendererDir, deps.token, (res, status, type, body, headers) =>
      ApiServer.send(res, status, type, body, headers),
    );
    this.server = createServer((req, res) => this.onRequest(req, res));
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: MAX_FRAME_BYTES,
      perMessageDeflate: false,
      handleProtocols: (protocols) => (protocols.has(WIRE_PROTOCOL) ? WIRE_PROTOCOL : false),
    });
    // Clients built from the same contract skip re-validating answers (contract-fingerprint.ts).
    if (CONTRACT_FINGERPRINT !== null)
      this.wss.on('headers', (headers) => headers.push(`${CONTRACT_HEADER}: ${CONTRACT_FINGERPRINT}`));
    this.server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    // Malformed HTTP from a client: answer 400 (431 for oversized headers, 408 for a slow one) and drop that
    // socket; the server itself is unaffected.
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
      this.deps.logger.debug({ domain: 'api', err: err.message, code: err.code }, 'malformed HTTP request');
      const status =
        err.code === 'HPE_HEADER_OVERFLOW'
          ? '431 Request Header Fields Too Large'
          : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? '408 Request Timeout'
            : '400 Bad Request';
      if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      else socket.destroy();
    });
  }

  get url(): string | null {
    return this.address?.url ?? null;
  }

  /** The WebSocket address of the API, `ws://127.0.0.1:<port>/api`, once listening. */
  get apiUrl(): string | null {
    return this.address ? `ws://${this.hostForUrl()}:${this.address.port}${API_PATH}` : null;
  }

  get clientCount(): number {
    return this.connections.size;
  }

  listen(): Promise<ApiServerAddress> {
    const { port } = this.deps;
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        this.server.off('listening', onListening);
        if (err.code === 'EADDRINUSE') {
          reject(
            new DevMeshError(
              'PORT_BUSY',
              `port ${port} on ${this.host} is already in use (another DevMesh or another program); pick another with \`devmesh up --port N\` (or --port 0 for any free port)`,
            ),
          );
        } else if (err.code === 'EACCES') {
          reject(
            new DevMeshError(
              'PORT_BUSY',
              `not allowed to listen on ${this.host}:${port}; pick a port above 1024 with \`devmesh up --port N\``,
            ),
          );
        } else {
          reject(new DevMeshError('INTERNAL', `could not listen on ${this.host}:${port}: ${err.message}`));
        }
      };
      const onListening = (): void => {
        this.server.off('error', onError);
        const bound = this.server.address();
        if (bound === null || typeof bound === 'string') {
          reject(new DevMeshError('INTERNAL', `the API server on ${this.host}:${port} has no TCP address`));
          return;
        }
        this.server.on('error', (e) => this.deps.logger.error({ domain: 'api', err: e.message }, 'API server error'));
        this.listenHttps().then(
          (httpsPort) => {
            this.guard = new RequestGuard(this.deps.token, bound.port, httpsPort);
            const httpsUrl = httpsPort === null ? null : `https://localhost:${httpsPort}/`;
            this.address = { port: bound.port, url: `http://${this.hostForUrl()}:${bound.port}/`, httpsUrl };
            resolve(this.address);
          },
          (err: unknown) => this.server.close(() => reject(err)),
        );
      };
      this.server.once('error', onError);
      this.server.once('listening', onListening);
      this.server.listen(port, this.host);
    });
  }

  /** The HTTPS face, when asked for; null without one. */
  private async listenHttps(): Promise<number | null> {
    const { https } = this.deps;
    if (https === undefined) return null;
    this.https = new ApiHttpsListener({
      host: this.host,
      port: https.port,
      credentials: https.credentials(),
      onRequest: (req, res) => this.onRequest(req, res),
      onUpgrade: (req, socket, head) => this.onUpgrade(req, socket, head),
      logger: this.deps.logger,
    });
    return this.https.listen();
  }

  /** Says goodbye to every client (1001), then drops whatever remains; resolves with no handle left open. */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    const clients = [...this.wss.clients];
    for (const client of clients) client.close(CLOSE_GOING_AWAY, 'DevMesh is shutting down');
    await ApiServer.waitForClose(clients, CLOSE_GRACE_MS);
    for (const client of clients) client.terminate();
    for (const connection of this.connections) connection.dispose();
    this.connections.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    const closed = new Promise<void>((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
    });
    this.server.closeAllConnections();
    for (const socket of this.sockets) socket.destroy();
    await Promise.all([closed, this.https?.close()]);
  }

  private onRequest(req: AnyRequest, res: AnyResponse): void {
    this.handleRequest(req, res).catch((err: unknown) => {
      this.deps.logger.error({ domain: 'api', url: req.url, err: (err as Error).message }, 'HTTP request failed');
      if (!res.headersSent)
        ApiServer.send(res, 500, 'text/plain; charset=utf-8', 'internal error; see the DevMesh daemon log\n');
      else res.destroy();
    });
  }

  private async handleRequest(req: AnyRequest, res: AnyResponse): Promise<void> {
    if (!this.guard?.hostAllowed(req)) {
      ApiServer.send(
        res,
        403,
        'text/plain; charset=utf-8',
        'forbidden: this DevMesh server answers only to 127.0.0.1 or localhost with its port\n',
      );
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      ApiServer.send(res, 405, 'text/plain; charset=utf-8', `method ${req.method ?? '?'} not allowed; use GET\n`, {
        Allow: 'GET, HEAD',
      });
      return;
    }
    const pathname = ApiServer.pathnameOf(req);
    if (pathname === '/healthz') {
      ApiServer.send(res, 200, 'application/json; charset=utf-8', '{"ok":true}', { 'Cache-Control': 'no-store' });
      return;
    }
    if (pathname === API_PATH) {
      ApiServer.send(
        res,
        426,
        'text/plain; charset=utf-8',
        `${API_PATH} is a WebSocket endpoint (protocol ${WIRE_PROTOCOL})\n`,
        { Upgrade: 'websocket' },
      );
      return;
    }
    await this.assets.serve(req, res, pathname);
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', (err) => this.deps.logger.debug({ domain: 'api', err: err.message }, 'upgrade socket error'));
    const guard = this.guard;
    if (guard === null || this.closing !== null) {
      return ApiServer.reject(
        socket,
        503,
        'SHUTTING_DOWN',
        'DevMesh is shutting down; start it again with `npx devmesh up`',
      );
    }
    if (!guard.hostAllowed(req)) {
      return ApiServer.reject(
        socket,
        403,
        'FORBIDDEN_ORIGIN',
        'forbidden: the Host header must be 127.0.0.1 or localhost with this port',
      );
    }
    const pathname = ApiServer.pathnameOf(req);
    const terminalId = TERMINAL_STREAM_PATH_RE.exec(pathname)?.[1] ?? null;
    if (pathname !== API_PATH && terminalId === null) {
      return ApiServer.reject(
        socket,
        404,
        'BAD_REQUEST',
        `no WebSocket endpoint at ${req.url ?? '?'}; connect to ${API_PATH} or /terminals/<id>/stream`,
      );
    }
    if (!guard.originAllowed(req)) {
      return ApiServer.reject(
        socket,
        403,
        'FORBIDDEN_ORIGIN',
        `forbidden origin ${req.headers.origin ?? ''}: only the DevMesh UI served by this daemon may connect`,
      );
    }
    const token = guard.checkToken(req);
    if (token === 'missing-token' || token === 'wrong-token') {
      // A client without the file asks this way; its retry finds the file written back.
      const file = this.tokenKeeper?.restoreIfMissing() ?? null;
      const why = token === 'missing-token' ? 'no API token was offered' : 'the API token is wrong';
      return ApiServer.reject(
        socket,
        401,
        'UNAUTHORIZED',
        `${why}: offer the subprotocol devmesh-token.<token> with the token from $DEVMESH_HOME/token`,
        {
          tokenFile: file,
        },
      );
    }
    if (token === 'missing-protocol') {
      return ApiServer.reject(
        socket,
        400,
        'BAD_REQUEST',
        `the subprotocol ${WIRE_PROTOCOL} is required next to the token`,
      );
    }
    // Same guard for both endpoints: a terminal stream is as powerful as the API (it types into a shell).
    this.wss.handleUpgrade(req, socket, head, (ws) =>
      terminalId === null ? this.accept(ws) : this.acceptTerminal(ws, terminalId),
    );
  }

  private acceptTerminal(ws: WebSocket, id: string): void {
    if (this.closing !== null) {
      ws.close(CLOSE_GOING_AWAY, 'DevMesh is shutting down');
      return;
    }
    new TerminalStream(ws, this.deps.api.terminals, id, this.deps.logger);
  }

  private accept(ws: WebSocket): void {
    if (this.closing !== null) {
      ws.close(CLOSE_GOING_AWAY, 'DevMesh is shutting down');
      return;
    }
    const connection = new ApiConnection(ws, this.deps.api, this.deps.logger, this.limits);
    this.connections.add(connection);
    ws.once('close', () => {
      connection.dispose();
      this.connections.delete(connection);
    });
  }

  private hostForUrl(): string {
    return this.host.includes(':') ? `[${this.host}]` : this.host;
  }

  private static pathnameOf(req: AnyRequest): string {
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    return q === -1 ? raw : raw.slice(0, q);
  }

  private static send(
    res: AnyResponse,
    status: number,
    contentType: string,
    body: string | Buffer,
    headers: Record<string, string> = {},
  ): void {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const head = {
      ...SECURITY_HEADERS,
      'Content-Type': contentType,
      'Content-Length': String(bytes.length),
      ...headers,
    };
    const payload = res.req.method === 'HEAD' ? null : bytes;
    // the same calls on either kind of response; TypeScript cannot call a union's overloads, so one branch each
    if (res instanceof Http2ServerResponse) {
      res.writeHead(status, head);
      if (payload === null) res.end();
      else res.end(payload);
    } else {
      res.writeHead(status, head);
      if (payload === null) res.end();
      else res.end(payload);
    }
  }

  private static reject(
    socket: Duplex,
    status: number,
    code: ErrorCode,
    message: string,
    details?: Record<string, unknown>,
  ): void {
    const body = JSON.stringify(details === undefined ? { code, message } : { code, message, details });
    const reason =
      { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 503: 'Service Unavailable' }[
        status
      ] ?? 'Error';
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }

  private static waitForClose(clients: WebSocket[], timeoutMs: number): Promise<void> {
    const open = clients.filter((c) => c.readyState !== c.CLOSED);
    if (open.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      let left = open.length;
      const timer = setTimeout(resolve, timeoutMs);
      for (const c of open) {
        c.once('close', () => {
          if (--left === 0) {
            clearTimeout(timer);
            resolve();
          }
        });
      }
    });
  }
}
