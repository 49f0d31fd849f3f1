// A per-agent budget, in tokens (every token counted: input, output, cache reads and writes) or in USD (as
// the CLI estimates it; a CLI that reports no cost never reaches a USD budget). Past `warnAt` of the limit
// the human is warned once (a message, an audit entry, the `agent.usage` event saying so); past the limit
// the agent is stopped (an audit entry naming the figures, then the usual audited stop). A new limit starts
// over. The decisions are kept in SQLite, so a restart neither warns nor stops twice.
import { totalTokens, type AgentUsage, type UsageBudget } from '../../../shared/usage.js';
import type { StoreGuard } from '../health/store-guard.js';
import { countText } from '../base/count-text.js';
import type { UsageStore } from './usage-store.js';

export interface UsageBudgetActions {
  /** tell the human (a message on the board) and record it (audit) */
  warn(usage: AgentUsage, spent: number, text: string): void;
  /** record it (audit, naming the figures), then stop the agent; failures are the action's to contain */
  stop(usage: AgentUsage, spent: number, text: string): void;
}

export interface UsageBudgetsDeps {
  store: UsageStore;
  guard: StoreGuard;
  actions: UsageBudgetActions;
  now?: () => number;
}

export function spentOf(usage: AgentUsage, budget: Pick<UsageBudget, 'unit'>): number {
  return budget.unit === 'usd' ? usage.figures.costUsd : totalTokens(usage.figures);
}

export function describeAmount(unit: UsageBudget['unit'], n: number): string {
  return unit === 'usd' ? `$${n.toFixed(2)}` : `${countText(n)} tokens`;
}

export class UsageBudgets {
  private readonly now: () => number;

  constructor(private readonly deps: UsageBudgetsDeps) {
    this.now = deps.now ?? Date.now;
  }

  /**
   * Why this agent may not be launched now: it is over its budget (a relaunch would run unbounded, since the
   * stop is decided once per limit); null when it may. A raised budget starts over.
   */
  launchRefusal(usage: AgentUsage): string | null {
    const budget = usage.budget;
    if (budget === null) return null;
    const spent = spentOf(usage, budget);
    if (spent <= budget.limit) return null;
    return (
      `agent ${usage.name} is over its budget (${describeAmount(budget.unit, spent)} of ` +
      `${describeAmount(budget.unit, budget.limit)}); raise it first (devmesh usage budget ${usage.name} …) ` +
      'or remove it, then relaunch'
    );
  }

  /** Judges the agent's current figures against its budget; says what it did. */
  judge(usage: AgentUsage): 'warned' | 'stopped' | null {
    const budget = usage.budget;
    if (budget === null) return null;
    const spent = spentOf(usage, budget);
    const limit = describeAmount(budget.unit, budget.limit);
    const figure = describeAmount(budget.unit, spent);
    if (spent > budget.limit && budget.stoppedAt === null) {
      const at = this.now();
      // marked first: a failing store must not stop the agent again at every export
      if (!this.deps.guard.background(() => this.deps.store.markBudget(usage.agentId, { stoppedAt: at, warnedAt: at })))
        return null;
      this.deps.actions.stop(
        usage,
        spent,
        `agent ${usage.name} went over its budget (${figure} of ${limit}) and was stopped; raise its budget ` +
          `(devmesh usage budget ${usage.name} …) and relaunch it to go on`,
      );
      return 'stopped';
    }
    if (spent >= budget.limit * budget.warnAt && budget.warnedAt === null && budget.stoppedAt === null) {
      const at = this.now();
      if (!this.deps.guard.background(() => this.deps.store.markBudget(usage.agentId, { warnedAt: at }))) return null;
      this.deps.actions.warn(
        usage,
        spent,
        `agent ${usage.name} has used ${figure} of its ${limit} budget (${Math.round((spent / budget.limit) * 100)}%); ` +
          'it is stopped once it goes over',
      );
      return 'warned';
    }
    return null;
  }
}
