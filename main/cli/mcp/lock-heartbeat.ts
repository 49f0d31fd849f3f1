// Keeps the locks an MCP session took alive while the session lives: every few seconds it extends them
// (locks.heartbeat for the agent and this session). When the session ends the heartbeats stop and DevMesh lets
// the locks expire after their TTL, so a crashed agent cannot hold files forever. Locks the agent holds from
// elsewhere (another session, the CLI, a task) are not this session's to keep alive.
import type { Disposable } from '../../core/base/disposable.js';
import { DevMeshError } from '../../../shared/errors.js';
import type { ApiClient } from '../api-client.js';

export const LOCK_HEARTBEAT_MS = 10_000;

export class LockHeartbeat implements Disposable {
  private timer: NodeJS.Timeout | null = null;
  private inFlight = false;
  /** the last failure reported, so a daemon that stays down is reported once, not every beat */
  private lastProblem: string | null = null;

  constructor(
    private readonly connection: ApiClient,
    private readonly taker: { holder: string; session: string },
    private readonly warn: (line: string) => void,
    private readonly intervalMs = LOCK_HEARTBEAT_MS,
  ) {}

  start(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => void this.beat(), this.intervalMs);
    // stdin keeps the server alive; the heartbeat alone must not.
    this.timer.unref();
  }

  dispose(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** One heartbeat; never throws (a failure is reported on stderr once until it changes). */
  async beat(): Promise<void> {
    if (this.inFlight) return;
    this.inFlight = true;
    try {
      await this.connection.call('locks.heartbeat', this.taker);
      if (this.lastProblem !== null) this.warn(`devmesh mcp: lock heartbeats for ${this.taker.holder} work again`);
      this.lastProblem = null;
    } catch (err) {
      const problem = err instanceof DevMeshError ? `${err.code}: ${err.message}` : String(err);
      if (problem !== this.lastProblem)
        this.warn(`devmesh mcp: could not heartbeat the locks of ${this.taker.holder} (${problem})`);
      this.lastProblem = problem;
    } finally {
      this.inFlight = false;
    }
  }
}
