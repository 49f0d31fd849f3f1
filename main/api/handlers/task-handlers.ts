// tasks.*: every step (post, cancel, bid, claim, update, complete) is an audited decision (Coordination),
// answered once its entries are on disk. A teammate's task (issue 15) goes to the team's task part: its step
// is sent to the task's home machine, which decides it, and answered with the home's word.
import type { Coordination } from '../../core/coordination/coordination.js';
import type { TaskBoard } from '../../core/tasks/task-board.js';
import type { TeamTasks } from '../../core/team/team-tasks.js';
import { DevMeshError } from '../../../shared/errors.js';
import { aliveFor, type HandlersOf } from './handlers.js';

export interface TaskHandlersDeps {
  tasks: Pick<TaskBoard, 'list' | 'get'>;
  decisions: Pick<Coordination, 'postTask' | 'cancelTask' | 'bid' | 'claimTask' | 'updateTask' | 'completeTask'>;
  /** teammates' tasks: listed with `all`, and every step on one routed to its home */
  team: Pick<TeamTasks, 'owns' | 'list' | 'get' | 'bid' | 'claim' | 'update' | 'complete'>;
  activity: (agentIdOrName: string) => void;
}

export function taskHandlers({ tasks, decisions, team, activity }: TaskHandlersDeps): HandlersOf<'tasks'> {
  const alive = aliveFor(activity);
  return {
    'tasks.list': (i) => (i.all ? team.list(i) : tasks.list(i)),
    'tasks.get': (i) => (team.owns(i.task) ? team.get(i.task) : tasks.get(i.task)),
    'tasks.create': (i) => alive(i.by, decisions.postTask(i)),
    'tasks.cancel': (i) => {
      if (!team.owns(i.task)) return decisions.cancelTask(i);
      const home = team.get(i.task).home?.name ?? 'its home machine';
      throw new DevMeshError('CONFLICT', `task ${i.task} was posted on ${home}: cancel it there`);
    },
    'tasks.bid': (i) => alive(i.agent, team.owns(i.task) ? team.bid(i) : decisions.bid(i)),
    'tasks.claim': (i) => alive(i.agent, team.owns(i.task) ? team.claim(i) : decisions.claimTask(i)),
    'tasks.update': (i) => alive(i.agent, team.owns(i.task) ? team.update(i) : decisions.updateTask(i)),
    'tasks.complete': (i) => alive(i.agent, team.owns(i.task) ? team.complete(i) : decisions.completeTask(i)),
  };
}
