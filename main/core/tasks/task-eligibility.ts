// Which agents may bid for a task: running agents that work in the task's project (their repository or
// cwd is the task's root or a folder under it, or they were started for the task's project id). A critic task is never open to
// the agent that did the work it reviews.
import { realpathSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import type { AgentRecord } from '../../../shared/agent.js';
import type { TaskInfo } from '../../../shared/task.js';

export class TaskEligibility {
  /** @param reviewedAssignee the assignee of the task a critic task reviews (by its id) */
  constructor(private readonly reviewedAssignee: (criticOf: string) => string | null) {}

  /** why `agent` may not take `task`, in words, or null when it may */
  whyNot(task: TaskInfo, agent: AgentRecord): string | null {
    if (agent.status === 'exited') return `agent ${agent.name} has exited; start it again (devmesh agent start) to bid`;
    const root = TaskEligibility.rootOf(agent);
    if (!TaskEligibility.within(root, task.root) && agent.project !== task.project) {
      return `agent ${agent.name} works in ${root}, not in the task's project ${task.project} (${task.root})`;
    }
    if (task.criticOf !== null && this.reviewedAssignee(task.criticOf) === agent.id) {
      return `agent ${agent.name} did ${task.criticOf}, which this task reviews; a critic must be another agent`;
    }
    return null;
  }

  eligible(task: TaskInfo, live: readonly AgentRecord[]): AgentRecord[] {
    return live.filter((a) => this.whyNot(task, a) === null);
  }

  /** why no running agent is offered the task: a review's author may be running, just not allowed to review itself */
  whyNobody(task: TaskInfo, live: readonly AgentRecord[]): string {
    const authorId = task.criticOf === null ? null : this.reviewedAssignee(task.criticOf);
    const author = authorId === null ? undefined : live.find((a) => a.id === authorId);
    if (author)
      return `a review needs another agent than ${author.name}, who did ${task.criticOf}; start one in ${task.root} (devmesh agent start) and it will be offered the task`;
    return `no running agent works in ${task.root}; start one there (devmesh agent start) and it will be offered the task`;
  }

  /** `dir` is `root` or a folder under it (an agent started in the project's src/ works in the project) */
  static within(dir: string, root: string): boolean {
    const d = TaskEligibility.canonical(dir);
    const r = TaskEligibility.canonical(root);
    return d === r || d.startsWith(r.endsWith(sep) ? r : `${r}${sep}`);
  }

  /** the folder an agent's work lands in: the repository of its worktree, else its cwd */
  static rootOf(agent: AgentRecord): string {
    return agent.worktree?.repo ?? agent.cwd;
  }

  /** equal after resolving, and after following symlinks when both exist (/tmp vs /private/tmp) */
  static samePath(a: string, b: string): boolean {
    return TaskEligibility.canonical(a) === TaskEligibility.canonical(b);
  }

  static canonical(path: string): string {
    const absolute = resolve(path);
    try {
      return realpathSync.native(absolute);
    } catch {
      // a folder that no longer exists compares by its resolved path
      return absolute;
    }
  }
}
