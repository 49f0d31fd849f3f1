// The usage tables (schema 12): figures per (agent, task), the last point of each metric series, and the
// per-agent budgets. One repository for the three, since a reading updates a series and the totals in one
// transaction: a figure is either counted with its series moved on, or neither.
import { EMPTY_USAGE, type UsageBudget, type UsageFigures } from '../../../shared/usage.js';
import type { Database } from '../store/database.js';
import type { UsageAmounts } from './usage-readings.js';

interface TotalsRow {
  agent_id: string;
  task_id: string;
  input: number;
  output: number;
  cache_read: number;
  cache_creation: number;
  cost_usd: number;
  updated_at: number;
}

export interface SeriesPoint {
  startNs: string;
  timeNs: string;
  value: number;
}

interface BudgetRow {
  unit: 'tokens' | 'usd';
  limit_value: number;
  warn_at: number;
  warned_at: number | null;
  stopped_at: number | null;
}

const SUMS = `COALESCE(SUM(input),0) AS input, COALESCE(SUM(output),0) AS output,
  COALESCE(SUM(cache_read),0) AS cache_read, COALESCE(SUM(cache_creation),0) AS cache_creation,
  COALESCE(SUM(cost_usd),0) AS cost_usd, COALESCE(MAX(updated_at),0) AS updated_at`;

function figures(row: Omit<TotalsRow, 'agent_id' | 'task_id'> | undefined): UsageFigures {
  if (!row) return { ...EMPTY_USAGE };
  return {
    inputTokens: row.input,
    outputTokens: row.output,
    cacheReadTokens: row.cache_read,
    cacheCreationTokens: row.cache_creation,
    costUsd: row.cost_usd,
    updatedAt: row.updated_at,
  };
}

export class UsageStore {
  private readonly addStmt;
  private readonly agentStmt;
  private readonly agentsStmt;
  private readonly taskStmt;
  private readonly seriesGet;
  private readonly seriesPut;
  private readonly budgetGet;
  private readonly budgetPut;
  private readonly budgetDelete;
  private readonly budgetMark;

  constructor(private readonly database: Database) {
    const db = database.db;
    this.addStmt = db.prepare(`
      INSERT INTO usage_totals (agent_id, task_id, input, output, cache_read, cache_creation, cost_usd, updated_at)
      VALUES (@agent, @task, @input, @output, @cacheRead, @cacheCreation, @cost, @now)
      ON CONFLICT (agent_id, task_id) DO UPDATE SET
        input = input + excluded.input, output = output + excluded.output,
        cache_read = cache_read + excluded.cache_read, cache_creation = cache_creation + excluded.cache_creation,
        cost_usd = cost_usd + excluded.cost_usd, updated_at = excluded.updated_at`);
    this.agentStmt = db.prepare(`SELECT ${SUMS} FROM usage_totals WHERE agent_id = ?`);
    this.agentsStmt = db.prepare(`SELECT agent_id, ${SUMS} FROM usage_totals GROUP BY agent_id`);
    this.taskStmt = db.prepare(`SELECT agent_id, ${SUMS} FROM usage_totals WHERE task_id = ? GROUP BY agent_id`);
    this.seriesGet = db.prepare('SELECT start_ns, time_ns, value FROM usage_series WHERE series = ?');
    this.seriesPut = db.prepare(`
      INSERT INTO usage_series (series, agent_id, start_ns, time_ns, value, updated_at)
      VALUES (@series, @agent, @startNs, @timeNs, @value, @now)
      ON CONFLICT (series) DO UPDATE SET start_ns = excluded.start_ns, time_ns = excluded.time_ns,
        value = excluded.value, updated_at = excluded.updated_at`);
    this.budgetGet = db.prepare(
      'SELECT unit, limit_value, warn_at, warned_at, stopped_at FROM usage_budgets WHERE agent_id = ?',
    );
    this.budgetPut = db.prepare(`
      INSERT INTO usage_budgets (agent_id, unit, limit_value, warn_at, warned_at, stopped_at)
      VALUES (@agent, @unit, @limit, @warnAt, NULL, NULL)
      ON CONFLICT (agent_id) DO UPDATE SET unit = excluded.unit, limit_value = excluded.limit_value,
        warn_at = excluded.warn_at, warned_at = NULL, stopped_at = NULL`);
    this.budgetDelete = db.prepare('DELETE FROM usage_budgets WHERE agent_id = ?');
    this.budgetMark = db.prepare(
      'UPDATE usage_budgets SET warned_at = COALESCE(@warnedAt, warned_at), stopped_at = COALESCE(@stoppedAt, stopped_at) WHERE agent_id = @agent',
    );
  }

  /** Runs `fn` in one transaction (a reading's series and totals together). */
  transaction<T>(fn: () => T): T {
    return this.database.db.transaction(fn)();
  }

  series(key: string): SeriesPoint | null {
    const row = this.seriesGet.get(key) as { start_ns: string; time_ns: string; value: number } | undefined;
    return row ? { startNs: row.start_ns, timeNs: row.time_ns, value: row.value } : null;
  }

  putSeries(key: string, agentId: string, point: SeriesPoint, now: number): void {
    this.seriesPut.run({ series: key, agent: agentId, ...point, now });
  }

  add(agentId: string, taskId: string | null, a: UsageAmounts, now: number): void {
    this.addStmt.run({
      agent: agentId,
      task: taskId ?? '',
      input: a.inputTokens ?? 0,
      output: a.outputTokens ?? 0,
      cacheRead: a.cacheReadTokens ?? 0,
      cacheCreation: a.cacheCreationTokens ?? 0,
      cost: a.costUsd ?? 0,
      now,
    });
  }

  agent(agentId: string): UsageFigures {
    return figures(this.agentStmt.get(agentId) as TotalsRow | undefined);
  }

  agents(): Map<string, UsageFigures> {
    const rows = this.agentsStmt.all() as TotalsRow[];
    return new Map(rows.map((r) => [r.agent_id, figures(r)]));
  }

  /** per agent that worked on the task */
  task(taskId: string): Map<string, UsageFigures> {
    const rows = this.taskStmt.all(taskId) as TotalsRow[];
    return new Map(rows.map((r) => [r.agent_id, figures(r)]));
  }

  budget(agentId: string): UsageBudget | null {
    const row = this.budgetGet.get(agentId) as BudgetRow | undefined;
    if (!row) return null;
    return {
      unit: row.unit,
      limit: row.limit_value,
      warnAt: row.warn_at,
      warnedAt: row.warned_at,
      stoppedAt: row.stopped_at,
    };
  }

  /** a new limit starts over: not warned, not stopped */
  setBudget(agentId: string, budget: Pick<UsageBudget, 'unit' | 'limit' | 'warnAt'> | null): void {
    if (budget === null) this.budgetDelete.run(agentId);
    else this.budgetPut.run({ agent: agentId, unit: budget.unit, limit: budget.limit, warnAt: budget.warnAt });
  }

  markBudget(agentId: string, mark: { warnedAt?: number; stoppedAt?: number }): void {
    this.budgetMark.run({ agent: agentId, warnedAt: mark.warnedAt ?? null, stoppedAt: mark.stoppedAt ?? null });
  }
}
