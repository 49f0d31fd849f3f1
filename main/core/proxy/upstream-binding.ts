// The target connection a client connection is bound to: kept across that client's requests while they
// go to the same target, swapped when a request names another, given back to the pool when it is
// clean, destroyed when it is not. Also carries the target side of flow control (paused while the
// client cannot take more).
import type { RouteTarget } from './route-decision.js';
import { UpstreamPool } from './upstream-pool.js';
import type { UpstreamOwner, UpstreamSocket } from './upstream-socket.js';

export class UpstreamBinding {
  private u: UpstreamSocket | null = null;
  private paused = false;
  /** false once the connection is out of step (close asked, bytes overran, tunnel): it must not be pooled */
  reusable = true;

  constructor(
    private readonly pool: UpstreamPool,
    private readonly owner: UpstreamOwner,
  ) {}

  get current(): UpstreamSocket | null {
    return this.u;
  }

  /** A connection to `target`: the bound one when it goes there and is open, else a pooled or new one. */
  bind(target: RouteTarget): UpstreamSocket {
    const key = UpstreamPool.keyOf(target);
    if (this.u !== null && (this.u.key !== key || this.u.closed)) this.release(true);
    if (this.u === null) {
      this.u = this.pool.acquire(target);
      this.reusable = true;
    }
    this.u.owner = this.owner;
    return this.u;
  }

  /** false when the socket's buffer is full: wait for onUpstreamDrain */
  write(chunk: Buffer): boolean {
    return this.u === null || this.u.socket.write(chunk);
  }

  /** The client's buffer is full: stop reading the target until the client drains. */
  pause(): void {
    if (this.u === null || this.paused) return;
    this.paused = true;
    this.u.socket.pause();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.u?.socket.resume();
  }

  /** Half-closes (a tunnel whose client side ended). */
  end(): void {
    this.u?.socket.end();
  }

  /** The target closed the connection: drop it, returning what it was. */
  forget(): UpstreamSocket | null {
    const u = this.u;
    this.u = null;
    this.paused = false;
    return u;
  }

  /** After an exchange: keeps a clean connection bound (and marks it served), drops any other.
   * Returns whether a connection stays bound. */
  settle(): boolean {
    if (this.u === null) return false;
    if (!this.reusable) {
      this.release(false);
      return false;
    }
    // Served once, it may be closed by the target's keep-alive timeout while idle: a failure before any
    // answer on it is then retried once (ProxyConnection.onUpstreamClose).
    this.u.reused = true;
    return true;
  }

  /** Gives the connection back to the pool (`keep` and still clean), or destroys it. */
  release(keep: boolean): void {
    const u = this.forget();
    if (u === null) return;
    if (u.socket.isPaused()) u.socket.resume();
    if (keep && this.reusable && !u.closed) this.pool.release(u);
    else u.destroy();
  }
}
