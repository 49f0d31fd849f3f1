// Idle kept-alive connections to targets, by `host:port`. A client connection takes one when it first
// needs that target and gives it back when it closes, so steady traffic never pays a TCP handshake.
import type { RouteTarget } from './route-decision.js';
import { UpstreamSocket } from './upstream-socket.js';

export class UpstreamPool {
  private readonly idle = new Map<string, UpstreamSocket[]>();
  private readonly all = new Set<UpstreamSocket>();
  private closed = false;

  constructor(
    private readonly connectTimeoutMs: number,
    private readonly idleMs: number,
    private readonly maxIdlePerTarget: number,
  ) {}

  /** `host:port`, marked when TLS: a plain and a TLS connection to one address are not interchangeable */
  static keyOf(target: RouteTarget): string {
    return target.tls === undefined ? `${target.host}:${target.port}` : `${target.host}:${target.port} tls`;
  }

  acquire(target: RouteTarget): UpstreamSocket {
    const key = UpstreamPool.keyOf(target);
    const list = this.idle.get(key);
    while (list !== undefined && list.length > 0) {
      const u = list.pop()!;
      if (u.closed) continue;
      u.socket.setTimeout(0);
      u.reused = true;
      return u;
    }
    const u = new UpstreamSocket(key, target, this.connectTimeoutMs, (gone) => this.forget(gone));
    this.all.add(u);
    return u;
  }

  /** Takes back a connection that finished its exchanges cleanly; anything else must be destroyed instead. */
  release(u: UpstreamSocket): void {
    u.owner = null;
    let list = this.idle.get(u.key);
    if (list === undefined) this.idle.set(u.key, (list = []));
    if (this.closed || u.closed || list.length >= this.maxIdlePerTarget) {
      u.destroy();
      return;
    }
    list.push(u);
    u.socket.setTimeout(this.idleMs);
  }

  /** Ends every connection to `target`, idle or busy (a teammate's ingress whose link died). */
  drop(host: string, port: number, reason: string): number {
    const plain = UpstreamPool.keyOf({ host, port });
    const secure = UpstreamPool.keyOf({ host, port, tls: { cert: '' } });
    let n = 0;
    for (const u of [...this.all]) {
      if (u.key !== plain && u.key !== secure) continue;
      u.drop(reason);
      n++;
    }
    return n;
  }

  close(): void {
    this.closed = true;
    for (const u of this.all) u.destroy();
    this.all.clear();
    this.idle.clear();
  }

  private forget(u: UpstreamSocket): void {
    this.all.delete(u);
    const list = this.idle.get(u.key);
    const i = list?.indexOf(u) ?? -1;
    if (i >= 0) list!.splice(i, 1);
  }
}
