// What agents cost, wired: the loopback OTLP receiver, the telemetry each launch gets (AgentTelemetry, handed
// to the agents module before it is built), the ledger that attributes figures to agents and tasks, and the
// budgets that warn, then stop. Built before the agents (they need `telemetry`), started once Coordination
// exists (tasks, messages, the audit chain, audited stops); the API's usage.* calls land here.
import type { Logger } from 'pino';
import { DevMeshError } from '../../../shared/errors.js';
import type { AgentUsage, TaskUsage, UsageBudget, UsageFigures, UsageReceiver } from '../../../shared/usage.js';
import type { AgentManager } from '../agents/agent-manager.js';
import type { Disposable } from '../base/disposable.js';
import type { Coordination } from '../coordination/coordination.js';
import { StoreGuard } from '../health/store-guard.js';
import type { StoreModule } from '../store/store-module.js';
import { AgentTelemetry } from './agent-telemetry.js';
import { OtlpReceiver } from './otlp-receiver.js';
import { UsageBudgets, describeAmount, type UsageBudgetActions } from './usage-budgets.js';
import { UsageLedger, type UsageAgentPort } from './usage-ledger.js';
import { UsageStore } from './usage-store.js';

export const USAGE_STORE_RULE =
  'agents keep running; their exports are answered 503 and the CLIs send them again later, so no figure ' +
  'is lost while their exporters retry';

export interface UsageModuleDeps {
  store: StoreModule;
  logger: Logger;
  /** the receiver's port (default 0: any free one) */
  port?: number;
  now?: () => number;
}

export interface UsageStartDeps {
  agents: AgentManager;
  coordination: Coordination;
}

const ACTIVE_TASK_STATES = ['CLAIMED', 'WORKING', 'PAUSED'] as const;

export class UsageModule implements Disposable {
  readonly telemetry: AgentTelemetry;
  readonly receiver: OtlpReceiver;
  private readonly store: UsageStore;
  private readonly guard: StoreGuard;
  private readonly logger: Logger;
  private ledger: UsageLedger | null = null;
  private budgets: UsageBudgets | null = null;
  private started: UsageStartDeps | null = null;

  constructor(private readonly deps: UsageModuleDeps) {
    this.logger = deps.logger.child({ domain: 'usage' });
    this.store = new UsageStore(deps.store.database);
    this.guard = new StoreGuard(deps.store.health, {
      component: 'usage figures',
      where: deps.store.database.path,
      rule: USAGE_STORE_RULE,
    });
    this.receiver = new OtlpReceiver({
      ingest: (readings) => {
        if (this.ledger === null) return { counted: 0, unknownAgent: readings.length, stored: true };
        return this.ledger.ingest(readings);
      },
      logger: this.logger,
      port: deps.port,
    });
    this.telemetry = new AgentTelemetry({
      endpoint: () => this.receiver.endpoint,
      baseEnv: deps.store.baseEnv,
      launchRefusal: (id) =>
        this.ledger === null || this.budgets === null ? null : this.budgets.launchRefusal(this.ledger.usageOf(id)),
    });
  }

  /** Wires the ledger to agents and Coordination, and listens; a busy port leaves agents without figures. */
  async start(deps: UsageStartDeps): Promise<void> {
    this.started = deps;
    const agents: UsageAgentPort = {
      find: (id) => {
        const record = this.findAgent(id);
        return record && record.id === id ? record : null;
      },
      currentTask: (id) =>
        deps.coordination.tasks.list({ assignee: id, states: [...ACTIVE_TASK_STATES] })[0]?.id ?? null,
    };
    this.budgets = new UsageBudgets({
      store: this.store,
      guard: this.guard,
      actions: this.actions(deps),
      now: this.deps.now,
    });
    this.ledger = new UsageLedger({
      store: this.store,
      guard: this.guard,
      agents,
      budgets: this.budgets,
      emit: (e) => this.deps.store.events.emit(e),
      now: this.deps.now,
    });
    try {
      await this.receiver.listen();
    } catch (err) {
      this.deps.store.health.fail({
        component: 'OTLP receiver',
        error: err,
        where: `127.0.0.1:${this.deps.port ?? 0}`,
        rule: 'agents start without telemetry settings: no token or cost figures, no budgets, until DevMesh restarts',
      });
      this.logger.error({ err: (err as Error).message }, 'the OTLP receiver could not listen');
    }
  }

  list(): AgentUsage[] {
    const ledger = this.ready();
    const ids = new Set([
      ...this.ready$()
        .agents.list()
        .map((a) => a.id),
      ...this.store.agents().keys(),
    ]);
    return [...ids].map((id) => ledger.usageOf(id));
  }

  agent(ref: string): AgentUsage {
    return this.ready().usageOf(this.agentId(ref));
  }

  task(taskId: string): TaskUsage {
    this.ready$().coordination.tasks.get(taskId); // TASK_NOT_FOUND for an unknown id
    const per = this.store.task(taskId);
    const agents = [...per].map(([agentId, figures]) => ({
      agentId,
      name: this.findAgent(agentId)?.name ?? agentId,
      figures,
    }));
    const figures: UsageFigures = agents.reduce(
      (sum, a) => ({
        inputTokens: sum.inputTokens + a.figures.inputTokens,
        outputTokens: sum.outputTokens + a.figures.outputTokens,
        cacheReadTokens: sum.cacheReadTokens + a.figures.cacheReadTokens,
        cacheCreationTokens: sum.cacheCreationTokens + a.figures.cacheCreationTokens,
        costUsd: sum.costUsd + a.figures.costUsd,
        updatedAt: Math.max(sum.updatedAt, a.figures.updatedAt),
      }),
      { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0, costUsd: 0, updatedAt: 0 },
    );
    return { task: taskId, figures, agents };
  }

  /** Sets (or with `limit: null` removes) an agent's budget, recorded in the audit chain; judged at once. */
  setBudget(
    input: { agent: string; unit: UsageBudget['unit']; limit: number | null; warnAt: number },
    by = 'user',
  ): AgentUsage {
    const ledger = this.ready();
    const { coordination } = this.ready$();
    const id = this.agentId(input.agent);
    const budget = input.limit === null ? null : { unit: input.unit, limit: input.limit, warnAt: input.warnAt };
    this.guard.foreground(() => this.store.setBudget(id, budget));
    const usage = ledger.usageOf(id);
    coordination.record({
      actor: coordination.idOf(by),
      kind: budget === null ? 'usage.budget-removed' : 'usage.budget-set',
      subject: usage.name,
      data: { agentId: id, ...(budget ?? {}) },
    });
    const verdict = this.budgets!.judge(usage);
    const after = ledger.usageOf(id);
    this.deps.store.events.emit({
      type: 'agent.usage',
      ts: Date.now(),
      agentId: id,
      task: null,
      usage: after,
      budget: verdict,
    });
    return after;
  }

  receiverInfo(): UsageReceiver {
    return this.receiver.info();
  }

  dispose(): void {
    this.receiver.dispose();
  }

  private actions({ coordination }: UsageStartDeps): UsageBudgetActions {
    const tell = (body: string): void => {
      try {
        coordination.messages.send({ from: 'devmesh', to: 'user', body });
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, 'could not tell the human about a budget');
      }
    };
    const entry = (usage: AgentUsage, spent: number) => ({
      agentId: usage.agentId,
      unit: usage.budget!.unit,
      limit: usage.budget!.limit,
      spent,
      spentText: describeAmount(usage.budget!.unit, spent),
      figures: usage.figures,
    });
    return {
      warn: (usage, spent, text) => {
        tell(text);
        coordination.trail.observe({
          actor: 'devmesh',
          kind: 'usage.budget-warned',
          subject: usage.name,
          data: entry(usage, spent),
        });
      },
      stop: (usage, spent, text) => {
        coordination.trail.observe({
          actor: 'devmesh',
          kind: 'usage.budget-exceeded',
          subject: usage.name,
          data: entry(usage, spent),
        });
        tell(text);
        coordination.stopAgent(usage.agentId, 'devmesh').catch((err: unknown) => {
          this.logger.error(
            { agent: usage.agentId, err: (err as Error).message },
            'could not stop an agent over its budget',
          );
        });
      },
    };
  }

  private agentId(ref: string): string {
    const record = this.findAgent(ref);
    if (record) return record.id;
    if (this.store.agents().has(ref)) return ref; // a removed agent's figures stay, by its id
    throw new DevMeshError('AGENT_NOT_FOUND', `no agent "${ref}"; list agents with \`devmesh agent ls\``);
  }

  private findAgent(ref: string): { id: string; name: string } | null {
    try {
      return this.ready$().agents.get(ref);
    } catch {
      return null; // not an agent DevMesh runs: the caller decides
    }
  }

  private ready(): UsageLedger {
    if (this.ledger === null)
      throw new DevMeshError('INTERNAL', 'usage figures are not ready yet; try again in a moment');
    return this.ledger;
  }

  private ready$(): UsageStartDeps {
    if (this.started === null)
      throw new DevMeshError('INTERNAL', 'usage figures are not ready yet; try again in a moment');
    return this.started;
  }
}
