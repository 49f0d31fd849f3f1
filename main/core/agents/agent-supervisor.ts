// Relaunches agents whose CLI crashed, as the services supervisor restarts a crashed service and with the same
// policy and code (RestartBackoff): a delay from 1 s doubled per consecutive crash up to 60 s, ±20 % jitter,
// reset once the agent has run 10 minutes without crashing; past 5 relaunches in a row it gives up and says so.
//
// Decisions:
// - A crash is an exit with a non-zero code, or by a signal other than SIGHUP (its terminal was closed, by the
//   user). A clean exit (code 0) is the agent's own end; a stop asked of DevMesh (`agent stop`) is the user's;
//   DevMesh shutting down detaches from its agents before their terminals end, so it is never seen here.
// - The manager asks before it records an exit (`exited`): an agent to be relaunched stays `starting` with the
//   reason and delay, so its tasks stay assigned and its locks held; the task board hands its WORKING tasks
//   back to CLAIMED on the `agent.supervised` event, and their prompts are typed again when it is idle.
// - Its initial prompt (the record's task) goes in again as at the first launch (`relaunch` with the task).
import type { Logger } from 'pino';
import type { AgentRecord, AgentSupervisedEvent } from '../../../shared/agent.js';
import type { Disposable } from '../base/disposable.js';
import { RestartBackoff, type RestartBackoffPolicy } from '../base/restart-backoff.js';
import type { LockClock, LockTimer } from '../locks/lock-clock.js';
import type { TerminalExit } from './terminal-launcher.js';

export interface AgentSupervisionPolicy extends RestartBackoffPolicy {
  /** an agent that has run this long without crashing gets its backoff and count reset */
  resetAfterMs: number;
}

export const AGENT_SUPERVISION_DEFAULTS: AgentSupervisionPolicy = {
  maxRestarts: 5,
  backoffInitialMs: 1_000,
  backoffMaxMs: 60_000,
  resetAfterMs: 10 * 60_000,
};

/** What an exit means: `relaunching` keeps the agent (status starting); otherwise it exited, for `reason`. */
export interface AgentExitVerdict {
  relaunching: boolean;
  reason: string;
}

/** What the supervisor asks of the agent manager. */
export interface AgentRelauncher {
  relaunch(idOrName: string, options: { withTask: boolean; afterCrash: string }): Promise<AgentRecord>;
  /** marks an agent waiting for a relaunch as exited, for `reason` */
  abandonRelaunch(agentId: string, reason: string): void;
}

export interface AgentSupervisorDeps {
  agents: AgentRelauncher;
  clock: LockClock;
  emit(event: AgentSupervisedEvent): void;
  policy?: Partial<AgentSupervisionPolicy>;
  /** the backoff's jitter (tests pin it) */
  random?: () => number;
  logger?: Logger;
}

interface Watch {
  backoff: RestartBackoff;
  relaunch: LockTimer | null;
  reset: LockTimer | null;
}

/** Why an exit is a crash, in words; null when it is not one. */
export function crashOf(exit: TerminalExit): string | null {
  if (exit.signal !== null) return exit.signal === 'SIGHUP' ? null : `killed by ${exit.signal}`;
  if (exit.exitCode !== null && exit.exitCode !== 0) return `exited with code ${exit.exitCode}`;
  return null;
}

export class AgentSupervisor implements Disposable {
  readonly policy: AgentSupervisionPolicy;
  private readonly watched = new Map<string, Watch>();
  private disposed = false;

  constructor(private readonly deps: AgentSupervisorDeps) {
    this.policy = { ...AGENT_SUPERVISION_DEFAULTS, ...deps.policy };
  }

  /** The agent's CLI ended; `requested`: DevMesh was asked to stop it. null: an ordinary exit. */
  exited(record: AgentRecord, exit: TerminalExit, requested: boolean): AgentExitVerdict | null {
    const how = crashOf(exit);
    if (this.disposed || requested || record.supervise === false || how === null) {
      this.cancel(record.id);
      return null;
    }
    const watch = this.watched.get(record.id) ?? this.watch(record.id);
    watch.reset?.cancel();
    watch.reset = null;
    const limit = this.policy.maxRestarts;
    if (watch.backoff.exhausted) {
      const crashes = watch.backoff.consecutive + 1;
      const reason = `${how}; crashed ${crashes} times in a row, not relaunching (limit: ${limit} relaunches): look at its terminal, then relaunch it`;
      this.cancel(record.id);
      this.announce(record, 'gave-up', crashes, null, reason);
      return { relaunching: false, reason };
    }
    const delay = watch.backoff.next();
    const attempt = watch.backoff.consecutive;
    const reason = `${how}; relaunching in ${(delay / 1000).toFixed(1)} s (attempt ${attempt} of ${limit})`;
    watch.relaunch = this.deps.clock.schedule(() => this.relaunch(record, watch, attempt, how), delay);
    this.announce(record, 'relaunching', attempt, delay, reason);
    return { relaunching: true, reason };
  }

  /** No relaunch for this agent (stopped or removed while it waited, or it exited cleanly). */
  cancel(agentId: string): void {
    const watch = this.watched.get(agentId);
    if (!watch) return;
    watch.relaunch?.cancel();
    watch.reset?.cancel();
    this.watched.delete(agentId);
  }

  /** whether the agent waits for a relaunch */
  pending(agentId: string): boolean {
    return this.watched.get(agentId)?.relaunch != null;
  }

  dispose(): void {
    this.disposed = true;
    for (const id of [...this.watched.keys()]) this.cancel(id);
  }

  private watch(agentId: string): Watch {
    const watch: Watch = { backoff: new RestartBackoff(this.policy, this.deps.random), relaunch: null, reset: null };
    this.watched.set(agentId, watch);
    return watch;
  }

  // From a timer: a relaunch that fails is contained here and said as a give-up, never thrown into the loop.
  // What follows a relaunch that succeeded is guarded on its own: the agent runs, so it is never given up.
  private relaunch(record: AgentRecord, watch: Watch, attempt: number, how: string): void {
    if (this.disposed || this.watched.get(record.id) !== watch) return;
    watch.relaunch = null;
    const limit = this.policy.maxRestarts;
    this.deps.agents
      .relaunch(record.id, {
        withTask: true,
        afterCrash: `relaunched after it ${how} (attempt ${attempt} of ${limit})`,
      })
      .then(
        (relaunched) => this.relaunched(relaunched, watch, attempt),
        (err: unknown) => this.relaunchFailed(record, attempt, how, err),
      )
      .catch((err: unknown) => this.warn(record.id, err, 'supervising a relaunch threw'));
  }

  private relaunched(record: AgentRecord, watch: Watch, attempt: number): void {
    if (this.disposed || this.watched.get(record.id) !== watch) return;
    try {
      watch.reset = this.deps.clock.schedule(() => watch.backoff.reset(), this.policy.resetAfterMs);
    } catch (err) {
      // its backoff is not reset after a quiet run: a later crash counts on from this one, no worse
      this.warn(record.id, err, 'could not schedule the backoff reset of a relaunched agent');
    }
    this.announce(record, 'relaunched', attempt, null, record.statusReason ?? 'relaunched');
  }

  private relaunchFailed(record: AgentRecord, attempt: number, how: string, err: unknown): void {
    const reason = `could not be relaunched after it ${how}: ${err instanceof Error ? err.message : String(err)}`;
    this.cancel(record.id);
    try {
      this.deps.agents.abandonRelaunch(record.id, reason);
    } catch (inner) {
      this.warn(record.id, inner, 'could not mark exited');
    }
    this.announce(record, 'gave-up', attempt, null, reason);
  }

  /** Says what supervision did (log and event); contained: a failure here is logged, never thrown. */
  private announce(
    record: AgentRecord,
    action: AgentSupervisedEvent['action'],
    attempt: number,
    delayMs: number | null,
    reason: string,
  ): void {
    try {
      const event: AgentSupervisedEvent = {
        type: 'agent.supervised',
        ts: this.deps.clock.now(),
        agentId: record.id,
        name: record.name,
        action,
        attempt,
        limit: this.policy.maxRestarts,
        delayMs,
        reason,
      };
      this.deps.logger?.info({ domain: 'agents', agent: record.id, action, attempt, delayMs }, reason);
      this.deps.emit(event);
    } catch (err) {
      this.warn(record.id, err, `could not announce agent.supervised (${action})`);
    }
  }

  private warn(agentId: string, err: unknown, what: string): void {
    try {
      this.deps.logger?.warn({ domain: 'agents', agent: agentId, err: String(err) }, what);
    } catch {
      // the logger itself failed; supervision goes on without this line
    }
  }
}
