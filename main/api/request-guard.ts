// The loopback API's gatekeeper: which Host, Origin and token a request must carry.
// Host pinning defends against DNS rebinding (a page on evil.example resolving to 127.0.0.1 must never read
// index.html, which carries the token); Origin pinning stops other local pages from driving the API; the
// token (a WebSocket subprotocol, so browsers can send it) proves the caller could read $DEVMESH_HOME/token.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { TOKEN_PROTOCOL_PREFIX, WIRE_PROTOCOL } from '../../shared/wire.js';

export type TokenCheck = 'ok' | 'missing-protocol' | 'missing-token' | 'wrong-token';

export class RequestGuard {
  private readonly allowedHosts: ReadonlySet<string>;
  private readonly allowedOrigins: ReadonlySet<string>;
  private readonly tokenDigest: Buffer;

  constructor(token: string, port: number) {
    this.allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
    this.allowedOrigins = new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
    this.tokenDigest = RequestGuard.digest(token);
  }

  hostAllowed(req: IncomingMessage): boolean {
    const host = req.headers.host;
    return typeof host === 'string' && this.allowedHosts.has(host.toLowerCase());
  }

  /** No Origin: a non-browser client (the CLI). A browser always sends one, and it must be our own page. */
  originAllowed(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    return this.allowedOrigins.has(origin.toLowerCase());
  }

  checkToken(req: IncomingMessage): TokenCheck {
    const protocols = RequestGuard.protocols(req);
    const tokenProtocol = protocols.find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX));
    if (tokenProtocol === undefined) return 'missing-token';
    // Both sides hashed to equal length, so the comparison's time says nothing about the token.
    const given = RequestGuard.digest(tokenProtocol.slice(TOKEN_PROTOCOL_PREFIX.length));
    if (!timingSafeEqual(given, this.tokenDigest)) return 'wrong-token';
    if (!protocols.includes(WIRE_PROTOCOL)) return 'missing-protocol';
    return 'ok';
  }

  private static protocols(req: IncomingMessage): string[] {
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
