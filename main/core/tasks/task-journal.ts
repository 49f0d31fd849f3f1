// How the task board records what happens: a transition is stored (row + history in one SQLite
// transaction), emitted as a `task.changed` event and appended to the audit chain (kind `task.<state>`);
// a reason or note change without a transition is stored and emitted only. A listener, the audit or the
// broadcast failing is logged and never undoes a decision already stored.
import type { Logger } from 'pino';
import type { AuditAppend } from '../../../shared/audit.js';
import type { Bid, TaskEvent, TaskInfo, TaskState, TaskTransition } from '../../../shared/task.js';
import type { LockClock } from '../locks/lock-clock.js';
import type { TaskPatch, TaskStore } from './task-store.js';
import * as taskText from './task-text.js';

export interface TaskJournalDeps {
  store: TaskStore;
  clock: LockClock;
  audit: (entry: AuditAppend) => void;
  emit: (event: TaskEvent) => void;
  notify: (agentId: string, body: string, task: string) => void;
  logger?: Logger;
}

export class TaskJournal {
  constructor(private readonly deps: TaskJournalDeps) {}

  transition(task: TaskInfo, to: TaskState, by: string, why: string, patch: TaskPatch = {}): TaskInfo {
    const at = this.deps.clock.now();
    const transition: TaskTransition = { from: task.state, to, by, why, at };
    const next = this.deps.store.update(task.id, { ...patch, state: to, stateReason: why, updatedAt: at }, transition);
    this.announce(next, transition);
    return next;
  }

  /** emits and audits a transition already stored */
  announce(task: TaskInfo, transition: TaskTransition): void {
    this.deps.logger?.info(
      {
        domain: 'tasks',
        task: task.id,
        from: transition.from,
        to: transition.to,
        by: transition.by,
        why: transition.why,
      },
      'task transition',
    );
    this.publish(task, transition);
    this.record({
      actor: transition.by,
      kind: `task.${transition.to.toLowerCase()}`,
      subject: task.id,
      data: { title: task.title, assignee: task.assigneeName, why: transition.why },
    });
  }

  /** stores a bid and audits it (`task.bid`, with the parts of its score); the caller emits the task */
  bid(task: TaskInfo, bid: Bid): void {
    this.deps.store.putBid(bid);
    this.record({
      actor: bid.agentId,
      kind: 'task.bid',
      subject: task.id,
      data: {
        title: task.title,
        agent: bid.agentName,
        score: bid.score,
        match: bid.match,
        load: bid.load,
        estimateMinutes: bid.estimateMinutes,
      },
    });
  }

  /** a new state reason without a transition (still waiting, for another reason) */
  explain(task: TaskInfo, reason: string): TaskInfo {
    if (task.stateReason === reason) return task;
    const next = this.deps.store.update(task.id, { stateReason: reason, updatedAt: this.deps.clock.now() });
    this.publish(next, null);
    return next;
  }

  /** the broadcast to one eligible agent */
  invite(agentId: string, task: TaskInfo): void {
    try {
      this.deps.notify(agentId, taskText.invitation(task), task.id);
    } catch (err) {
      this.deps.logger?.warn(
        { domain: 'tasks', task: task.id, agent: agentId, err: (err as Error).message },
        'task invitation failed',
      );
    }
  }

  publish(task: TaskInfo, transition: TaskTransition | null): void {
    try {
      this.deps.emit({ type: 'task.changed', ts: this.deps.clock.now(), task, transition });
    } catch (err) {
      this.deps.logger?.warn(
        { domain: 'tasks', task: task.id, err: (err as Error).message },
        'task event listener failed',
      );
    }
  }

  record(entry: AuditAppend): void {
    try {
      this.deps.audit(entry);
    } catch (err) {
      this.deps.logger?.error(
        { domain: 'tasks', kind: entry.kind, subject: entry.subject, err: (err as Error).message },
        'audit append failed',
      );
    }
  }
}
