// The home side of the `tasks` channel: this machine's tasks, as their home (where they were posted). It
// announces every change to the machines that share the task's project key, answers a hello with a snapshot
// of the open tasks, takes teammates' bids and their winners' progress into its own board (its decisions, its
// audit chain), and abandons the tasks of a machine that is gone.
//
// Decisions:
// - The board decides: a teammate's bidder is an agent record (RemoteBidders) the board scores and awards like
//   its own; the award is the board's, in this machine's audit chain, and its INTENT locks are taken here.
// - A forwarded step (bid, progress) is done once per op id: a re-sent op gets the first answer again (kept for
//   the last OP_MEMORY ops), even while the first is still being decided.
// - Only the winner's machine may report progress on a task, for the agent the task is assigned to.
// - A machine whose link drops keeps its bidders for `graceMs`; then (or at once when it said goodbye) its
//   agents are gone: their active tasks are abandoned and re-queued with the reason, their bids withdrawn.
import type { Logger } from 'pino';
import { DevMeshError } from '../../../shared/errors.js';
import { BidInputSchema, FINAL_TASK_STATES, type TaskInfo } from '../../../shared/task.js';
import type { Disposable } from '../base/disposable.js';
import type { Coordination } from '../coordination/coordination.js';
import type { LinkedMachine, UnlinkedMachine } from './team-transport.js';
import type { TasksMessage, WireTask } from './task-wire.js';

type Bid = Extract<TasksMessage, { k: 'bid' }>;
type Progress = Extract<TasksMessage, { k: 'progress' }>;
type Ack = Extract<TasksMessage, { k: 'ack' }>;
type From = { machineId: string; name: string };

const OP_MEMORY = 2_000;

export interface TaskHomeDeps {
  coordination: Pick<Coordination, 'tasks' | 'remoteBidders' | 'bid' | 'updateTask' | 'completeTask'>;
  /** this machine */
  self: () => From;
  /** the shared key of the project at `root`, or null (not open, not identified, local-only) */
  keyAt: (root: string) => string | null;
  send: (machineId: string, m: TasksMessage) => boolean;
  /** an agent of this machine (a teammate may not bid in its name) */
  isLocalAgent: (agentId: string) => boolean;
  graceMs: number;
  logger: Logger;
}

export class TaskHome implements Disposable {
  /** the keys each linked machine said hello with */
  private readonly peerKeys = new Map<string, Set<string>>();
  private readonly answers = new Map<string, Promise<Ack>>();
  private readonly graceTimers = new Map<string, NodeJS.Timeout>();
  private disposed = false;

  constructor(private readonly deps: TaskHomeDeps) {}

  /** A task of this board changed: every machine of its key hears it. */
  changed(task: TaskInfo): void {
    if (task.home !== undefined) return; // a replica's event, not ours
    const key = this.deps.keyAt(task.root);
    if (key === null) return;
    const wire = this.wire(task, key);
    for (const [machineId, keys] of this.peerKeys)
      if (keys.has(key)) this.deps.send(machineId, { k: 'task', task: wire });
  }

  /** A machine said which keys it has open: it gets the open tasks of those keys. */
  hello(from: From, keys: readonly string[]): void {
    this.peerKeys.set(from.machineId, new Set(keys));
    const tasks: WireTask[] = [];
    for (const t of this.deps.coordination.tasks.list()) {
      if (FINAL_TASK_STATES.includes(t.state)) continue;
      const key = this.deps.keyAt(t.root);
      if (key !== null && keys.includes(key)) tasks.push(this.wire(t, key));
    }
    this.deps.send(from.machineId, { k: 'snapshot', tasks });
  }

  bid(from: From, m: Bid): void {
    this.once(from, m.op, async () => {
      const task = this.shared(from, m.task);
      const input = BidInputSchema.safeParse({
        task: m.task,
        agent: m.bidder.agentId,
        capabilities: m.capabilities,
        estimateMinutes: m.estimateMinutes,
        ...(m.note !== undefined ? { note: m.note } : {}),
      });
      if (!input.success)
        throw new DevMeshError('BAD_REQUEST', `a bid from ${from.name}: ${input.error.issues[0]?.message}`);
      const owner = this.deps.coordination.remoteBidders.machineOf(m.bidder.agentId);
      if (this.deps.isLocalAgent(m.bidder.agentId) || (owner !== null && owner.machineId !== from.machineId))
        throw new DevMeshError('CONFLICT', `agent ${m.bidder.agentId} is not an agent of ${from.name}`);
      this.deps.coordination.remoteBidders.put(from, task.project, m.bidder);
      const bid = await this.deps.coordination.bid(input.data);
      return { k: 'ack', op: m.op, ok: true, bid };
    });
  }

  progress(from: From, m: Progress): void {
    this.once(from, m.op, async () => {
      const task = this.shared(from, m.task);
      const machine = this.deps.coordination.remoteBidders.machineOf(m.agentId);
      if (task.assigneeId !== m.agentId || machine?.machineId !== from.machineId)
        throw new DevMeshError(
          'CONFLICT',
          `task ${task.id} is ${task.state}${task.assigneeName ? `, assigned to ${task.assigneeName}` : ''}; ` +
            `it is not ${from.name}'s to report on`,
        );
      const co = this.deps.coordination;
      const agent = m.agentId;
      const done =
        m.step === 'COMPLETED' || m.step === 'FAILED'
          ? await co.completeTask({ task: task.id, agent, outcome: m.step, summary: m.note ?? '' })
          : await co.updateTask({
              task: task.id,
              agent,
              state: m.step,
              ...(m.note !== undefined ? { note: m.note } : {}),
            });
      const key = this.deps.keyAt(done.root);
      return { k: 'ack', op: m.op, ok: true, ...(key ? { task: this.wire(done, key) } : {}) };
    });
  }

  up(machine: LinkedMachine): void {
    const timer = this.graceTimers.get(machine.machineId);
    if (timer) clearTimeout(timer);
    this.graceTimers.delete(machine.machineId);
  }

  down(machine: UnlinkedMachine): void {
    this.peerKeys.delete(machine.machineId);
    if (machine.left) return this.gone(machine, `machine ${machine.name} left the mesh (${machine.reason})`);
    if (this.graceTimers.has(machine.machineId)) return;
    const timer = setTimeout(() => {
      this.graceTimers.delete(machine.machineId);
      const secs = Math.round(this.deps.graceMs / 100) / 10;
      this.gone(machine, `machine ${machine.name} unreachable for ${secs} s (${machine.reason})`);
    }, this.deps.graceMs);
    timer.unref();
    this.graceTimers.set(machine.machineId, timer);
  }

  dispose(): void {
    this.disposed = true;
    for (const t of this.graceTimers.values()) clearTimeout(t);
    this.graceTimers.clear();
  }

  /** the machine's agents are gone: their tasks here are abandoned and re-queued, their bids withdrawn */
  private gone(machine: From, why: string): void {
    if (this.disposed) return;
    const { coordination, logger } = this.deps;
    for (const agent of coordination.remoteBidders.dropMachine(machine.machineId)) {
      try {
        coordination.tasks.agentGone(agent.id, `agent ${agent.name} is gone: ${why}`);
      } catch (err) {
        logger.error(
          { domain: 'team', channel: 'tasks', agent: agent.name, err: (err as Error).message },
          "could not abandon the tasks of a teammate's agent",
        );
      }
    }
  }

  /** the task, if `from` may act on it: it is this board's, in a project whose key `from` shares */
  private shared(from: From, id: string): TaskInfo {
    const task = this.deps.coordination.tasks.get(id);
    const key = this.deps.keyAt(task.root);
    if (key === null || !this.peerKeys.get(from.machineId)?.has(key))
      throw new DevMeshError('CONFLICT', `task ${id} is in a project ${from.name} does not share with this machine`);
    return task;
  }

  /** runs a forwarded step once per op id; the answer (first or remembered) goes back to `from` */
  private once(from: From, op: string, run: () => Promise<Ack>): void {
    let answer = this.answers.get(op);
    if (!answer) {
      answer = run().catch((err: unknown) => {
        const info = DevMeshError.toInfo(err);
        return { k: 'ack', op, ok: false, error: { code: info.code, message: info.message.slice(0, 4000) } };
      });
      this.answers.set(op, answer);
      if (this.answers.size > OP_MEMORY) this.answers.delete(this.answers.keys().next().value!);
    }
    void answer.then((ack) => {
      if (!this.disposed) this.deps.send(from.machineId, ack);
    });
  }

  private wire(t: TaskInfo, key: string): WireTask {
    const machine =
      t.assigneeId === null
        ? null
        : (this.deps.coordination.remoteBidders.machineOf(t.assigneeId)?.machineId ?? this.deps.self().machineId);
    return {
      id: t.id,
      key,
      title: t.title,
      prompt: t.prompt,
      files: t.files,
      capabilities: t.capabilities,
      priority: t.priority,
      dependsOn: t.dependsOn,
      criticOf: t.criticOf,
      state: t.state,
      stateReason: t.stateReason.slice(0, 4000),
      assigneeId: t.assigneeId,
      assigneeName: t.assigneeName,
      assigneeMachine: machine,
      attempts: t.attempts,
      bidCount: t.bidCount,
      note: t.note?.slice(0, 8000) ?? null,
      createdBy: t.createdBy,
      createdAt: t.createdAt,
      updatedAt: t.updatedAt,
    };
  }
}
