// Who acts on a task, and whether they may: the board's callers name an agent (id or name) or `user`.
//
// Decisions:
// - `user` is the human and may change any task; any other actor is looked up as an agent (id or name)
//   and may change only a task assigned to it. DevMesh's own decisions (awards, re-queues) are by
//   `devmesh`, which is never looked up.
// - An agent acting on a task (update, complete) counts as activity: its tasks are not silent.
import type { AgentRecord } from '../../../shared/agent.js';
import { DevMeshError } from '../../../shared/errors.js';
import type { TaskInfo } from '../../../shared/task.js';

export interface TaskActor {
  id: string;
  name: string;
  user: boolean;
}

export class TaskActors {
  /**
   * @param find an agent by id or name, exited ones too; null when unknown
   * @param seen the agent did something (it is not silent)
   */
  constructor(
    private readonly find: (idOrName: string) => AgentRecord | null,
    private readonly seen: (agentId: string) => void,
  ) {}

  /** the agent named by `ref`; throws AGENT_NOT_FOUND */
  agent(ref: string): AgentRecord {
    const agent = this.find(ref);
    if (!agent)
      throw new DevMeshError(
        'AGENT_NOT_FOUND',
        `no agent "${ref}"; list agents with \`devmesh agent ls\` (a human acts as \`user\`)`,
      );
    return agent;
  }

  /** `user`, or the agent named by `ref` (marked active); throws AGENT_NOT_FOUND */
  actor(ref: string): TaskActor {
    if (ref === 'user') return { id: 'user', name: 'user', user: true };
    const agent = this.agent(ref);
    this.seen(agent.id);
    return { id: agent.id, name: agent.name, user: false };
  }

  /** throws CONFLICT unless `actor` is `user` or the task's assignee */
  mayChange(task: TaskInfo, actor: TaskActor, what: string): void {
    if (actor.user || (task.assigneeId !== null && task.assigneeId === actor.id)) return;
    const owner =
      task.assigneeId === null
        ? 'it has no assignee'
        : `it is assigned to ${task.assigneeName ?? task.assigneeId} (${task.assigneeId})`;
    throw new DevMeshError(
      'CONFLICT',
      `${actor.name} cannot ${what} task ${task.id}: ${owner}; only the assignee or \`user\` may`,
    );
  }
}
