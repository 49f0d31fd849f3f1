// Typing an awarded task's prompt into its agent's terminal, at a moment the agent can take it: the
// step that turns a CLAIMED task into a WORKING one without the agent having to ask for it.
//
// Decisions:
// - A CLAIMED task's prompt is typed (one line) when its agent sits at its input, quiet ('idle'), and has
//   no other WORKING task. Not when it is 'waiting': that status means a question to the human (every
//   built-in profile's waiting patterns are approval prompts), which a typed prompt would answer.
// - One prompt per idle status: the next one comes at the next (the board asks at every 'idle' status of
//   the agent and when one of its tasks ends).
import type { AgentRecord } from '../../../shared/agent.js';
import type { TaskInfo } from '../../../shared/task.js';
import type { TaskJournal } from './task-journal.js';
import type { TaskStore } from './task-store.js';
import * as taskText from './task-text.js';

export interface TaskDeliveryDeps {
  store: TaskStore;
  journal: TaskJournal;
  /** an agent by id, exited ones too; null when unknown */
  find: (agentId: string) => AgentRecord | null;
  /** types text + Enter into the agent's terminal; false when it is not running */
  type: (agentId: string, text: string) => boolean;
  /** the prompt was typed: the agent counts as active from now */
  onDelivered: (agentId: string) => void;
}

export class TaskDelivery {
  constructor(private readonly deps: TaskDeliveryDeps) {}

  /** the agent may be free: types the prompt of its next CLAIMED task, if any */
  next(agentId: string): void {
    const next = this.deps.store.listIn(['CLAIMED']).find((t) => t.assigneeId === agentId);
    if (next) this.deliver(next, this.deps.find(agentId));
  }

  /** types the prompt when the agent is quiet at its input and not busy with another task */
  deliver(task: TaskInfo, agent: AgentRecord | null): void {
    if (task.state !== 'CLAIMED' || !agent || agent.status !== 'idle') return;
    const busy = this.deps.store.listIn(['WORKING']).find((t) => t.assigneeId === agent.id);
    if (busy) {
      this.deps.journal.explain(task, `awarded to ${agent.name}; its prompt is typed once ${busy.id} is done`);
      return;
    }
    if (!this.deps.type(agent.id, taskText.delivery(task))) return;
    this.deps.onDelivered(agent.id);
    this.deps.journal.transition(task, 'WORKING', 'devmesh', `prompt delivered to ${agent.name}`);
  }
}
