// What the task board needs (its ports, given by name) and the inputs it takes, as the API validated them.
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { AgentRecord } from '../../../shared/agent.js';
import type { AuditAppend } from '../../../shared/audit.js';
import type {
  BidInputSchema,
  TaskCancelInputSchema,
  TaskClaimInputSchema,
  TaskCompleteInputSchema,
  TaskCreateInputSchema,
  TaskEvent,
  TaskListInputSchema,
  TaskUpdateInputSchema,
} from '../../../shared/task.js';
import type { LockClock } from '../locks/lock-clock.js';
import type { LockManager } from '../locks/lock-manager.js';
import type { TaskLockBinderDeps } from './task-lock-binder.js';
import type { TaskStore } from './task-store.js';

export interface TaskAgentPort {
  /** agents not exited */
  live(): AgentRecord[];
  /** by id or name, exited ones too; null when unknown */
  find(idOrName: string): AgentRecord | null;
  /** types text + Enter into the agent's terminal; false when it is not running */
  deliver(agentId: string, text: string): boolean;
}

export interface TaskBoardDeps {
  store: TaskStore;
  /** the LockManager of a lock space (a project root) */
  locks: (root: string) => LockManager;
  /** all of a task's lock requests or none, through the mesh when teammates share the space (LockSpaces) */
  acquireAll?: TaskLockBinderDeps['acquireAll'];
  /** a project ref (id or root; undefined = the only open project) → its id and root; throws DevMeshError */
  projects: { resolve(ref: string | undefined): { id: string; root: string } };
  agents: TaskAgentPort;
  audit: (entry: AuditAppend) => void;
  emit: (event: TaskEvent) => void;
  /** the broadcast: tell an agent of a task it may bid for */
  notify: (agentId: string, body: string, task: string) => void;
  clock?: LockClock;
  /** bids are taken this long after the first bid, or until every eligible agent bid (default 5 s) */
  biddingWindowMs?: number;
  /** may a decision be taken now (the audit chain can record it)? An award waits while not */
  canDecide?: () => boolean;
  /** a CLAIMED/WORKING task whose agent showed no activity this long is abandoned (default 10 min) */
  silentAfterMs?: number;
  /** load an agent carries elsewhere, added to the board's count (a teammate's bidder: its machine's tasks) */
  extraLoad?: (agentId: string) => number;
  logger?: Logger;
}

export type TaskCreate = z.output<typeof TaskCreateInputSchema>;
export type TaskListFilter = z.output<typeof TaskListInputSchema>;
export type TaskBid = z.output<typeof BidInputSchema>;
export type TaskClaim = z.output<typeof TaskClaimInputSchema>;
export type TaskUpdate = z.output<typeof TaskUpdateInputSchema>;
export type TaskComplete = z.output<typeof TaskCompleteInputSchema>;
export type TaskCancel = z.output<typeof TaskCancelInputSchema>;
