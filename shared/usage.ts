// What agents cost: token and cost figures read from the OpenTelemetry the agent CLIs export themselves
// (Claude Code's metrics, Codex's log events) to DevMesh's loopback OTLP/HTTP receiver, attributed to the
// agent and to the task it held at the time; and a per-agent budget that warns, then stops the agent.
import { z } from 'zod';

/** Totals of one agent, one task, or one agent on one task. */
export const UsageFiguresSchema = z.object({
  /** input tokens not read from a prompt cache */
  inputTokens: z.number().min(0),
  outputTokens: z.number().min(0),
  /** input tokens served from a prompt cache */
  cacheReadTokens: z.number().min(0),
  /** input tokens written to a prompt cache */
  cacheCreationTokens: z.number().min(0),
  /** as the CLI estimates it (Claude Code); CLIs that report no cost (Codex) add 0 */
  costUsd: z.number().min(0),
  /** when a figure last changed (ms since the epoch); 0: never */
  updatedAt: z.number().int().min(0),
});
export type UsageFigures = z.infer<typeof UsageFiguresSchema>;

/** every token the figures count: what a `tokens` budget is measured in */
export function totalTokens(
  f: Pick<UsageFigures, 'inputTokens' | 'outputTokens' | 'cacheReadTokens' | 'cacheCreationTokens'>,
): number {
  return f.inputTokens + f.outputTokens + f.cacheReadTokens + f.cacheCreationTokens;
}

export const EMPTY_USAGE: UsageFigures = {
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheCreationTokens: 0,
  costUsd: 0,
  updatedAt: 0,
};

export const UsageBudgetUnitSchema = z.enum(['tokens', 'usd']);
export type UsageBudgetUnit = z.infer<typeof UsageBudgetUnitSchema>;

export const UsageBudgetSchema = z.object({
  unit: UsageBudgetUnitSchema,
  /** the agent is stopped once its figure goes past this */
  limit: z.number().positive(),
  /** a fraction of the limit: past it, the human is warned once */
  warnAt: z.number().gt(0).max(1),
  /** when the warning was given; null: not yet */
  warnedAt: z.number().int().nullable(),
  /** when the agent was stopped for going over; null: not yet */
  stoppedAt: z.number().int().nullable(),
});
export type UsageBudget = z.infer<typeof UsageBudgetSchema>;

export const AgentUsageSchema = z.object({
  agentId: z.string(),
  /** the agent's name, or its id once it was removed */
  name: z.string(),
  figures: UsageFiguresSchema,
  budget: UsageBudgetSchema.nullable(),
});
export type AgentUsage = z.infer<typeof AgentUsageSchema>;

export const TaskUsageSchema = z.object({
  task: z.string(),
  figures: UsageFiguresSchema,
  /** what each agent that worked on it spent on it */
  agents: z.array(z.object({ agentId: z.string(), name: z.string(), figures: UsageFiguresSchema })),
});
export type TaskUsage = z.infer<typeof TaskUsageSchema>;

/** The receiver: where agents send their telemetry and what it made of it since DevMesh started. */
export const UsageReceiverSchema = z.object({
  /** http://127.0.0.1:<port>; null while it is not listening */
  endpoint: z.string().nullable(),
  /** export requests taken */
  accepted: z.number().int(),
  /** data points or log records counted into an agent's figures */
  counted: z.number().int(),
  /** data points or records naming no agent DevMesh runs (ignored) */
  unknownAgent: z.number().int(),
  /** requests refused: not JSON, too large, malformed, wrong path or method */
  refused: z.number().int(),
});
export type UsageReceiver = z.infer<typeof UsageReceiverSchema>;

const AgentRef = z.string().min(1).max(128);
export const UsageAgentInputSchema = z.object({ agent: AgentRef }).strict();
export const UsageTaskInputSchema = z.object({ task: z.string().min(1).max(64) }).strict();
/** `limit: null` removes the budget */
export const UsageBudgetInputSchema = z
  .object({
    agent: AgentRef,
    unit: UsageBudgetUnitSchema.default('usd'),
    limit: z.number().positive().max(1e12).nullable(),
    warnAt: z.number().gt(0).max(1).default(0.8),
  })
  .strict();

/** An agent's figures changed (an export was counted), or its budget warned or stopped it. */
export const AgentUsageEventSchema = z.object({
  type: z.literal('agent.usage'),
  ts: z.number(),
  agentId: z.string(),
  /** the task the new figures went to; null: the agent held none */
  task: z.string().nullable(),
  usage: AgentUsageSchema,
  /** what the budget did with this change, if anything */
  budget: z.enum(['warned', 'stopped']).nullable(),
});
export type AgentUsageEvent = z.infer<typeof AgentUsageEventSchema>;

// API methods (shared/api.ts): 'usage.agents' {} → AgentUsage[]; 'usage.agent' → AgentUsage;
// 'usage.task' → TaskUsage; 'usage.setBudget' → AgentUsage; 'usage.receiver' {} → UsageReceiver.

/** 1234 → "1.2k", 2_500_000 → "2.5M": token counts in a narrow column */
export function formatTokens(n: number): string {
  if (n < 1000) return String(Math.round(n));
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(n < 10_000_000 ? 1 : 0)}M`;
}

/** "$0.25", and "$0.25/$1.00" against a USD budget, "12k/50k" against a tokens budget */
export function formatUsage(u: Pick<AgentUsage, 'figures' | 'budget'>): { tokens: string; cost: string } {
  const tokens = formatTokens(totalTokens(u.figures));
  const cost = `$${u.figures.costUsd.toFixed(2)}`;
  if (u.budget?.unit === 'usd') return { tokens, cost: `${cost}/$${u.budget.limit.toFixed(2)}` };
  if (u.budget?.unit === 'tokens') return { tokens: `${tokens}/${formatTokens(u.budget.limit)}`, cost };
  return { tokens, cost };
}
