// What the task board does with the tasks it finds when DevMesh starts: open tasks pick up where they were,
// as far as the agents still running allow.
//
// Decisions:
// - Restart: active tasks of agents that are not running are abandoned; active tasks of running agents
//   retake their locks (lock ids died with the old process) and restart their silence clock; BIDDING
//   tasks resume their window.
import type { Logger } from 'pino';
import type { AgentRecord } from '../../../shared/agent.js';
import { FINAL_TASK_STATES, type TaskInfo, type TaskState } from '../../../shared/task.js';
import type { LockClock } from '../locks/lock-clock.js';
import type { AgentActivity } from './agent-activity.js';
import type { TaskAuction } from './task-auction.js';
import type { TakeResult, TaskLockBinder } from './task-lock-binder.js';
import type { TaskQueue } from './task-queue.js';
import type { TaskStore } from './task-store.js';

/** the states of a task an agent holds */
export const ACTIVE_TASK_STATES: readonly TaskState[] = ['CLAIMED', 'WORKING', 'PAUSED'];

export interface TaskRecoveryDeps {
  store: TaskStore;
  clock: LockClock;
  /** agents not exited */
  live: () => AgentRecord[];
  binder: TaskLockBinder;
  activity: AgentActivity;
  auction: TaskAuction;
  queue: TaskQueue;
  /** a background step failed (retaking locks): logged, never thrown */
  failed: (what: string, err: unknown) => void;
  logger?: Logger;
}

export function recoverTasks(deps: TaskRecoveryDeps): void {
  const { store, binder, queue } = deps;
  const now = deps.clock.now();
  const live = new Set(deps.live().map((a) => a.id));
  for (const t of store.list()) {
    if (FINAL_TASK_STATES.includes(t.state)) continue;
    binder.watch(t.root);
    if (ACTIVE_TASK_STATES.includes(t.state)) {
      // lock ids are per process: the old ones are meaningless now
      store.clearLocks(t.id);
      if (t.assigneeId === null || !live.has(t.assigneeId)) {
        queue.abandon(
          t,
          'devmesh',
          `DevMesh restarted and agent ${t.assigneeName ?? t.assigneeId ?? '?'} is not running`,
        );
        continue;
      }
      retakeLocks(deps, t, t.assigneeId);
      deps.activity.startClock(t.id, now);
    } else if (t.state === 'BIDDING') {
      deps.auction.resume(t, now);
    }
  }
  queue.evaluateAll();
}

function retakeLocks(deps: TaskRecoveryDeps, t: TaskInfo, assigneeId: string): void {
  const retaken = (took: TakeResult): void => {
    if (took.ok) deps.store.addLocks(t.id, took.lockIds);
    else
      deps.logger?.warn(
        { domain: 'tasks', task: t.id, why: took.message },
        'could not retake task locks after restart',
      );
  };
  const took = deps.binder.take(t, assigneeId);
  if (took instanceof Promise) took.then(retaken).catch((err: unknown) => deps.failed('retaking locks', err));
  else retaken(took);
}
