// Starts AI coding agents in terminals and follows them: the request checked (planAgentStart) → optional git
// worktree on a new branch (rolled back if the launch fails) → the CLI in a terminal (spawnAgentTerminal) → a
// persisted record → status from the output (LiveAgent) → exit, judged by the supervisor (judgeExit). Records
// outlive the daemon and can be relaunched.
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import type { Logger } from 'pino';
import { DevMeshError } from '../../../shared/errors.js';
import {
  CUSTOM_AGENT_PROFILE,
  type AgentProfile,
  type AgentPromptMethod,
  type AgentRecord,
  type AgentResources,
  type AgentStartInput,
  type AgentStatusEvent,
} from '../../../shared/agent.js';
import type { Disposable } from '../base/disposable.js';
import { Emitter } from '../base/emitter.js';
import type { AgentStatusChange } from './agent-status-detector.js';
import type { AgentProfiles } from './agent-profiles.js';
import type { AgentSessionSetup } from './agent-session-setup.js';
import type { AgentStore } from './agent-store.js';
import type { ResourceBudget } from './resource-budget.js';
import { agentDirectory, type AgentProjectResolver } from './agent-directory.js';
import { judgeExit, type AgentExitJudge } from './agent-exit-judge.js';
import { planAgentStart } from './agent-start-plan.js';
import { spawnAgentTerminal } from './agent-terminal-spawn.js';
import { LiveAgent, type TypedTask } from './live-agent.js';
import type { TerminalExit, TerminalLauncher } from './terminal-launcher.js';
import type { WorktreeManager } from './worktree-manager.js';
import { rollBackWorktree } from './worktree-rollback.js';

export type { AgentExitJudge } from './agent-exit-judge.js';
export type { AgentProjectResolver } from './agent-directory.js';

export interface AgentManagerDeps {
  store: AgentStore;
  launcher: TerminalLauncher;
  profiles: AgentProfiles;
  worktrees: WorktreeManager;
  budget: ResourceBudget;
  projects?: AgentProjectResolver;
  /** DevMesh's MCP server and lock hooks for each launch (absent: the agent gets neither) */
  session?: AgentSessionSetup;
  logger?: Logger;
  now?: () => number;
  /** how often quiet agents are checked for idleness (default 1 s) */
  tickMs?: number;
  /** quiet time after output that means idle (default 5 s) */
  quietMs?: number;
  /** a typed prompt is sent after this long even if the CLI never looked ready (default 15 s) */
  promptMaxWaitMs?: number;
}

type Listener = (event: AgentStatusEvent) => void;

export class AgentManager implements Disposable {
  private readonly live = new Map<string, LiveAgent>();
  private readonly statusChanges: Emitter<AgentStatusEvent>;
  private readonly removals = new Emitter<AgentRecord>({ name: 'agent removal' });
  private readonly ticker: NodeJS.Timeout;
  private readonly now: () => number;
  private judge: AgentExitJudge | null = null;

  constructor(private readonly deps: AgentManagerDeps) {
    this.now = deps.now ?? Date.now;
    this.statusChanges = new Emitter({
      onListenerError: (err) =>
        this.deps.logger?.warn({ domain: 'agents', err: (err as Error).message }, 'an agent status listener threw'),
    });
    this.ticker = setInterval(() => {
      for (const agent of this.live.values()) agent.detector.tick(this.now());
    }, deps.tickMs ?? 1000);
    this.ticker.unref();
    this.restore();
  }

  onDidChangeStatus(listener: Listener): Disposable {
    return this.statusChanges.event(listener);
  }

  /** an exited agent was forgotten (`remove`) */
  readonly onDidRemove = this.removals.event;

  /** Crashes are judged (and maybe relaunched) by `judge` from now on. */
  supervise(judge: AgentExitJudge): Disposable {
    this.judge = judge;
    return { dispose: () => void (this.judge === judge && (this.judge = null)) };
  }

  list(): AgentRecord[] {
    return this.deps.store.list();
  }

  get(idOrName: string): AgentRecord {
    const record = this.deps.store.find(idOrName);
    if (!record) throw new DevMeshError('BAD_REQUEST', `no agent "${idOrName}"; list agents with \`devmesh agent ls\``);
    return record;
  }

  async start(raw: AgentStartInput): Promise<AgentRecord> {
    const plan = planAgentStart(raw, {
      profiles: this.deps.profiles,
      budget: this.deps.budget,
      find: (n) => this.deps.store.find(n),
      held: () => this.held(),
    });
    const { input, profile, promptMethod } = plan;
    let cwd = agentDirectory(this.deps.projects, input.project, input.cwd);
    let worktree: AgentRecord['worktree'] = null;
    if (input.worktree !== undefined) {
      worktree = await this.deps.worktrees.create({ repo: cwd, branch: input.worktree, base: input.base });
      cwd = worktree.path;
    }
    const now = this.now();
    const record: AgentRecord = {
      id: `agent-${randomBytes(5).toString('hex')}`,
      name: plan.name,
      profile: profile ? profile.id : CUSTOM_AGENT_PROFILE,
      role: input.role ?? null,
      cwd,
      project: input.project ?? null,
      command: plan.command,
      args: plan.args,
      worktree,
      terminalId: null,
      task: input.prompt ?? null,
      status: 'starting',
      statusReason: null,
      exitCode: null,
      createdAt: now,
      updatedAt: now,
      resources: plan.resources,
      supervise: input.supervise ?? true,
      unattended: input.unattended ?? false,
    };
    try {
      return await this.launch(
        record,
        profile,
        input.prompt ?? null,
        promptMethod,
        { cols: input.cols ?? 120, rows: input.rows ?? 32 },
        true,
      );
    } catch (err) {
      if (worktree) await rollBackWorktree(this.deps.worktrees, worktree, err, this.deps.logger);
      throw err;
    }
  }

  /** Starts an exited agent again, with the same command in the same folder; `withTask` sends its task again. */
  async relaunch(
    idOrName: string,
    options: { withTask?: boolean; cols?: number; rows?: number; afterCrash?: string } = {},
  ): Promise<AgentRecord> {
    const record = this.get(idOrName);
    // an agent waiting for the supervisor's relaunch is not running: it may be relaunched now
    if (this.live.has(record.id) || (record.status !== 'exited' && options.afterCrash === undefined))
      throw new DevMeshError(
        'CONFLICT',
        `agent "${record.name}" is still ${record.status}; stop it before relaunching`,
      );
    if (!existsSync(record.cwd) || !statSync(record.cwd).isDirectory()) {
      throw new DevMeshError(
        'BAD_REQUEST',
        `agent "${record.name}" worked in ${record.cwd}, which no longer exists; start a new agent instead`,
      );
    }
    this.deps.budget.check(record.resources, this.held(record.id), `agent "${record.name}"`);
    const profile = record.profile === CUSTOM_AGENT_PROFILE ? null : (this.deps.profiles.find(record.profile) ?? null);
    const method: AgentPromptMethod = profile ? profile.prompt : { kind: 'typed' };
    const task = options.withTask && record.task !== null && method.kind !== 'none' ? record.task : null;
    const size = { cols: options.cols ?? 120, rows: options.rows ?? 32 };
    return this.launch(record, profile, task, method, size, false, options.afterCrash);
  }

  /** An agent waiting for a relaunch after a crash will not get one: it has exited, for `reason`. */
  abandonRelaunch(agentId: string, reason: string): void {
    const record = this.deps.store.get(agentId);
    if (!record || record.status === 'exited' || this.live.has(agentId)) return;
    this.judge?.cancel(agentId);
    const exited = this.deps.store.update(agentId, { status: 'exited', statusReason: reason, updatedAt: this.now() });
    this.announce(exited, { from: record.status, to: 'exited', reason, ts: exited.updatedAt });
  }

  /**
   * Someone typed into the agent's terminal (the wiring forwards terminal input here): a prompt on screen
   * is answered, so the agent is working again rather than waiting until enough new output scrolls it away.
   */
  noteInput(idOrName: string): void {
    const record = this.deps.store.find(idOrName);
    const agent = record ? this.live.get(record.id) : undefined;
    agent?.detector.noteInput(this.now());
  }

  /**
   * When input was last written to the running agent's terminal (a typed prompt, the user); null: none, or
   * it is not running.
   */
  lastInputAt(idOrName: string): number | null {
    const record = this.deps.store.find(idOrName);
    return (record && this.live.get(record.id)?.detector.lastInputAt) ?? null;
  }

  /** Someone typed into a terminal: if an agent runs in it, its prompt on screen has been answered. */
  noteTerminalInput(terminalId: string): void {
    for (const agent of this.live.values()) if (agent.terminalId === terminalId) agent.detector.noteInput(this.now());
  }

  /** Ends the agent's terminal (SIGTERM, then SIGKILL after `graceMs`) and resolves once it has exited. */
  async stop(idOrName: string, options: { graceMs?: number } = {}): Promise<AgentRecord> {
    const record = this.get(idOrName);
    const agent = this.live.get(record.id);
    if (!agent) {
      this.abandonRelaunch(record.id, 'stopped by request while it waited to be relaunched');
      return this.get(record.id);
    }
    agent.stopping = true;
    this.deps.launcher.kill(agent.terminalId, 'SIGTERM');
    const grace = options.graceMs ?? 5000;
    const ended = await Promise.race([
      agent.exited.then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), grace).unref()),
    ]);
    if (!ended) {
      this.deps.launcher.kill(agent.terminalId, 'SIGKILL');
      await Promise.race([agent.exited, new Promise<void>((r) => setTimeout(r, 2000).unref())]);
    }
    return this.get(record.id);
  }

  /** Forgets an exited agent; optionally removes its worktree (and branch). */
  async remove(
    idOrName: string,
    options: { removeWorktree?: boolean; deleteBranch?: boolean; force?: boolean } = {},
  ): Promise<void> {
    const record = this.get(idOrName);
    if (record.status !== 'exited')
      throw new DevMeshError(
        'CONFLICT',
        `agent "${record.name}" is ${record.status}; stop it first (devmesh agent stop ${record.name})`,
      );
    if (record.worktree && options.removeWorktree) {
      await this.deps.worktrees.remove({
        repo: record.worktree.repo,
        path: record.worktree.path,
        branch: record.worktree.branch,
        deleteBranch: options.deleteBranch,
        force: options.force,
      });
    }
    this.judge?.cancel(record.id);
    this.deps.store.delete(record.id);
    this.deps.session?.clean(record.id);
    this.removals.fire(record);
  }

  dispose(): void {
    clearInterval(this.ticker);
    for (const agent of this.live.values()) agent.dispose();
    this.live.clear();
    this.statusChanges.dispose();
    this.removals.dispose();
    this.deps.store.dispose(); // last try for status changes a full disk kept from the store
  }

  private async launch(
    record: AgentRecord,
    profile: AgentProfile | null,
    prompt: string | null,
    method: AgentPromptMethod,
    size: { cols: number; rows: number },
    fresh: boolean,
    afterCrash?: string,
  ): Promise<AgentRecord> {
    const terminalId = await spawnAgentTerminal(this.deps, { record, profile, prompt, method, size, fresh });
    const started = {
      ...record,
      terminalId,
      status: 'starting' as const,
      statusReason: fresh ? 'launched' : (afterCrash ?? 'relaunched'),
      exitCode: null,
      updatedAt: this.now(),
    };
    const saved = fresh ? this.deps.store.insert(started) : this.deps.store.update(record.id, started);
    this.attach(saved, profile, prompt !== null && method.kind === 'typed' ? { text: prompt, method } : null);
    const { id, name, cwd } = saved;
    this.deps.logger?.info(
      { domain: 'agents', agent: id, name, profile: saved.profile, terminal: terminalId, cwd },
      'agent started',
    );
    // faces and the task board learn of a new agent now, not at its first change of status
    this.announce(saved, {
      from: fresh ? 'starting' : record.status,
      to: 'starting',
      reason: saved.statusReason,
      ts: saved.updatedAt,
    });
    return saved;
  }

  private attach(record: AgentRecord, profile: AgentProfile | null, task: TypedTask | null): void {
    const agent: LiveAgent = new LiveAgent(record, profile, task, {
      launcher: this.deps.launcher,
      now: this.now,
      logger: this.deps.logger,
      quietMs: this.deps.quietMs,
      promptMaxWaitMs: this.deps.promptMaxWaitMs,
      statusChanged: (change) => this.statusChanged(record.id, change),
      ended: (exit) => this.exited(record.id, agent, exit),
    });
    // registered before it follows the terminal: an exit heard at once finds it
    this.live.set(record.id, agent);
    agent.follow();
  }

  private statusChanged(agentId: string, change: AgentStatusChange): void {
    if (change.to === 'exited') return; // exited() writes the record with the exit code, then announces it
    const record = this.deps.store.update(agentId, {
      status: change.to,
      statusReason: change.reason,
      updatedAt: change.ts,
    });
    this.announce(record, change);
  }

  private exited(agentId: string, agent: LiveAgent, exit: TerminalExit): void {
    if (this.live.get(agentId) !== agent) return;
    const from = agent.detector.status;
    agent.detector.exit(exit.exitCode, this.now(), exit.signal);
    agent.dispose();
    this.live.delete(agentId);
    const { status, reason } = judgeExit(
      this.judge,
      this.deps.store.get(agentId),
      exit,
      agent.stopping,
      agent.detector.statusReason,
    );
    const record = this.deps.store.update(agentId, {
      status,
      statusReason: reason,
      exitCode: exit.exitCode,
      updatedAt: this.now(),
    });
    this.deps.logger?.info(
      { domain: 'agents', agent: agentId, exitCode: exit.exitCode, signal: exit.signal },
      'agent exited',
    );
    this.announce(record, { from, to: status, reason, ts: record.updatedAt });
  }

  private announce(record: AgentRecord, change: AgentStatusChange): void {
    const event: AgentStatusEvent = {
      type: 'agent.status',
      ts: change.ts,
      agentId: record.id,
      name: record.name,
      from: change.from,
      to: change.to,
      reason: change.reason,
      record,
    };
    this.statusChanges.fire(event);
  }

  // After a restart: an agent whose terminal survived (a daemon that kept its PTYs) is followed again; the
  // others ended with the old process and are marked exited, so they stop holding budget.
  private restore(): void {
    for (const record of this.deps.store.list()) {
      if (record.status === 'exited') continue;
      if (record.terminalId && this.deps.launcher.isRunning?.(record.terminalId)) {
        const profile = this.deps.profiles.find(record.profile) ?? null;
        this.attach(record, profile, null);
        continue;
      }
      this.deps.store.update(record.id, {
        status: 'exited',
        statusReason: 'its terminal ended when DevMesh stopped; relaunch it',
        updatedAt: this.now(),
      });
    }
  }

  private held(exceptId?: string): AgentResources[] {
    return this.deps.store
      .list()
      .filter((r) => r.status !== 'exited' && r.id !== exceptId)
      .map((r) => this.deps.budget.holding(r.id, r.resources));
  }
}
