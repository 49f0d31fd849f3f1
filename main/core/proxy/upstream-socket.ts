// One TCP (or, to a teammate's ingress, TLS) connection to a target, kept alive between exchanges. While a client connection owns
// it, its events go to that owner; while idle in the pool, any byte or close simply retires it.
import net from 'node:net';
import tls from 'node:tls';
import type { RouteTarget } from './route-decision.js';

export interface UpstreamOwner {
  onUpstreamData(chunk: Buffer): void;
  onUpstreamDrain(): void;
  onUpstreamClose(error: Error | null): void;
  /** one of the calls above threw (a bug): the owner ends its exchange; nothing escapes to the event loop */
  onUpstreamFault(err: unknown): void;
}

export class UpstreamSocket {
  readonly socket: net.Socket;
  owner: UpstreamOwner | null = null;
  connected = false;
  /** it served an exchange before: a failure before any response byte may be a stale keep-alive close */
  reused = false;
  closed = false;
  /** closed on purpose because its target is gone: not a stale keep-alive worth one more try */
  dropped = false;
  private error: Error | null = null;
  private connectTimer: NodeJS.Timeout | null;

  constructor(
    readonly key: string,
    target: RouteTarget,
    connectTimeoutMs: number,
    private readonly onClosed: (u: UpstreamSocket) => void,
  ) {
    // A teammate's ingress certificate is pinned: it is the only one trusted, whatever name it carries.
    this.socket =
      target.tls === undefined
        ? net.connect({ host: target.host, port: target.port, noDelay: true })
        : tls
            .connect({
              host: target.host,
              port: target.port,
              ca: [target.tls.cert],
              checkServerIdentity: () => undefined,
              ALPNProtocols: ['http/1.1'],
            })
            .setNoDelay(true);
    this.connectTimer = setTimeout(() => {
      this.socket.destroy(
        new Error(
          `no ${target.tls ? 'TLS' : 'TCP'} connection to ${key} within ${connectTimeoutMs} ms (connect timeout)`,
        ),
      );
    }, connectTimeoutMs);
    this.socket.once(target.tls === undefined ? 'connect' : 'secureConnect', () => {
      this.connected = true;
      this.clearConnectTimer();
    });
    this.socket.on('data', (d: Buffer) => {
      if (this.owner !== null) this.toOwner((o) => o.onUpstreamData(d));
      // Bytes nobody asked for: the connection is out of step and cannot be reused.
      else this.socket.destroy();
    });
    this.socket.on('drain', () => this.toOwner((o) => o.onUpstreamDrain()));
    // The idle timeout is armed only while pooled (UpstreamPool.release); owners disarm it.
    this.socket.on('timeout', () => {
      if (this.owner === null) this.destroy();
    });
    this.socket.on('error', (err) => {
      this.error = err;
    });
    this.socket.on('close', () => {
      this.closed = true;
      this.clearConnectTimer();
      const error = this.error;
      this.toOwner((o) => o.onUpstreamClose(error));
      this.onClosed(this);
    });
  }

  destroy(): void {
    this.owner = null;
    this.socket.destroy();
  }

  /** Its target is known to be gone: the owner hears of it as a failure, with this reason. */
  drop(reason: string): void {
    this.dropped = true;
    this.error = new Error(reason);
    this.socket.destroy();
  }

  /** Calls the owner at this socket's event seam: what it throws goes back to it, never to the event loop. */
  private toOwner(call: (owner: UpstreamOwner) => void): void {
    const owner = this.owner;
    if (owner === null) return;
    try {
      call(owner);
    } catch (err) {
      this.socket.destroy();
      owner.onUpstreamFault(err);
    }
  }

  private clearConnectTimer(): void {
    if (this.connectTimer !== null) clearTimeout(this.connectTimer);
    this.connectTimer = null;
  }
}
