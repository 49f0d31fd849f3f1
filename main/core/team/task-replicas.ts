// Teammates' tasks on this machine: the replica of each open task a linked machine (its home) announced for a
// project this machine also has open, the invitations to this machine's eligible agents, and, for a task won
// by one of this machine's agents, the delivery of its prompt and what follows.
//
// Decisions:
// - The home decides; a replica only follows it. A task its home announces in a final state, or leaves out
//   of its snapshot, is gone from here. A home whose link is down keeps its replicas, marked unreachable.
// - Offer: when a replica becomes open (QUEUED or BIDDING, new here or back from another state) each running
//   agent of this machine that works in the project (as TaskEligibility says for local tasks) gets the same
//   invitation message a local task sends (MCP read_messages, and the hooks).
// - Delivery: an award to an agent of this machine is typed into its terminal as a local award's is (the
//   same line, when the agent sits idle and has no other WORKING task), once per award (task, attempt);
//   then the home hears WORKING.
// - The home's decision wins: an agent of this machine that held a task which the home now shows otherwise
//   (re-queued while this machine was unreachable, assigned to another, cancelled) is told it lost it, once.
import type { Logger } from 'pino';
import type { AgentRecord, AgentStatusEvent } from '../../../shared/agent.js';
import { FINAL_TASK_STATES, type TaskEvent, type TaskInfo, type TaskState } from '../../../shared/task.js';
import { TaskEligibility } from '../tasks/task-eligibility.js';
import * as taskText from '../tasks/task-text.js';
import type { LinkedMachine, UnlinkedMachine } from './team-transport.js';
import type { ProgressStep, WireTask } from './task-wire.js';

type From = { machineId: string; name: string };

interface Replica {
  task: WireTask;
  home: From;
  reachable: boolean;
}

interface Assignment {
  agentId: string;
  attempts: number;
  home: string;
  delivered: boolean;
  /** this machine reported its end (complete, release): the home's next word is no loss */
  finishing: boolean;
}

const ACTIVE: readonly TaskState[] = ['CLAIMED', 'WORKING', 'PAUSED'];
const OPEN: readonly TaskState[] = ['QUEUED', 'BIDDING'];

export interface TaskReplicasDeps {
  self: () => From;
  /** this machine's open project with that key */
  projectOf: (key: string) => { id: string; root: string } | null;
  /** this machine's agents (exited ones too) */
  agents: () => AgentRecord[];
  /** types one line into a local agent; false when it is not running */
  type: (agentId: string, text: string) => boolean;
  /** a message from devmesh to a local agent about a task */
  tell: (agentId: string, body: string, task: string) => void;
  /** tasks of this machine's own board WORKING for the agent (it is busy) */
  busyHere: (agentId: string) => boolean;
  /** a step of this machine's winner, reported to the task's home (kept and re-sent until acknowledged) */
  report: (home: string, task: string, agentId: string, step: ProgressStep, note?: string) => void;
  emit: (event: TaskEvent) => void;
  logger: Logger;
}

export class TaskReplicas {
  private readonly replicas = new Map<string, Replica>();
  private readonly assignments = new Map<string, Assignment>();
  private readonly eligibility = new TaskEligibility(() => null);

  constructor(private readonly deps: TaskReplicasDeps) {}

  has(id: string): boolean {
    return this.replicas.has(id);
  }

  homeOf(id: string): (From & { reachable: boolean }) | null {
    const r = this.replicas.get(id);
    return r ? { ...r.home, reachable: r.reachable } : null;
  }

  /** the replica as the faces show a task (null when this machine no longer has its project open) */
  view(id: string): TaskInfo | null {
    const r = this.replicas.get(id);
    return r ? this.toInfo(r) : null;
  }

  list(): TaskInfo[] {
    const out: TaskInfo[] = [];
    for (const r of this.replicas.values()) {
      const info = this.toInfo(r);
      if (info) out.push(info);
    }
    return out;
  }

  /** the open tasks this machine's agents hold for teammates (their load here) */
  load(agentId: string): number {
    let n = 0;
    for (const a of this.assignments.values()) if (a.agentId === agentId) n++;
    return n;
  }

  /** why the local agent may not bid for the replica, or null */
  whyNot(id: string, agent: AgentRecord): string | null {
    const info = this.view(id);
    if (!info) return `task ${id} is not in a project open on this machine`;
    return this.eligibility.whyNot(info, agent);
  }

  /** the local agent reported the task's end: the home's answer is not a loss */
  finishing(taskId: string): void {
    const a = this.assignments.get(taskId);
    if (a) a.finishing = true;
  }

  /** The home announced a change of one task. */
  apply(home: From, task: WireTask): void {
    const before = this.replicas.get(task.id);
    if (before && before.task.updatedAt > task.updatedAt) return; // an older word (a snapshot raced a change)
    if (FINAL_TASK_STATES.includes(task.state)) this.replicas.delete(task.id);
    else this.replicas.set(task.id, { task, home, reachable: true });
    const replica = { task, home, reachable: true };
    const info = this.toInfo(replica);
    if (info) {
      const transition =
        before?.task.state === task.state
          ? null
          : {
              from: before?.task.state ?? null,
              to: task.state,
              by: home.name,
              why: task.stateReason,
              at: task.updatedAt,
            };
      this.emit({ type: 'task.changed', ts: Date.now(), task: info, transition });
      if (OPEN.includes(task.state) && (!before || !OPEN.includes(before.task.state))) this.offer(info);
    }
    this.follow(home, task);
  }

  /** The home's open tasks now: replicas it leaves out ended (or left the shared projects). */
  snapshot(home: From, tasks: readonly WireTask[]): void {
    const now = new Set(tasks.map((t) => t.id));
    for (const [id, r] of this.replicas)
      if (r.home.machineId === home.machineId && !now.has(id)) {
        this.replicas.delete(id);
        const info = this.toInfo(r);
        if (info)
          this.emit({ type: 'task.changed', ts: Date.now(), task: { ...info, state: 'CANCELLED' }, transition: null });
      }
    for (const [id, a] of this.assignments) {
      if (a.home !== home.machineId || now.has(id)) continue;
      if (a.finishing) this.assignments.delete(id);
      else this.lost(id, a, `its home ${home.name} no longer has it open`);
    }
    for (const t of tasks) this.apply(home, t);
  }

  homeUp(_machine: LinkedMachine): void {
    // the hello that follows brings the snapshot; nothing to do before it
  }

  homeDown(machine: UnlinkedMachine): void {
    for (const [id, r] of this.replicas) {
      if (r.home.machineId !== machine.machineId) continue;
      if (machine.left) this.replicas.delete(id);
      else r.reachable = false;
      const info = this.toInfo(r);
      if (info) this.emit({ type: 'task.changed', ts: Date.now(), task: info, transition: null });
    }
  }

  /** a local agent's status changed: an idle one may take its award; an exited one gives its tasks back */
  agentStatus(event: AgentStatusEvent): void {
    for (const [id, a] of this.assignments) {
      if (a.agentId !== event.agentId) continue;
      if (event.to === 'exited') {
        a.finishing = true;
        this.deps.report(a.home, id, a.agentId, 'RELEASE', `agent ${event.name} exited on ${this.deps.self().name}`);
      } else if (event.to === 'idle') this.deliver(id);
    }
  }

  private follow(home: From, task: WireTask): void {
    const self = this.deps.self().machineId;
    const had = this.assignments.get(task.id);
    const mine =
      task.assigneeMachine === self &&
      task.assigneeId !== null &&
      ACTIVE.includes(task.state) &&
      this.deps.agents().some((a) => a.id === task.assigneeId && a.status !== 'exited');
    if (had && (!mine || had.agentId !== task.assigneeId || had.attempts !== task.attempts)) {
      if (had.finishing) this.assignments.delete(task.id);
      else this.lost(task.id, had, `${home.name} says it is ${task.state}: ${task.stateReason}`);
    }
    if (!mine) return;
    const current = this.assignments.get(task.id);
    if (!current)
      this.assignments.set(task.id, {
        agentId: task.assigneeId!,
        attempts: task.attempts,
        home: home.machineId,
        delivered: task.state !== 'CLAIMED',
        finishing: false,
      });
    if (task.state === 'CLAIMED') this.deliver(task.id);
  }

  private deliver(id: string): void {
    const a = this.assignments.get(id);
    const r = this.replicas.get(id);
    if (!a || !r || a.delivered || r.task.state !== 'CLAIMED') return;
    const agent = this.deps.agents().find((x) => x.id === a.agentId);
    if (!agent || agent.status !== 'idle' || this.deps.busyHere(agent.id)) return;
    for (const [other, o] of this.assignments)
      if (other !== id && o.agentId === a.agentId && this.replicas.get(other)?.task.state === 'WORKING') return;
    const info = this.toInfo(r);
    if (!info || !this.deps.type(agent.id, taskText.delivery(info))) return;
    a.delivered = true;
    this.deps.report(
      r.home.machineId,
      id,
      a.agentId,
      'WORKING',
      `prompt delivered to ${agent.name} on ${this.deps.self().name}`,
    );
  }

  private lost(id: string, a: Assignment, why: string): void {
    this.assignments.delete(id);
    this.deps.logger.info(
      { domain: 'team', channel: 'tasks', task: id, agent: a.agentId, why },
      'an agent lost a task',
    );
    try {
      this.deps.tell(
        a.agentId,
        `Task ${id} is no longer yours: ${why}. Stop working on it; its home machine decided (see list_tasks).`,
        id,
      );
    } catch (err) {
      this.deps.logger.warn(
        { domain: 'team', task: id, err: (err as Error).message },
        'could not tell an agent it lost a task',
      );
    }
  }

  private offer(info: TaskInfo): void {
    for (const agent of this.deps.agents())
      if (this.eligibility.whyNot(info, agent) === null)
        try {
          this.deps.tell(agent.id, taskText.invitation(info), info.id);
        } catch (err) {
          this.deps.logger.warn(
            { domain: 'team', task: info.id, agent: agent.name, err: (err as Error).message },
            "a teammate's task invitation failed",
          );
        }
  }

  private emit(event: TaskEvent): void {
    try {
      this.deps.emit(event);
    } catch (err) {
      this.deps.logger.warn({ domain: 'team', err: (err as Error).message }, 'task event listener failed');
    }
  }

  private toInfo(r: Replica): TaskInfo | null {
    const project = this.deps.projectOf(r.task.key);
    if (!project) return null;
    const t = r.task;
    const local = t.assigneeId === null ? undefined : this.deps.agents().find((a) => a.id === t.assigneeId);
    return {
      id: t.id,
      project: project.id,
      root: project.root,
      title: t.title,
      prompt: t.prompt,
      files: t.files,
      capabilities: t.capabilities,
      priority: t.priority,
      dependsOn: t.dependsOn,
      criticRequired: false,
      criticOf: t.criticOf,
      state: t.state,
      stateReason: r.reachable ? t.stateReason : `${t.stateReason} (its home ${r.home.name} is unreachable)`,
      assigneeId: t.assigneeId,
      assigneeName: t.assigneeName,
      terminalId: local?.terminalId ?? null,
      attempts: t.attempts,
      bidCount: t.bidCount,
      note: t.note,
      createdBy: t.createdBy,
      createdAt: t.createdAt,
      updatedAt: t.updatedAt,
      home: { machineId: r.home.machineId, name: r.home.name, reachable: r.reachable },
    };
  }
}
