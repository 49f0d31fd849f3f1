// OTLP/HTTP JSON exports shaped as the agent CLIs send them, for the usage tests, and a client that posts
// them to DevMesh's receiver.
//
// Claude Code (https://code.claude.com/docs/en/monitoring-usage): service.name `claude-code`, the
// OTEL_RESOURCE_ATTRIBUTES on the resource; sums `claude_code.token.usage` (unit tokens, attribute `type`:
// input | output | cacheRead | cacheCreation, `model`, `session.id`) and `claude_code.cost.usage` (unit USD).
// Codex (openai/codex docs/config.md, "Event catalog"; codex-rs/otel/src/events/session_telemetry.rs
// `sse_event_completed`): a log event named by its `event.name` attribute, `codex.sse_event`, with
// `event.kind` = response.completed and the token counts (`%`-formatted ones arrive as strings). Codex emits it
// through `tracing` and opentelemetry-appender-tracing's bridge, which sets the record's `eventName` to the
// tracing event's own name, `event <file>:<line>` when the macro gives none, and no timestamp (only the
// observed time).
import { request } from 'node:http';

export interface ClaudeExport {
  /** OTEL_RESOURCE_ATTRIBUTES as the agent got it: key=value,… */
  resource: string;
  temporality?: 'delta' | 'cumulative';
  startNs?: string;
  timeNs: string;
  tokens?: Partial<Record<'input' | 'output' | 'cacheRead' | 'cacheCreation', number>>;
  costUsd?: number;
}

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });

export function claudeMetrics(e: ClaudeExport): unknown {
  const temporality = e.temporality === 'cumulative' ? 2 : 1;
  const common = [
    str('session.id', 'sess-1'),
    str('terminal.type', 'xterm-256color'),
    str('model', 'claude-sonnet-4-5'),
  ];
  const point = (value: number, extra: { key: string; value: { stringValue: string } }[]) => ({
    attributes: [...common, ...extra],
    startTimeUnixNano: e.startNs ?? '1700000000000000000',
    timeUnixNano: e.timeNs,
    asDouble: value,
  });
  const metrics = [];
  if (e.tokens) {
    metrics.push({
      name: 'claude_code.token.usage',
      description: 'Number of tokens used',
      unit: 'tokens',
      sum: {
        aggregationTemporality: temporality,
        isMonotonic: true,
        dataPoints: Object.entries(e.tokens).map(([type, n]) => point(n, [str('type', type)])),
      },
    });
  }
  if (e.costUsd !== undefined) {
    metrics.push({
      name: 'claude_code.cost.usage',
      description: 'Cost of the Claude Code session',
      unit: 'USD',
      sum: { aggregationTemporality: temporality, isMonotonic: true, dataPoints: [point(e.costUsd, [])] },
    });
  }
  const resource = e.resource.split(',').map((kv) => {
    const [k, v] = kv.split('=');
    return str(k!, v ?? '');
  });
  return {
    resourceMetrics: [
      {
        resource: { attributes: [str('service.name', 'claude-code'), str('service.version', '2.1.0'), ...resource] },
        scopeMetrics: [{ scope: { name: 'com.anthropic.claude_code', version: '2.1.0' }, metrics }],
      },
    ],
  };
}

export function codexLogs(e: { timeNs: string; input: number; cached: number; output: number }): unknown {
  return {
    resourceLogs: [
      {
        resource: { attributes: [str('service.name', 'codex_cli_rs'), str('env', 'dev')] },
        scopeLogs: [
          {
            logRecords: [
              {
                timeUnixNano: '0',
                observedTimeUnixNano: e.timeNs,
                eventName: 'event codex-rs/otel/src/events/session_telemetry.rs:706',
                severityNumber: 9,
                severityText: 'INFO',
                attributes: [
                  str('event.name', 'codex.sse_event'),
                  str('event.kind', 'response.completed'),
                  str('input_token_count', String(e.input)),
                  str('output_token_count', String(e.output)),
                  { key: 'cached_token_count', value: { intValue: String(e.cached) } },
                  { key: 'reasoning_token_count', value: { intValue: '7' } },
                  str('tool_token_count', String(e.input + e.output + 7)),
                  str('conversation.id', '0199a0b1-codex-conversation'),
                  str('model', 'gpt-5-codex'),
                ],
              },
            ],
          },
        ],
      },
    ],
  };
}

export interface Answer {
  status: number;
  body: string;
}

/** POSTs raw bytes to the receiver (a plain node:http client, as an exporter is). */
export function post(
  endpoint: string,
  path: string,
  body: string | Buffer,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Promise<Answer> {
  const url = new URL(path, endpoint);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export const postJson = (endpoint: string, path: string, value: unknown, headers: Record<string, string> = {}) =>
  post(endpoint, path, JSON.stringify(value), { 'content-type': 'application/json', ...headers });
