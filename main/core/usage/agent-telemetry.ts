// What a launched agent gets so that its CLI exports its token and cost figures to DevMesh's receiver,
// named as that agent. Session-scoped: environment variables and `-c` flags of this launch only, never the
// user's own config files. Every agent gets the resource attribute `devmesh.agent.id=<id>` (appended to an
// OTEL_RESOURCE_ATTRIBUTES it already has) and DEVMESH_OTLP_ENDPOINT.
//
// Claude Code — CHECKED 2026-12-07 against https://code.claude.com/docs/en/monitoring-usage (read as the copy
// zhalice2011/claude-code-docs@021fb77933cfd5c852f2ce2b09ef40a36e68955e docs/monitoring-usage.md), every
// variable DevMesh sets: CLAUDE_CODE_ENABLE_TELEMETRY=1 ("required"); OTEL_METRICS_EXPORTER (comma-separated:
// console, otlp, prometheus, none); OTEL_EXPORTER_OTLP_METRICS_PROTOCOL (grpc | http/json | http/protobuf,
// "overrides general setting"; Claude Code "has no default protocol"); OTEL_EXPORTER_OTLP_METRICS_ENDPOINT (the
// full URL, http://…/v1/metrics); OTEL_METRIC_EXPORT_INTERVAL (ms, default 60000);
// OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE ("default: `delta`"); OTEL_RESOURCE_ATTRIBUTES (key=value,…
// without spaces, sent on the resource and, by default, on every datapoint too). DevMesh sets the per-signal
// metrics variables, not OTEL_EXPORTER_OTLP_PROTOCOL / _ENDPOINT, so the user's logs and traces are not moved.
// Logs are not switched on: Claude Code's api_request events would repeat the metrics' figures. The same page:
// Claude Code passes no OTEL_* variable to what it spawns (hooks, MCP servers, Bash), and where managed settings
// set OTEL_EXPORTER_OTLP_ENDPOINT it removes developer-set per-signal endpoints (DevMesh's included) at start.
// UNCHECKED: whether an `env` block in the user's own ~/.claude/settings.json overrides these variables.
// Codex — CHECKED against openai/codex docs/config.md ("Observability and telemetry", read at commit
// 0195ef0570cd92efd577bd32573ef3bf5e0da10b) and its source: `-c key=value` overrides with TOML values;
// `[otel] exporter = { otlp-http = { endpoint, protocol, headers } }` posts OTLP log records to `endpoint` (the
// full /v1/logs URL); `protocol` is "binary" or "json" and required (codex-rs core config types,
// OtelHttpProtocol, kebab-case; codex-rs/otel/src/provider.rs maps json to OTLP/HTTP JSON). The agent is named
// by a header (`headers`), since that page documents no resource attributes. This replaces an [otel] exporter of
// the user's config.toml for DevMesh's sessions. Newer Codex also has `otel.metrics_exporter` (default: OpenAI's
// Statsig) and `otel.trace_exporter`, with a `codex.turn.token_usage` metric; DevMesh leaves both alone and
// reads the log events (usage-readings.ts).
import type { AgentProfile, AgentRecord } from '../../../shared/agent.js';
import { DevMeshError } from '../../../shared/errors.js';
import { AGENT_ATTRIBUTE, AGENT_HEADER } from './usage-readings.js';

/** how often Claude Code exports its metrics to DevMesh: budgets are judged at this pace */
export const CLAUDE_EXPORT_INTERVAL_MS = 10_000;

export interface AgentLaunchTelemetry {
  args: string[];
  env: Record<string, string>;
  notes: string[];
}

export interface AgentTelemetryDeps {
  /** http://127.0.0.1:<port>; null: the receiver is not listening (agents get nothing) */
  endpoint: () => string | null;
  /** the environment agents start from (for OTEL_RESOURCE_ATTRIBUTES and OTEL_METRICS_EXPORTER already set) */
  baseEnv: NodeJS.ProcessEnv;
  /** why this agent may not be launched (over its budget); every launch and relaunch passes here */
  launchRefusal?: (agentId: string) => string | null;
}

export class AgentTelemetry {
  constructor(private readonly deps: AgentTelemetryDeps) {}

  /** What this launch gets; throws CONFLICT for an agent over its budget, before anything is started. */
  forLaunch(record: Pick<AgentRecord, 'id'>, profile: Pick<AgentProfile, 'id'> | null): AgentLaunchTelemetry {
    const refusal = this.deps.launchRefusal?.(record.id) ?? null;
    if (refusal !== null) throw new DevMeshError('CONFLICT', refusal);
    const endpoint = this.deps.endpoint();
    if (endpoint === null)
      return {
        args: [],
        env: {},
        notes: ['the OTLP receiver is not listening: no token or cost figures for this agent'],
      };
    const base = this.deps.baseEnv;
    const resource = [base.OTEL_RESOURCE_ATTRIBUTES?.trim(), `${AGENT_ATTRIBUTE}=${record.id}`]
      .filter((s) => s !== undefined && s !== '')
      .join(',');
    const out: AgentLaunchTelemetry = {
      args: [],
      env: { DEVMESH_OTLP_ENDPOINT: endpoint, OTEL_RESOURCE_ATTRIBUTES: resource },
      notes: [],
    };
    switch (profile?.id) {
      case 'claude': {
        const exporters = (base.OTEL_METRICS_EXPORTER ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '' && s !== 'none' && s !== 'otlp');
        Object.assign(out.env, {
          CLAUDE_CODE_ENABLE_TELEMETRY: '1',
          OTEL_METRICS_EXPORTER: [...exporters, 'otlp'].join(','),
          OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json',
          OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${endpoint}/v1/metrics`,
          OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'delta',
          OTEL_METRIC_EXPORT_INTERVAL: String(CLAUDE_EXPORT_INTERVAL_MS),
        });
        break;
      }
      case 'codex': {
        // JSON strings are valid TOML basic strings for a URL and an id
        const exporter =
          `{ otlp-http = { endpoint = ${JSON.stringify(`${endpoint}/v1/logs`)}, protocol = "json", ` +
          `headers = { ${JSON.stringify(AGENT_HEADER)} = ${JSON.stringify(record.id)} } } }`;
        out.args.push('-c', `otel.exporter=${exporter}`);
        break;
      }
      default:
      // others get DEVMESH_OTLP_ENDPOINT and the resource attribute only: an OpenTelemetry exporter they
      // run can send OTLP/HTTP JSON there
    }
    return out;
  }
}
