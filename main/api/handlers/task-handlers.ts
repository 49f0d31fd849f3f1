// tasks.*: every step (post, cancel, bid, claim, update, complete) is an audited decision (Coordination),
// answered once its entries are on disk.
import type { Coordination } from '../../core/coordination/coordination.js';
import type { TaskBoard } from '../../core/tasks/task-board.js';
import { aliveFor, type HandlersOf } from './handlers.js';

export interface TaskHandlersDeps {
  tasks: Pick<TaskBoard, 'list' | 'get'>;
  decisions: Pick<Coordination, 'postTask' | 'cancelTask' | 'bid' | 'claimTask' | 'updateTask' | 'completeTask'>;
  activity: (agentIdOrName: string) => void;
}

export function taskHandlers({ tasks, decisions, activity }: TaskHandlersDeps): HandlersOf<'tasks'> {
  const alive = aliveFor(activity);
  return {
    'tasks.list': (i) => tasks.list(i),
    'tasks.get': (i) => tasks.get(i.task),
    'tasks.create': (i) => alive(i.by, decisions.postTask(i)),
    'tasks.cancel': (i) => decisions.cancelTask(i),
    'tasks.bid': (i) => alive(i.agent, decisions.bid(i)),
    'tasks.claim': (i) => alive(i.agent, decisions.claimTask(i)),
    'tasks.update': (i) => alive(i.agent, decisions.updateTask(i)),
    'tasks.complete': (i) => alive(i.agent, decisions.completeTask(i)),
  };
}
