// Tasks across the mesh (issue 15), the `tasks` team channel: this machine is the HOME of the tasks posted here
// (TaskHome: it decides them) and keeps replicas of teammates' open tasks of the projects it shares with them
// (TaskReplicas: it offers them to its agents, delivers their awards, reports their progress). The faces (API,
// CLI, MCP, UI) call the methods below for a teammate's task: a bid or a step of this machine's agent is sent to
// the task's home under an op id, re-sent on every new link until the home acknowledges it, and answered with
// the home's word. The messages and who decides what: task-wire.ts; docs/team-tasks.md.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { AgentRecord } from '../../../shared/agent.js';
import { DevMeshError, ERROR_CODES, type ErrorCode } from '../../../shared/errors.js';
import type { DevMeshEvent } from '../../../shared/events.js';
import type { Bid, TaskDetail, TaskInfo } from '../../../shared/task.js';
import type { Disposable } from '../base/disposable.js';
import type { Coordination } from '../coordination/coordination.js';
import type { EventBus } from '../events/event-bus.js';
import type { TaskBid, TaskClaim, TaskComplete, TaskListFilter, TaskUpdate } from '../tasks/task-board.js';
import { TaskEligibility } from '../tasks/task-eligibility.js';
import { TeamChannel } from './team-channel.js';
import { TaskHome } from './task-home.js';
import { TaskReplicas } from './task-replicas.js';
import type { LinkedMachine, TeamTransport, UnlinkedMachine } from './team-transport.js';
import { TasksMessageSchema, type ProgressStep, type TasksMessage } from './task-wire.js';

type Ack = Extract<TasksMessage, { k: 'ack' }>;
type Forwarded = Extract<TasksMessage, { k: 'bid' | 'progress' }>;
type From = { machineId: string; name: string };

export interface TeamTasksDeps {
  transport: TeamTransport;
  coordination: Coordination;
  agents: { list(): AgentRecord[] };
  projects: {
    all(): Array<{ id: string; root: string; identity: { key: string; localOnly: boolean } | null }>;
  };
  events: EventBus;
  logger: Logger;
  /** how long a teammate's machine may be unreachable before the tasks its agents won here are re-queued */
  graceMs?: number;
  /** how long a call on a teammate's task waits for its home's answer */
  ackTimeoutMs?: number;
}

interface Pending {
  home: string;
  m: Forwarded;
  /** kept until acknowledged (progress), or dropped with its caller (a bid) */
  keep: boolean;
  settle: { resolve(a: Ack): void; reject(e: Error): void } | null;
  timer: NodeJS.Timeout | null;
}

export class TeamTasks implements Disposable {
  readonly home: TaskHome;
  readonly replicas: TaskReplicas;
  private readonly channel: TeamChannel<TasksMessage>;
  private readonly pending = new Map<string, Pending>();
  private readonly subscription: Disposable;
  private disposed = false;

  constructor(private readonly deps: TeamTasksDeps) {
    const { transport, coordination, logger } = deps;
    const self = () => ({ machineId: transport.machineId, name: transport.machineName });
    const send = (machineId: string, m: TasksMessage) => this.channel.send(machineId, m);
    this.home = new TaskHome({
      coordination,
      self,
      keyAt: (root) => this.keyAt(root),
      send,
      isLocalAgent: (id) => deps.agents.list().some((a) => a.id === id),
      graceMs: deps.graceMs ?? 30_000,
      logger,
    });
    this.replicas = new TaskReplicas({
      self,
      projectOf: (key) => this.projectOf(key),
      agents: () => deps.agents.list(),
      type: (agentId, text) => coordination.deliver(agentId, text),
      tell: (to, body, task) => void coordination.messages.send({ from: 'devmesh', to, body, task }),
      busyHere: (agentId) => coordination.tasks.list({ states: ['WORKING'] }).some((t) => t.assigneeId === agentId),
      report: (home, task, agentId, step, note) => this.report(home, task, agentId, step, note),
      emit: (event) => deps.events.emit(event),
      logger,
    });
    this.channel = new TeamChannel<TasksMessage>({
      transport,
      name: 'tasks',
      schema: TasksMessageSchema,
      logger,
      onMessage: (from, m) => this.contained(() => this.onMessage(from, m)),
      onUp: (machine) => this.contained(() => this.up(machine)),
      onDown: (machine) => this.contained(() => this.down(machine)),
    });
    this.subscription = deps.events.onDidEmitEvent((e) => this.contained(() => this.onEvent(e)));
    for (const m of transport.linkedMachines()) this.contained(() => this.up(m));
  }

  /** a teammate's task this machine has a replica of */
  owns(taskId: string): boolean {
    return this.replicas.has(taskId);
  }

  /** this board's tasks, and with `all` the replicas of teammates' open tasks (filtered alike) */
  list(filter: TaskListFilter): TaskInfo[] {
    const { all, ...rest } = filter;
    const local = this.deps.coordination.tasks.list(rest);
    if (!all) return local;
    const agent =
      rest.assignee === undefined
        ? undefined
        : this.deps.agents.list().find((a) => a.id === rest.assignee || a.name === rest.assignee);
    const remote = this.replicas.list().filter((t) => {
      if (rest.states !== undefined && !rest.states.includes(t.state)) return false;
      if (rest.project !== undefined && t.project !== rest.project && !TaskEligibility.samePath(t.root, rest.project))
        return false;
      if (
        rest.assignee !== undefined &&
        t.assigneeId !== (agent?.id ?? rest.assignee) &&
        t.assigneeName !== rest.assignee
      )
        return false;
      return true;
    });
    return [...local, ...remote];
  }

  get(taskId: string): TaskDetail {
    const info = this.replicas.view(taskId);
    if (!info) throw new DevMeshError('TASK_NOT_FOUND', `no task ${taskId}; list tasks with \`devmesh task ls --all\``);
    return { ...info, history: [], bids: [], lockIds: [] };
  }

  /** A bid of this machine's agent for a teammate's task: decided by its home, answered with the home's bid. */
  async bid(input: TaskBid): Promise<Bid> {
    const info = this.get(input.task);
    const agent = this.localAgent(input.agent);
    const why = this.replicas.whyNot(info.id, agent);
    if (why) throw new DevMeshError('CONFLICT', `${agent.name} cannot bid for ${info.id}: ${why}`);
    const load =
      this.deps.coordination.tasks
        .list({ states: ['CLAIMED', 'WORKING', 'PAUSED'] })
        .filter((t) => t.assigneeId === agent.id).length + this.replicas.load(agent.id);
    const ack = await this.request(info, {
      k: 'bid',
      op: TeamTasks.op(),
      task: info.id,
      bidder: {
        agentId: agent.id,
        name: agent.name,
        profile: agent.profile,
        role: agent.role,
        status: agent.status,
        load,
      },
      capabilities: input.capabilities,
      estimateMinutes: input.estimateMinutes,
      ...(input.note !== undefined ? { note: input.note } : {}),
    });
    if (!ack.bid) throw new DevMeshError('INTERNAL', `${info.home!.name} accepted the bid but sent no bid back`);
    return ack.bid;
  }

  /** accepts an award (CLAIMED → WORKING) or, on an open task, bids */
  async claim(input: TaskClaim): Promise<TaskInfo> {
    const info = this.get(input.task);
    if (info.state === 'BIDDING' || info.state === 'QUEUED') {
      await this.bid({ task: info.id, agent: input.agent, capabilities: [], estimateMinutes: 30 });
      return this.get(info.id);
    }
    return this.step(info, input.agent, 'WORKING');
  }

  update(input: TaskUpdate): Promise<TaskInfo> {
    const info = this.get(input.task);
    const step: ProgressStep = input.state ?? (info.state === 'PAUSED' ? 'PAUSED' : 'WORKING');
    return this.step(info, input.agent, step, input.note);
  }

  complete(input: TaskComplete): Promise<TaskInfo> {
    return this.step(this.get(input.task), input.agent, input.outcome, input.summary || undefined);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.subscription.dispose();
    this.channel.dispose();
    this.home.dispose();
    for (const p of this.pending.values()) {
      if (p.timer) clearTimeout(p.timer);
      p.settle?.reject(new DevMeshError('SHUTTING_DOWN', 'DevMesh is stopping; the teammate was not answered'));
    }
    this.pending.clear();
  }

  // ── the channel ─────────────────────────────────────────────────────────────────────────────────

  private onMessage(from: From, m: TasksMessage): void {
    switch (m.k) {
      case 'hello':
        return this.home.hello(from, m.keys);
      case 'snapshot':
        return this.replicas.snapshot(from, m.tasks);
      case 'task':
        return this.replicas.apply(from, m.task);
      case 'bid':
        return this.home.bid(from, m);
      case 'progress':
        return this.home.progress(from, m);
      case 'ack':
        return this.acked(from, m);
    }
  }

  private up(machine: LinkedMachine): void {
    this.home.up(machine);
    this.replicas.homeUp(machine);
    this.channel.send(machine.machineId, { k: 'hello', keys: this.keys() });
    // what this machine still owes that home, again: the home answers a known op with its first answer
    for (const p of this.pending.values()) if (p.home === machine.machineId) this.channel.send(p.home, p.m);
  }

  private down(machine: UnlinkedMachine): void {
    this.home.down(machine);
    this.replicas.homeDown(machine);
  }

  private onEvent(e: DevMeshEvent): void {
    if (e.type === 'task.changed') this.home.changed(e.task);
    else if (e.type === 'agent.status') this.replicas.agentStatus(e);
    else if (
      e.type === 'project.opened' ||
      e.type === 'project.identified' ||
      e.type === 'project.closed' ||
      e.type === 'project.reloaded'
    )
      this.channel.broadcast({ k: 'hello', keys: this.keys() });
  }

  private acked(from: From, ack: Ack): void {
    const p = this.pending.get(ack.op);
    if (!p || p.home !== from.machineId) return; // a late or a stranger's answer
    this.pending.delete(ack.op);
    if (p.timer) clearTimeout(p.timer);
    if (ack.task) this.replicas.apply(from, ack.task);
    p.settle?.resolve(ack);
    if (!ack.ok && !p.settle)
      this.deps.logger.warn(
        { domain: 'team', channel: 'tasks', home: from.name, op: ack.op, error: ack.error?.message },
        "a teammate's task refused a step reported after its caller stopped waiting",
      );
  }

  // ── forwarded steps ─────────────────────────────────────────────────────────────────────────────

  private async step(info: TaskInfo, actor: string, step: ProgressStep, note?: string): Promise<TaskInfo> {
    const home = info.home!;
    if (actor === 'user')
      throw new DevMeshError(
        'CONFLICT',
        `task ${info.id} is ${home.name}'s: a human changes it on ${home.name} (this machine's agents report their own)`,
      );
    const agent = this.localAgent(actor);
    if (info.assigneeId !== agent.id)
      throw new DevMeshError(
        'CONFLICT',
        `${agent.name} cannot change task ${info.id}: it is ${info.state}` +
          `${info.assigneeName ? `, assigned to ${info.assigneeName}` : ''}; only its assignee may`,
      );
    if (step === 'COMPLETED' || step === 'FAILED' || step === 'RELEASE') this.replicas.finishing(info.id);
    await this.request(
      info,
      {
        k: 'progress',
        op: TeamTasks.op(),
        task: info.id,
        agentId: agent.id,
        step,
        ...(note ? { note: note.slice(0, 8000) } : {}),
      },
      true,
    );
    return this.replicas.view(info.id) ?? { ...info, state: step === 'RELEASE' ? 'QUEUED' : step };
  }

  /** a step the replicas take on their own (WORKING after a delivery, RELEASE when the agent exits) */
  private report(home: string, task: string, agentId: string, step: ProgressStep, note?: string): void {
    const m: Forwarded = { k: 'progress', op: TeamTasks.op(), task, agentId, step, ...(note ? { note } : {}) };
    this.pending.set(m.op, { home, m, keep: true, settle: null, timer: null });
    this.channel.send(home, m);
  }

  private request(info: TaskInfo, m: Forwarded, keep = false): Promise<Ack> {
    const home = info.home!;
    return new Promise<Ack>((resolve, reject) => {
      const p: Pending = { home: home.machineId, m, keep, settle: null, timer: null };
      const unreachable = (what: string) =>
        new DevMeshError(
          'MACHINE_UNREACHABLE',
          `task ${info.id} is decided by ${home.name}, which ${what}` +
            (keep ? '; the step is kept and sent again when its link comes back' : '; try again once it is linked'),
        );
      p.settle = {
        resolve: (ack) => (ack.ok ? resolve(ack) : reject(TeamTasks.refusal(home.name, ack))),
        reject,
      };
      this.pending.set(m.op, p);
      if (!this.channel.send(home.machineId, m)) {
        if (!keep) this.pending.delete(m.op);
        p.settle = null;
        reject(unreachable('is unreachable now'));
        return;
      }
      p.timer = setTimeout(() => {
        p.timer = null;
        p.settle = null;
        if (!keep) this.pending.delete(m.op);
        reject(unreachable(`did not answer within ${Math.round(this.ackTimeoutMs / 1000)} s`));
      }, this.ackTimeoutMs);
      p.timer.unref();
    });
  }

  private get ackTimeoutMs(): number {
    return this.deps.ackTimeoutMs ?? 15_000;
  }

  private localAgent(ref: string): AgentRecord {
    const agent = this.deps.agents.list().find((a) => a.id === ref || a.name === ref);
    if (!agent)
      throw new DevMeshError(
        'AGENT_NOT_FOUND',
        `no agent "${ref}" on this machine; list agents with \`devmesh agent ls\``,
      );
    return agent;
  }

  // ── projects by key ─────────────────────────────────────────────────────────────────────────────

  private keys(): string[] {
    const keys = new Set<string>();
    for (const p of this.deps.projects.all()) if (p.identity && !p.identity.localOnly) keys.add(p.identity.key);
    return [...keys];
  }

  private keyAt(root: string): string | null {
    const p = this.deps.projects.all().find((x) => TaskEligibility.samePath(x.root, root));
    return p?.identity && !p.identity.localOnly ? p.identity.key : null;
  }

  private projectOf(key: string): { id: string; root: string } | null {
    const p = this.deps.projects.all().find((x) => x.identity?.key === key && !x.identity.localOnly);
    return p ? { id: p.id, root: p.root } : null;
  }

  /** a frame, a link change or an event handled here never takes the daemon down */
  private contained(run: () => void): void {
    try {
      run();
    } catch (err) {
      this.deps.logger.error({ domain: 'team', channel: 'tasks', err: (err as Error).message }, 'a task frame failed');
    }
  }

  private static refusal(home: string, ack: Ack): DevMeshError {
    const code = ack.error?.code as ErrorCode | undefined;
    const known = code !== undefined && (ERROR_CODES as readonly string[]).includes(code);
    return new DevMeshError(known ? code : 'INTERNAL', `${home}: ${ack.error?.message ?? 'refused'}`);
  }

  private static op(): string {
    return randomBytes(12).toString('base64url');
  }
}
