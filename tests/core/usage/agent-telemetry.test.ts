// What each launch gets so its CLI reports to DevMesh: Claude Code's documented variables (keeping the
// exporters and resource attributes the user already set), Codex's `-c otel.exporter=…` naming the agent in
// a header, the bare endpoint for any other command, and nothing while the receiver is not listening.
import { describe, expect, it } from 'vitest';
import { AgentTelemetry } from '../../../main/core/usage/agent-telemetry.js';

const record = { id: 'agent-0a1b2c3d4e' };
const at = (endpoint: string | null, baseEnv: NodeJS.ProcessEnv = {}) =>
  new AgentTelemetry({ endpoint: () => endpoint, baseEnv });

describe('AgentTelemetry', () => {
  it('gives Claude Code its telemetry variables, keeping the user’s other exporters and attributes', () => {
    const t = at('http://127.0.0.1:4999', {
      OTEL_METRICS_EXPORTER: 'prometheus',
      OTEL_RESOURCE_ATTRIBUTES: 'team=web',
    });
    const launch = t.forLaunch(record, { id: 'claude' });
    expect(launch.args).toEqual([]);
    expect(launch.env).toEqual({
      DEVMESH_OTLP_ENDPOINT: 'http://127.0.0.1:4999',
      OTEL_RESOURCE_ATTRIBUTES: 'team=web,devmesh.agent.id=agent-0a1b2c3d4e',
      CLAUDE_CODE_ENABLE_TELEMETRY: '1',
      OTEL_METRICS_EXPORTER: 'prometheus,otlp',
      OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://127.0.0.1:4999/v1/metrics',
      OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'delta',
      OTEL_METRIC_EXPORT_INTERVAL: '10000',
    });
  });

  it('gives Codex an otlp-http log exporter in JSON, naming the agent in a header', () => {
    const launch = at('http://127.0.0.1:4999').forLaunch(record, { id: 'codex' });
    expect(launch.args).toEqual([
      '-c',
      'otel.exporter={ otlp-http = { endpoint = "http://127.0.0.1:4999/v1/logs", protocol = "json", ' +
        'headers = { "x-devmesh-agent-id" = "agent-0a1b2c3d4e" } } }',
    ]);
    expect(launch.env.OTEL_RESOURCE_ATTRIBUTES).toBe('devmesh.agent.id=agent-0a1b2c3d4e');
  });

  it('gives any other command the endpoint and attribute only, and nothing while not listening', () => {
    expect(at('http://127.0.0.1:4999').forLaunch(record, null)).toEqual({
      args: [],
      env: {
        DEVMESH_OTLP_ENDPOINT: 'http://127.0.0.1:4999',
        OTEL_RESOURCE_ATTRIBUTES: 'devmesh.agent.id=agent-0a1b2c3d4e',
      },
      notes: [],
    });
    const off = at(null).forLaunch(record, { id: 'claude' });
    expect(off.env).toEqual({});
    expect(off.notes[0]).toMatch(/not listening/);
  });
});
