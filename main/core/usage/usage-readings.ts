// Which OpenTelemetry items carry an agent's token and cost figures, and what each adds. Everything else an
// agent exports (sessions, lines of code, tool decisions…) is taken and ignored.
//
// Claude Code (https://code.claude.com/docs/en/monitoring-usage, CHECKED 2026-12-07, see agent-telemetry.ts
// for the copy read): metrics `claude_code.token.usage` (unit tokens; attribute `type` = input | output |
// cacheRead | cacheCreation; `model`) and `claude_code.cost.usage` (unit USD; `model`), each "incremented after
// each API request", exported as sums, delta by default (OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE).
// Every metric also carries the standard attributes (`session.id`, `user.id`, …) and the keys of
// OTEL_RESOURCE_ATTRIBUTES; they only split series here. Its `claude_code.api_request` log events repeat the
// same tokens and cost: they are NOT counted, or every token would be counted twice.
// Codex (openai/codex docs/config.md, "Event catalog", CHECKED 2026-12-07; codex-rs/otel/src/events/
// session_telemetry.rs `sse_event_completed`): log events only; `codex.sse_event` (its `event.name` attribute)
// with `event.kind` = `response.completed` carries `input_token_count`, `output_token_count`,
// `cached_token_count` (optional) and `reasoning_token_count` (optional); `tool_token_count` carries the
// response's total and is not read. Codex counts cached tokens inside the input (codex-rs/protocol TokenUsage
// `non_cached_input` = input − cached) and reasoning inside the output (its `blended_total` = non-cached input
// + output), so input = input − cached, and reasoning is not added again. Codex reports no cost: its USD figure
// stays 0.
import type { AttributeMap, LogRecordView, MetricPoint } from './otlp-json.js';

/** the resource attribute naming the agent (OTEL_RESOURCE_ATTRIBUTES, set by DevMesh at launch) */
export const AGENT_ATTRIBUTE = 'devmesh.agent.id';
/** the header naming the agent, for CLIs that take headers but no resource attributes (Codex) */
export const AGENT_HEADER = 'x-devmesh-agent-id';

export type UsageField = 'inputTokens' | 'outputTokens' | 'cacheReadTokens' | 'cacheCreationTokens' | 'costUsd';
export type UsageAmounts = Partial<Record<UsageField, number>>;

/** One item's contribution: a delta, or a cumulative series' current value (UsageLedger turns it into a delta). */
export interface UsageReading {
  agentId: string | null;
  /** the series: a cumulative value or a delta's time window is judged against the last point of it */
  series: string;
  /** event: one record, counted as it comes (no series kept; a resent batch would count again) */
  temporality: 'delta' | 'cumulative' | 'event';
  startNs: string;
  timeNs: string;
  amounts: UsageAmounts;
}

const TOKEN_TYPES: Record<string, UsageField> = {
  input: 'inputTokens',
  output: 'outputTokens',
  cacheRead: 'cacheReadTokens',
  cacheCreation: 'cacheCreationTokens',
};

function agentOf(resource: AttributeMap, attributes: AttributeMap, header: string | null): string | null {
  const id = resource[AGENT_ATTRIBUTE] ?? attributes[AGENT_ATTRIBUTE] ?? header;
  return typeof id === 'string' && id.length > 0 && id.length <= 128 ? id : null;
}

function seriesKey(agentId: string | null, name: string, attributes: AttributeMap): string {
  const sorted = Object.keys(attributes)
    .sort()
    .map((k) => [k, attributes[k]]);
  return `${agentId ?? '?'}|${name}|${JSON.stringify(sorted)}`;
}

/** null: the point is not a figure DevMesh counts */
export function readingOfMetric(p: MetricPoint, header: string | null): UsageReading | null {
  let field: UsageField | undefined;
  if (p.name === 'claude_code.token.usage') field = TOKEN_TYPES[String(p.attributes.type)];
  else if (p.name === 'claude_code.cost.usage') field = 'costUsd';
  if (field === undefined || p.temporality === 'gauge' || p.value < 0) return null;
  const agentId = agentOf(p.resource, p.attributes, header);
  return {
    agentId,
    // a series switching temporality (a CLI restarted with another preference) is another series
    series: seriesKey(agentId, `${p.name}/${p.temporality}`, p.attributes),
    temporality: p.temporality,
    startNs: p.startNs,
    timeNs: p.timeNs,
    amounts: { [field]: p.value },
  };
}

function count(attributes: AttributeMap, key: string): number {
  const n = Number(attributes[key] ?? 0);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

export function readingOfLog(r: LogRecordView, header: string | null): UsageReading | null {
  if (r.name !== 'codex.sse_event' || r.attributes['event.kind'] !== 'response.completed') return null;
  const input = count(r.attributes, 'input_token_count');
  const cached = Math.min(count(r.attributes, 'cached_token_count'), input);
  const output = count(r.attributes, 'output_token_count');
  const agentId = agentOf(r.resource, r.attributes, header);
  return {
    agentId,
    series: seriesKey(agentId, r.name, {}),
    temporality: 'event',
    startNs: r.timeNs,
    timeNs: r.timeNs,
    amounts: { inputTokens: input - cached, cacheReadTokens: cached, outputTokens: output },
  };
}
