// The loopback API's gatekeeper: which Host, Origin and token a request must carry.
// Host pinning defends against DNS rebinding (a page on evil.example resolving to 127.0.0.1 must never read
// index.html, which carries the token); Origin pinning stops other local pages from driving the API; the
// token (a WebSocket subprotocol, so browsers can send it) proves the caller could read $DEVMESH_HOME/token.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { TOKEN_PROTOCOL_PREFIX, WIRE_PROTOCOL } from '../../shared/wire.js';

export type TokenCheck = 'ok' | 'missing-protocol' | 'missing-token' | 'wrong-token';

/** what the guard reads of a request: its headers (HTTP/1.1, or HTTP/2 with `:authority` for Host) */
export interface GuardedRequest {
  headers: IncomingHttpHeaders & { ':authority'?: string };
}

export class RequestGuard {
  private readonly allowedHosts: ReadonlySet<string>;
  private readonly allowedOrigins: ReadonlySet<string>;
  private readonly tokenDigest: Buffer;

  /** `httpsPort`: the HTTPS face's port, whose pages are served as https://localhost:<port> */
  constructor(token: string, port: number, httpsPort: number | null = null) {
    const names = (p: number) => [`127.0.0.1:${p}`, `localhost:${p}`, `[::1]:${p}`];
    const ports = httpsPort === null ? [port] : [port, httpsPort];
    this.allowedHosts = new Set(ports.flatMap(names));
    const origins = (scheme: string, p: number) => [`${scheme}://127.0.0.1:${p}`, `${scheme}://localhost:${p}`];
    this.allowedOrigins = new Set([
      ...origins('http', port),
      ...(httpsPort === null ? [] : origins('https', httpsPort)),
    ]);
    this.tokenDigest = RequestGuard.digest(token);
  }

  /** HTTP/2 names the server in `:authority` (a browser sends no Host header there) */
  hostAllowed(req: GuardedRequest): boolean {
    const host = req.headers.host ?? req.headers[':authority'];
    return typeof host === 'string' && this.allowedHosts.has(host.toLowerCase());
  }

  /** No Origin: a non-browser client (the CLI). A browser always sends one, and it must be our own page. */
  originAllowed(req: GuardedRequest): boolean {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    return this.allowedOrigins.has(origin.toLowerCase());
  }

  checkToken(req: GuardedRequest): TokenCheck {
    const protocols = RequestGuard.protocols(req);
    const tokenProtocol = protocols.find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX));
    if (tokenProtocol === undefined) return 'missing-token';
    // Both sides hashed to equal length, so the comparison's time says nothing about the token.
    const given = RequestGuard.digest(tokenProtocol.slice(TOKEN_PROTOCOL_PREFIX.length));
    if (!timingSafeEqual(given, this.tokenDigest)) return 'wrong-token';
    if (!protocols.includes(WIRE_PROTOCOL)) return 'missing-protocol';
    return 'ok';
  }

  private static protocols(req: GuardedRequest): string[] {
    const header = req.headers['sec-websocket-protocol'];
    if (typeof header !== 'string') return [];
    return header
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p.length > 0);
  }

  private static digest(value: string): Buffer {
    return createHash('sha256').update(value, 'utf8').digest();
  }
}
