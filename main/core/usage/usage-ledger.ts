// Turns readings into figures: finds the agent a reading names (an id DevMesh does not run is ignored and
// counted), the task it holds now, the amount to add, and writes series and totals in one transaction; then
// tells the faces (`agent.usage`) and lets the budget judge the agent's new totals.
//
// Temporality, as OTLP's data model defines it (https://opentelemetry.io/docs/specs/otel/metrics/data-model/#sums):
// - delta: each point is the change over (startTimeUnixNano, timeUnixNano]; it is added, unless its
//   timeUnixNano is not after the last one taken for the series (the same window sent again: a retry);
// - cumulative: each point is the total since startTimeUnixNano; what is added is the increase over the last
//   point of the same series and start. A new start time, or a value below the last, is a reset: the point
//   is counted whole (the series began again at its start). An older point than the last is skipped.
// The last point of each series is kept in SQLite, so a restart neither loses nor repeats a cumulative total.
import type { AgentUsage, AgentUsageEvent } from '../../../shared/usage.js';
import type { StoreGuard } from '../health/store-guard.js';
import type { UsageBudgets } from './usage-budgets.js';
import type { UsageAmounts, UsageField, UsageReading } from './usage-readings.js';
import type { UsageStore } from './usage-store.js';

export interface UsageAgentPort {
  /** the agent DevMesh runs (or ran) with this id; null: none */
  find(agentId: string): { id: string; name: string } | null;
  /** the task the agent holds now (claimed, working, paused); null: none */
  currentTask(agentId: string): string | null;
}

export interface UsageLedgerDeps {
  store: UsageStore;
  guard: StoreGuard;
  agents: UsageAgentPort;
  budgets: UsageBudgets;
  emit: (event: AgentUsageEvent) => void;
  now?: () => number;
}

export interface IngestOutcome {
  /** readings added to an agent's figures */
  counted: number;
  /** readings naming no agent DevMesh runs */
  unknownAgent: number;
  /** false: the store could not be written and nothing was counted (the exporter should retry) */
  stored: boolean;
}

function later(a: string, b: string): boolean {
  return BigInt(a) > BigInt(b);
}

export class UsageLedger {
  private readonly now: () => number;

  constructor(private readonly deps: UsageLedgerDeps) {
    this.now = deps.now ?? Date.now;
  }

  ingest(readings: UsageReading[]): IngestOutcome {
    const outcome: IngestOutcome = { counted: 0, unknownAgent: 0, stored: true };
    const known = readings.filter((r) => {
      const ok = r.agentId !== null && this.deps.agents.find(r.agentId) !== null;
      if (!ok) outcome.unknownAgent++;
      return ok;
    });
    if (known.length === 0) return outcome;
    const now = this.now();
    const touched = new Map<string, string | null>();
    const write = (): void => {
      this.deps.store.transaction(() => {
        for (const r of known) {
          const amounts = this.amountOf(r, now);
          if (amounts === null) continue;
          const agentId = r.agentId!;
          if (!touched.has(agentId)) touched.set(agentId, this.deps.agents.currentTask(agentId));
          this.deps.store.add(agentId, touched.get(agentId)!, amounts, now);
          outcome.counted++;
        }
      });
    };
    if (!this.deps.guard.background(write)) return { counted: 0, unknownAgent: outcome.unknownAgent, stored: false };
    for (const [agentId, task] of touched) this.changed(agentId, task, now);
    return outcome;
  }

  /** an agent's figures and budget, as the API answers them */
  usageOf(agentId: string): AgentUsage {
    const name = this.deps.agents.find(agentId)?.name ?? agentId;
    return { agentId, name, figures: this.deps.store.agent(agentId), budget: this.deps.store.budget(agentId) };
  }

  private changed(agentId: string, task: string | null, now: number): void {
    const usage = this.usageOf(agentId);
    const verdict = this.deps.budgets.judge(usage);
    const after = verdict === null ? usage : this.usageOf(agentId);
    this.deps.emit({ type: 'agent.usage', ts: now, agentId, task, usage: after, budget: verdict });
  }

  // What the reading adds, with its series moved on; null: nothing (a repeat or an older point).
  private amountOf(r: UsageReading, now: number): UsageAmounts | null {
    if (r.temporality === 'event') return r.amounts;
    const [field, value] = Object.entries(r.amounts)[0] as [UsageField, number];
    const prev = this.deps.store.series(r.series);
    const point = { startNs: r.startNs, timeNs: r.timeNs, value };
    if (r.temporality === 'delta') {
      if (prev !== null && r.timeNs !== '0' && !later(r.timeNs, prev.timeNs)) return null;
      this.deps.store.putSeries(r.series, r.agentId!, point, now);
      return { [field]: value };
    }
    let added = value;
    if (prev !== null && prev.startNs === r.startNs) {
      if (r.timeNs !== '0' && !later(r.timeNs, prev.timeNs)) return null;
      if (value >= prev.value) added = value - prev.value;
    }
    this.deps.store.putSeries(r.series, r.agentId!, point, now);
    return added > 0 ? { [field]: added } : null;
  }
}
