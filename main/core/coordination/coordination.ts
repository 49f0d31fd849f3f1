// How agents work together, wired in one place: lock spaces per project root, the audit chain every
// decision goes to, the task board, messages and the shared state. Created by DevMeshCore; the API's
// locks.*, audit.*, tasks.*, messages.* and state.* calls land here. A decision a caller waits for (a lock
// acquired, a task step, an agent started, state set) is a method here whose promise resolves once its
// audit entries are on disk (AuditTrail.decide); reads go to the parts (locks, tasks, state, messages).
//
// Liveness, the way the issue asks for it:
// - an agent's locks are heartbeated by DevMesh while its terminal runs (and by its MCP server), so they
//   expire only when nobody vouches for the holder (a CLI or script holding locks through the API);
// - an agent whose terminal exits loses every lock at once, and its tasks are abandoned and re-queued;
// - activity (status changes, API calls naming the agent) keeps its tasks from being judged silent.
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import type { AgentRecord, AgentStartInput } from '../../../shared/agent.js';
import type { LockInfo } from '../../../shared/lock.js';
import type { StateEntry } from '../../../shared/message.js';
import type { Bid, TaskInfo } from '../../../shared/task.js';
import type { AuditAppend } from '../../../shared/audit.js';
import { DevMeshError } from '../../../shared/errors.js';
import type { DevMeshEvent } from '../../../shared/events.js';
import type { AgentManager } from '../agents/agent-manager.js';
import { AuditLog, type AuditDurability } from '../audit/audit-log.js';
import * as auditEntries from '../audit/audit-entries.js';
import { AuditTrail } from '../audit/audit-trail.js';
import type { EventBus } from '../events/event-bus.js';
import type { Disposable } from '../base/disposable.js';
import { SystemLockClock, type LockClock } from '../locks/lock-clock.js';
import type { DaemonHealth } from '../health/daemon-health.js';
import { LockSpaces } from '../locks/lock-spaces.js';
import type { ProjectManager } from '../projects/project-manager.js';
import type { Database } from '../store/database.js';
import { RemoteBidders } from '../tasks/remote-bidders.js';
import { TaskBoard } from '../tasks/task-board.js';
import { TaskStore } from '../tasks/task-store.js';
import type { TerminalManager } from '../terminals/terminal-manager.js';
import { MessageBoard } from './message-board.js';
import { SharedState } from './shared-state.js';
import type { StateGate } from './state-gate.js';

export interface CoordinationDeps {
  database: Database;
  events: EventBus;
  projects: ProjectManager;
  agents: AgentManager;
  terminals: TerminalManager;
  /** `$DEVMESH_HOME/audit.jsonl` */
  auditMirrorPath: string;
  /** the daemon's health ledger: the audit chain's outages, and what the lock and task timers threw */
  health?: DaemonHealth;
  /** the folder whose disk keeps the audit reserve ($DEVMESH_HOME) */
  homeDir?: string;
  /** 'grouped' by default: the API acknowledges a call once its decisions are on disk (see AuditLog) */
  auditDurability?: AuditDurability;
  logger: Logger;
  clock?: LockClock;
  /** how often DevMesh heartbeats the locks of agents whose terminal runs (default 10 s; locks live 30 s + 10 s grace) */
  heartbeatMs?: number;
  biddingWindowMs?: number;
  silentAfterMs?: number;
  /** ids for new locks, never repeated across restarts (RecoveryModule.nextLockId) */
  nextLockId?: () => string;
}

const TIMER_RULE =
  'the lock expiry or task award that failed is tried again at its next turn (an award waits for the next ' +
  'bidding window); locks, tasks and the daemon keep running';

export class Coordination implements Disposable {
  readonly audit: AuditLog;
  /** the one way a decision reaches the chain */
  readonly trail: AuditTrail;
  readonly locks: LockSpaces;
  readonly messages: MessageBoard;
  readonly state: SharedState;
  readonly tasks: TaskBoard;
  /** teammates' agents bidding for this machine's tasks (filled by the team's task part) */
  readonly remoteBidders = new RemoteBidders();
  private readonly subscriptions: Disposable[] = [];
  private readonly heartbeat: NodeJS.Timeout;
  private stateGate: StateGate | null = null;

  constructor(private readonly deps: CoordinationDeps) {
    const { database, events, projects, agents, logger, health } = deps;
    this.audit = new AuditLog(database, {
      mirrorPath: deps.auditMirrorPath,
      durability: deps.auditDurability ?? 'grouped',
      ...(health ? { health } : {}),
      ...(deps.homeDir ? { homeDir: deps.homeDir } : {}),
    });
    const clock =
      deps.clock ??
      new SystemLockClock((err) => {
        health?.fail({ component: 'lock and task timers', error: err, where: database.db.name, rule: TIMER_RULE });
        logger.error(
          { domain: 'coordination', err: (err as Error)?.message ?? String(err) },
          'a lock or task timer failed',
        );
      });
    if (this.audit.openReport.restoredLines > 0 || this.audit.openReport.tornBytes > 0) {
      logger.warn(
        { domain: 'audit', ...this.audit.openReport },
        'the audit mirror was behind SQLite after a crash and was restored',
      );
    }
    this.trail = new AuditTrail({
      log: this.audit,
      logger,
      health,
      mirrorPath: deps.auditMirrorPath,
      homeDir: deps.homeDir ?? dirname(deps.auditMirrorPath),
    });
    const findAgent = (idOrName: string): AgentRecord | null => {
      try {
        return agents.get(idOrName);
      } catch {
        return null;
      }
    };
    const projectPort = {
      resolve: (ref: string | undefined) => {
        const p = projects.resolve(ref);
        return { id: p.id, root: p.root };
      },
      idAt: (root: string) => projects.all().find((p) => p.root === root)?.id ?? null,
    };
    this.locks = new LockSpaces({
      projects: projectPort,
      agents: { find: (ref) => findAgent(ref) ?? this.remoteBidders.find(ref) },
      emit: (e) => {
        // the lock spaces' decisions (granted, refused, released, expired) are recorded as they are made
        const entry = auditEntries.lockEntry(e);
        if (entry) this.trail.observe(entry);
        events.emit(e);
      },
      clock,
      nextLockId: deps.nextLockId,
    });
    this.messages = new MessageBoard(
      database,
      {
        resolve: (party) => {
          if (party === 'user' || party === 'devmesh') return { id: party, name: party };
          if (party === '*') return { id: '*', name: 'everyone' };
          const agent = findAgent(party);
          return agent ? { id: agent.id, name: agent.name } : null;
        },
        roleOf: (reader) => findAgent(reader)?.role ?? null,
      },
      (message) => events.emit({ type: 'message.posted', ts: message.ts, message }),
    );
    this.state = new SharedState(database, (key, entry, by) => {
      this.trail.observe(entry === null ? auditEntries.stateDeleted(key, by) : auditEntries.stateSet(key, entry));
      events.emit({ type: 'state.changed', ts: Date.now(), key, entry });
    });
    this.tasks = new TaskBoard({
      store: new TaskStore(database),
      locks: (root) => this.locks.at(root).manager,
      acquireAll: (root, requests) => this.locks.tryAcquireAll(root, requests),
      projects: projectPort,
      agents: {
        live: () => [...agents.list().filter((a) => a.status !== 'exited'), ...this.remoteBidders.live()],
        find: (ref) => findAgent(ref) ?? this.remoteBidders.find(ref),
        deliver: (agentId, text) => this.deliver(agentId, text),
      },
      extraLoad: (agentId) => this.remoteBidders.load(agentId),
      audit: (entry) => this.trail.observe(entry),
      emit: (event) => events.emit(event),
      notify: (agentId, body, task) => {
        // a teammate's agent is offered the task by its own machine (the team's task part)
        if (this.remoteBidders.machineOf(agentId)) return;
        this.messages.send({ from: 'devmesh', to: agentId, body, task });
      },
      clock,
      canDecide: () => this.canDecide(),
      biddingWindowMs: deps.biddingWindowMs,
      silentAfterMs: deps.silentAfterMs,
      logger: logger.child({ domain: 'tasks' }),
    });
    this.subscriptions.push(
      events.onDidEmitEvent((event) => {
        // decisions other domains take (services changing state, agents exiting, version alerts) reach the
        // chain from their event; the event has happened, so a failed append goes to the health ledger
        const decided = ['service.state', 'agent.status', 'alert.raised', 'agent.supervised'];
        if (decided.includes(event.type)) {
          const entry = auditEntries.entryFor(event);
          if (entry) this.trail.observe(entry);
        }
        this.follow(event);
      }),
    );
    this.heartbeat = setInterval(() => {
      for (const agent of agents.list()) if (agent.status !== 'exited') this.locks.heartbeat(agent.id);
    }, deps.heartbeatMs ?? 10_000);
    this.heartbeat.unref();
  }

  /** An agent's id for its name (decisions are recorded by ids); `user`, `devmesh` and unknown names unchanged. */
  idOf(actor: string): string {
    return this.safeFind(actor)?.id ?? actor;
  }

  /** An API call naming an agent: it is alive (its tasks are not silent). Unknown names are left to the call. */
  activity(agentIdOrName: string): void {
    if (agentIdOrName === 'user' || agentIdOrName === '*') return;
    const agent = this.safeFind(agentIdOrName);
    if (agent) this.tasks.agentActivity(agent.id);
  }

  // ---- decisions a caller waits for: each resolves once its entries are on disk ----

  acquireLock(project: string | undefined, request: Parameters<LockSpaces['acquire']>[1]): Promise<LockInfo> {
    return this.trail.decide(
      `a ${request.mode} lock for ${request.holder}`,
      () => this.locks.acquire(project, request),
      (lock) => void this.locks.release(project, lock.holder, lock.id),
    );
  }

  releaseLock(project: string | undefined, holder: string, lockId: string): Promise<LockInfo> {
    return this.trail.decide(`releasing lock ${lockId}`, () => this.locks.release(project, holder, lockId));
  }

  releaseLocks(project: string | undefined, holder: string, session?: string): Promise<number> {
    return this.trail.decide(`releasing the locks of ${holder}`, () => this.locks.releaseAll(project, holder, session));
  }

  /** `by` names an agent by id or name: recorded by its id, as lock holders and message parties are */
  postTask(input: Parameters<TaskBoard['create']>[0]): Promise<TaskInfo> {
    return this.trail.decide(`posting task "${input.title}"`, () =>
      this.tasks.create({ ...input, by: this.idOf(input.by) }),
    );
  }

  cancelTask(input: Parameters<TaskBoard['cancel']>[0]): Promise<TaskInfo> {
    return this.trail.decide(`cancelling task ${input.task}`, () =>
      this.tasks.cancel({ ...input, by: this.idOf(input.by) }),
    );
  }

  bid(input: Parameters<TaskBoard['bid']>[0]): Promise<Bid> {
    return this.trail.decide(`a bid for task ${input.task}`, () => this.tasks.bid(input));
  }

  claimTask(input: Parameters<TaskBoard['claim']>[0]): Promise<TaskInfo> {
    return this.trail.decide(`claiming task ${input.task}`, () => this.tasks.claim(input));
  }

  updateTask(input: Parameters<TaskBoard['update']>[0]): Promise<TaskInfo> {
    return this.trail.decide(`updating task ${input.task}`, () => this.tasks.update(input));
  }

  completeTask(input: Parameters<TaskBoard['complete']>[0]): Promise<TaskInfo> {
    return this.trail.decide(`completing task ${input.task}`, () => this.tasks.complete(input));
  }

  /**
   * With teammates linked, the set first takes the key's mesh-wide compare-and-set right (StateGate), so of two
   * machines setting one key from one version exactly one wins; the outcome reaches them before the right is
   * given back.
   */
  async setState(input: Parameters<SharedState['set']>[0]): Promise<StateEntry | null> {
    const by = this.idOf(input.by);
    const claim = (await this.stateGate?.claim(input.key, by)) ?? null;
    try {
      if (claim?.stale) throw new DevMeshError('CONFLICT', claim.stale);
      const before = this.state.get(input.key)?.version ?? 0;
      const entry = await this.trail.decide(`setting ${input.key}`, () => this.state.set({ ...input, by }));
      claim?.publish(input.key, entry, entry?.version ?? before + 1);
      return entry;
    } finally {
      claim?.release();
    }
  }

  /** Plugs in the mesh-wide compare-and-set right; disposing it unplugs it. */
  useStateGate(gate: StateGate): Disposable {
    this.stateGate = gate;
    return { dispose: () => void (this.stateGate === gate && (this.stateGate = null)) };
  }

  /** An agent that runs without its entry in the chain is stopped again, and the call refused. */
  startAgent(input: AgentStartInput, by = 'user'): Promise<AgentRecord> {
    return this.trail.decide(
      `starting agent ${input.profile}`,
      async () => {
        const record = await this.deps.agents.start(input);
        const data = {
          agentId: record.id,
          profile: record.profile,
          cwd: record.cwd,
          worktree: record.worktree?.branch ?? null,
          task: record.task?.slice(0, 200) ?? null,
        };
        await this.recordOrStop(record, { actor: by, kind: 'agent.started', subject: record.name, data });
        return record;
      },
      async (record) => void (await this.stopNow(record.id, 'devmesh')),
    );
  }

  relaunchAgent(idOrName: string, by = 'user'): Promise<AgentRecord> {
    return this.trail.decide(`relaunching agent ${idOrName}`, async () => {
      const record = await this.deps.agents.relaunch(idOrName);
      await this.recordOrStop(record, {
        actor: by,
        kind: 'agent.relaunched',
        subject: record.name,
        data: { agentId: record.id },
      });
      return record;
    });
  }

  stopAgent(idOrName: string, by = 'user'): Promise<AgentRecord> {
    return this.trail.decide(`stopping agent ${idOrName}`, () => this.stopNow(idOrName, by));
  }

  private async recordOrStop(record: AgentRecord, entry: AuditAppend): Promise<void> {
    try {
      this.trail.record(entry);
    } catch (err) {
      await this.deps.agents.stop(record.id).catch((stopErr: unknown) => {
        this.deps.logger.error(
          { domain: 'agents', agent: record.name, err: (stopErr as Error).message },
          'could not stop an agent whose start was not recorded',
        );
      });
      throw err;
    }
  }

  private stopNow(idOrName: string, by: string): Promise<AgentRecord> {
    const before = this.deps.agents.get(idOrName);
    if (before.status !== 'exited')
      this.trail.record({ actor: by, kind: 'agent.stopped', subject: before.name, data: { agentId: before.id } });
    return this.deps.agents.stop(idOrName);
  }

  /** May a decision be taken now (the audit chain can record it)? For decisions timers take (awards). */
  canDecide(): boolean {
    return this.trail.canDecide('a task award');
  }

  /** A decision to keep, for callers that refuse their own on failure (recovery): logged and thrown. */
  record(entry: AuditAppend): void {
    this.trail.record(entry);
  }

  dispose(): void {
    clearInterval(this.heartbeat);
    for (const s of this.subscriptions) s.dispose();
    this.tasks.dispose();
    this.locks.dispose();
    this.trail.dispose();
    this.audit.dispose();
  }

  private follow(event: DevMeshEvent): void {
    if (event.type === 'agent.supervised') {
      // a crashed agent keeps its tasks: their prompts are typed again once it is back at its prompt
      if (event.action === 'relaunching') this.tasks.agentCrashed(event.agentId, event.name, event.reason);
      if (event.action === 'gave-up')
        this.messages.send({ from: 'devmesh', to: 'user', body: `Agent ${event.name} ${event.reason}` });
      return;
    }
    if (event.type !== 'agent.status') return;
    // Tasks first: abandoning them releases their locks as the task's, so the lock binder does not take a
    // task lock back for an agent that is gone when releaseHolder drops it.
    this.tasks.agentStatusChanged(event);
    if (event.to === 'exited')
      this.locks.releaseHolder(event.agentId, `agent ${event.name} exited (${event.reason ?? 'its terminal ended'})`);
  }

  /** Types one line and Enter into a local agent's terminal (task prompts, messages at an idle prompt); false: not running here. */
  deliver(agentId: string, text: string): boolean {
    const agent = this.safeFind(agentId);
    if (!agent || agent.status === 'exited' || agent.terminalId === null) return false;
    try {
      // One line and Enter: a newline inside would submit its first line alone in most agent TUIs.
      this.deps.terminals.input(agent.terminalId, `${text.replace(/\r?\n/g, ' ')}\r`);
    } catch (err) {
      if (err instanceof DevMeshError) return false;
      throw err;
    }
    this.deps.agents.noteInput(agent.id);
    return true;
  }

  private safeFind(idOrName: string): AgentRecord | null {
    try {
      return this.deps.agents.get(idOrName);
    } catch {
      return null;
    }
  }
}
