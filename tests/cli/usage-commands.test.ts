// `devmesh usage` and the figures in `devmesh agent ls`, end to end: a real daemon whose PATH holds a fake
// `claude` that writes down the telemetry settings it was launched with and waits. The settings are Claude
// Code's documented ones pointing at the daemon's receiver; an export posted there as Claude Code would
// shows in `agent ls` (TOKENS, COST) and `usage ls`; a budget below what it spent stops it at once.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentRecord } from '../../shared/agent.js';
import type { AgentUsage } from '../../shared/usage.js';
import { tempDir, waitFor } from '../api/test-project.js';
import { makeRepo, writeScript } from '../core/agents/fake-cli.js';
import { claudeMetrics, postJson } from '../core/usage/otlp-fixtures.js';
import { scaled } from '../helpers/load-scale.js';
import { CliHarness, ensureCliBuilt, type RunningCli } from './cli-harness.js';

const tmp = tempDir('devmesh-cli-usage-');
const bin = join(tmp.dir, 'bin');
const repo = join(tmp.dir, 'repo');
const cli = new CliHarness(join(tmp.dir, 'home'), tmp.dir);
let daemon: RunningCli | undefined;
let savedPath: string | undefined;

beforeAll(async () => {
  ensureCliBuilt();
  makeRepo(repo);
  writeScript(
    bin,
    'claude',
    `if [ "$1" = "--version" ]; then echo "9.9.9 (Claude Code, fake)"; exit 0; fi
env | grep -E '^(CLAUDE_CODE_ENABLE_TELEMETRY|OTEL_[A-Z_]+)=' | sort > "$PWD/../telemetry.env"
while read line; do :; done`,
  );
  savedPath = process.env.PATH;
  process.env.PATH = `${bin}:${process.env.PATH}`; // the daemon inherits it
  daemon = cli.spawn(['up', '--port', '0']);
  await daemon.waitForOutput(/DevMesh is up: http:\/\/127\.0\.0\.1:\d+\//);
}, scaled(90_000));

afterAll(async () => {
  process.env.PATH = savedPath;
  await daemon?.stop('SIGTERM');
  tmp.dispose();
});

describe('devmesh usage', () => {
  it('launches claude with its telemetry pointed at the receiver, and shows what it reports', async () => {
    await cli.run(['agent', 'start', 'claude', '--name', 'spender', '--cwd', repo]);
    const file = join(tmp.dir, 'telemetry.env');
    const text = await waitFor('the fake claude to write its settings', () =>
      existsSync(file) && readFileSync(file, 'utf8').includes('OTEL_RESOURCE') ? readFileSync(file, 'utf8') : null,
    );
    const env = Object.fromEntries(
      text
        .trim()
        .split('\n')
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    const receiver = await cli.json<{ endpoint: string }>(['usage', 'receiver', '--json']);
    const [agent] = await cli.json<AgentRecord[]>(['agent', 'ls', '--json']);
    expect(env).toMatchObject({
      CLAUDE_CODE_ENABLE_TELEMETRY: '1',
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${receiver.endpoint}/v1/metrics`,
      OTEL_RESOURCE_ATTRIBUTES: `devmesh.agent.id=${agent!.id}`,
    });

    const url = new URL(env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT!);
    const answer = await postJson(
      url.origin,
      url.pathname,
      claudeMetrics({
        resource: env.OTEL_RESOURCE_ATTRIBUTES!,
        timeNs: '1700000010000000000',
        tokens: { input: 1200, output: 300, cacheRead: 5000, cacheCreation: 800 },
        costUsd: 0.25,
      }),
    );
    expect(answer.status).toBe(200);

    const ls = await cli.run(['agent', 'ls']);
    const [head, row] = ls.stdout.trim().split('\n');
    expect(head).toMatch(/TOKENS\s+COST/);
    expect(row).toMatch(/spender .* 7\.3k\s+\$0\.25/);
    const usage = await cli.json<AgentUsage[]>(['usage', 'ls', '--json']);
    expect(usage).toEqual([
      expect.objectContaining({ name: 'spender', figures: expect.objectContaining({ costUsd: 0.25 }) }),
    ]);
  });

  it('stops an agent whose new budget is below what it spent, and says so in usage ls', async () => {
    const set = await cli.run(['usage', 'budget', 'spender', '0.2']);
    expect(set.stdout).toMatch(/spender: \$0\.25\/\$0\.20/);
    await waitFor('the agent stopped', async () => {
      const [a] = await cli.json<AgentRecord[]>(['agent', 'ls', '--json']);
      return a?.status === 'exited';
    });
    const ls = await cli.run(['usage', 'ls']);
    expect(ls.stdout).toMatch(/spender .*\$0\.25\/\$0\.20/);
    const audit = await cli.run(['audit', 'ls', '--kind', 'usage']);
    expect(audit.stdout).toMatch(/usage\.budget-exceeded/);
  });
});
