// What agents cost, through the one API on a real core (SQLite on disk, the receiver on a real socket, a
// real agent process in a real terminal): the agent is launched with the receiver's endpoint and its id as
// a resource attribute; an OTLP JSON export shaped like Claude Code's, posted by a plain HTTP client as the
// agent would, is counted to the agent and to the task it holds; cumulative and resent exports are not
// counted twice; an id DevMesh does not run is ignored and counted; a budget warns, then stops the agent.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevMeshEvent } from '../../shared/events.js';
import type { AgentUsageEvent } from '../../shared/usage.js';
import { writeScript } from '../core/agents/fake-cli.js';
import { claudeMetrics, codexLogs, postJson } from '../core/usage/otlp-fixtures.js';
import { TestCore } from './test-core.js';
import { waitFor } from './test-project.js';

let dm: TestCore;
const events: DevMeshEvent[] = [];
beforeAll(async () => {
  dm = await TestCore.open({ prefix: 'devmesh-usage-', project: 'shop', files: { 'src/cart.ts': 'export {};\n' } });
  dm.core.events.onDidEmitEvent((e) => events.push(e));
  // an agent CLI that says where it would export its telemetry, then reads lines until it is stopped
  writeScript(
    join(dm.dir, 'bin'),
    'fake-agent',
    `printf 'otlp=%s res=%s\\n' "$DEVMESH_OTLP_ENDPOINT" "$OTEL_RESOURCE_ATTRIBUTES"\nprintf 'ready> '\n` +
      `while read line; do printf 'got: %s\\n' "$line"; done`,
  );
});
afterAll(() => dm?.dispose());

async function launched(name: string): Promise<{ id: string; endpoint: string; resource: string }> {
  const agent = await dm.call('agents.start', { command: join(dm.dir, 'bin', 'fake-agent'), name, cwd: dm.projectDir });
  const cast = await waitFor(`${name}'s telemetry settings on its screen`, async () => {
    const text = (await dm.call('recordings.read', { id: agent.terminalId! })).cast;
    return /otlp=(http:\/\/[0-9.:]+) res=(devmesh\.agent\.id=agent-[0-9a-f]+)/.exec(text);
  });
  return { id: agent.id, endpoint: cast[1]!, resource: cast[2]! };
}

let writer: { id: string; endpoint: string; resource: string };
let taskId: string;

describe('token and cost figures from an agent CLI’s own OpenTelemetry', () => {
  it('launches the agent pointed at the receiver, and counts a Claude Code export to it and its task', async () => {
    writer = await launched('writer');
    const receiver = await dm.call('usage.receiver', {});
    expect(writer.endpoint).toBe(receiver.endpoint);
    expect(writer.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(writer.resource).toBe(`devmesh.agent.id=${writer.id}`);

    const task = await dm.call('tasks.create', {
      title: 'Fix the cart',
      prompt: 'Fix it.',
      files: ['src/**'],
      capabilities: ['ts'],
    });
    taskId = task.id;
    await dm.call('tasks.bid', { task: task.id, agent: 'writer', capabilities: ['ts'], estimateMinutes: 5 });
    expect((await dm.call('tasks.get', { task: task.id })).assigneeId).toBe(writer.id);

    const answer = await postJson(
      writer.endpoint,
      '/v1/metrics',
      claudeMetrics({
        resource: writer.resource,
        timeNs: '1700000010000000000',
        tokens: { input: 1200, output: 300, cacheRead: 5000, cacheCreation: 800 },
        costUsd: 0.25,
      }),
    );
    expect(answer).toEqual({ status: 200, body: '{}' });

    const usage = await dm.call('usage.agent', { agent: 'writer' });
    expect(usage.figures).toMatchObject({
      inputTokens: 1200,
      outputTokens: 300,
      cacheReadTokens: 5000,
      cacheCreationTokens: 800,
      costUsd: 0.25,
    });
    const onTask = await dm.call('usage.task', { task: taskId });
    expect(onTask.figures).toMatchObject({ inputTokens: 1200, costUsd: 0.25 });
    expect(onTask.agents).toEqual([expect.objectContaining({ agentId: writer.id, name: 'writer' })]);
    const event = events.find((e): e is AgentUsageEvent => e.type === 'agent.usage' && e.agentId === writer.id);
    expect(event).toMatchObject({ task: taskId, budget: null, usage: { figures: { outputTokens: 300 } } });
  });

  it('counts a cumulative series by its increase, a resent delta once, and a reset from its new start', async () => {
    const before = (await dm.call('usage.agent', { agent: writer.id })).figures;
    const cumulative = (timeNs: string, output: number, startNs = '1700000020000000000') =>
      postJson(
        writer.endpoint,
        '/v1/metrics',
        claudeMetrics({ resource: writer.resource, temporality: 'cumulative', startNs, timeNs, tokens: { output } }),
      );
    await cumulative('1700000021000000000', 100);
    await cumulative('1700000022000000000', 250);
    await cumulative('1700000022000000000', 250); // the same point again (a retry)
    await cumulative('1700000023000000000', 30, '1700000022500000000'); // the CLI restarted: a new start
    const delta = claudeMetrics({ resource: writer.resource, timeNs: '1700000030000000000', tokens: { output: 7 } });
    await postJson(writer.endpoint, '/v1/metrics', delta);
    await postJson(writer.endpoint, '/v1/metrics', delta); // resent after a lost answer
    const after = (await dm.call('usage.agent', { agent: writer.id })).figures;
    expect(after.outputTokens - before.outputTokens).toBe(250 + 30 + 7);
  });

  it('counts a Codex log event named by its header, input less the cached part', async () => {
    const before = (await dm.call('usage.agent', { agent: writer.id })).figures;
    const answer = await postJson(
      writer.endpoint,
      '/v1/logs',
      codexLogs({ timeNs: '1700000040000000000', input: 1000, cached: 600, output: 50 }),
      { 'x-devmesh-agent-id': writer.id },
    );
    expect(answer.status).toBe(200);
    const after = (await dm.call('usage.agent', { agent: writer.id })).figures;
    expect(after.inputTokens - before.inputTokens).toBe(400);
    expect(after.cacheReadTokens - before.cacheReadTokens).toBe(600);
    expect(after.outputTokens - before.outputTokens).toBe(50);
  });

  it('ignores and counts figures naming an agent DevMesh does not run', async () => {
    const before = await dm.call('usage.receiver', {});
    const totals = (await dm.call('usage.agents', {})).map((u) => u.figures.costUsd);
    const answer = await postJson(
      writer.endpoint,
      '/v1/metrics',
      claudeMetrics({ resource: 'devmesh.agent.id=agent-0000000000', timeNs: '1700000050000000000', costUsd: 9 }),
    );
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ partialSuccess: { rejectedDataPoints: '1' } });
    const after = await dm.call('usage.receiver', {});
    expect(after.unknownAgent).toBe(before.unknownAgent + 1);
    expect((await dm.call('usage.agents', {})).map((u) => u.figures.costUsd)).toEqual(totals);
    expect((await dm.call('usage.agents', {})).map((u) => u.agentId)).not.toContain('agent-0000000000');
  });

  it('warns the human at the budget’s threshold, then stops the agent past it, with the figures audited', async () => {
    const spender = await launched('spender');
    const set = await dm.call('usage.setBudget', { agent: 'spender', unit: 'usd', limit: 1, warnAt: 0.5 });
    expect(set.budget).toMatchObject({ unit: 'usd', limit: 1, warnAt: 0.5, warnedAt: null, stoppedAt: null });
    const spend = (timeNs: string, costUsd: number) =>
      postJson(spender.endpoint, '/v1/metrics', claudeMetrics({ resource: spender.resource, timeNs, costUsd }));

    await spend('1700000060000000000', 0.6);
    const warned = await dm.call('usage.agent', { agent: 'spender' });
    expect(warned.budget?.warnedAt).not.toBeNull();
    expect(warned.budget?.stoppedAt).toBeNull();
    expect((await dm.call('agents.list', {})).find((a) => a.id === spender.id)?.status).not.toBe('exited');
    const toUser = await dm.call('messages.read', { reader: 'user' });
    expect(toUser.map((m) => m.body).join('\n')).toMatch(/spender has used \$0\.60 of its \$1\.00 budget/);
    expect(events.some((e) => e.type === 'agent.usage' && e.agentId === spender.id && e.budget === 'warned')).toBe(
      true,
    );

    await spend('1700000061000000000', 0.5);
    const stopped = await waitFor('the agent over its budget stopped', async () => {
      const a = (await dm.call('agents.list', {})).find((r) => r.id === spender.id);
      return a?.status === 'exited' ? a : null;
    });
    expect(stopped.status).toBe('exited');
    expect((await dm.call('usage.agent', { agent: 'spender' })).budget?.stoppedAt).not.toBeNull();
    const entries = (await dm.call('audit.list', { limit: 200 })).entries;
    const exceeded = entries.find((e) => e.kind === 'usage.budget-exceeded');
    expect(exceeded).toMatchObject({
      actor: 'devmesh',
      subject: 'spender',
      data: { agentId: spender.id, unit: 'usd', limit: 1, spent: 1.1, figures: { costUsd: 1.1 } },
    });
    expect(entries.map((e) => e.kind)).toEqual(
      expect.arrayContaining(['usage.budget-set', 'usage.budget-warned', 'usage.budget-exceeded', 'agent.stopped']),
    );
    // the writer, without a budget, runs on
    expect((await dm.call('agents.list', {})).find((a) => a.id === writer.id)?.status).not.toBe('exited');
    // relaunched over its budget it would run unbounded: refused, saying how to go on
    await expect(dm.call('agents.relaunch', { agent: 'spender' })).rejects.toThrow(
      /spender is over its budget \(\$1\.10 of \$1\.00\).*devmesh usage budget spender/,
    );
    expect((await dm.call('agents.list', {})).find((a) => a.id === spender.id)?.status).toBe('exited');
    // a raised budget starts over, and the relaunch goes ahead
    await dm.call('usage.setBudget', { agent: 'spender', unit: 'usd', limit: 5, warnAt: 0.8 });
    const again = await dm.call('agents.relaunch', { agent: 'spender' });
    expect(again.status).not.toBe('exited');
  });

  it('keeps the figures across a restart, and does not count a cumulative point again after it', async () => {
    const before = (await dm.call('usage.agent', { agent: writer.id })).figures;
    await dm.close();
    await dm.open();
    const endpoint = (await dm.call('usage.receiver', {})).endpoint!;
    expect((await dm.call('usage.agent', { agent: writer.id })).figures).toEqual(before);
    // the writer's terminal ended with the old core; its records and figures stay
    const agents = await dm.call('agents.list', {});
    expect(agents.find((a) => a.id === writer.id)).toBeDefined();
    const again = claudeMetrics({
      resource: writer.resource,
      temporality: 'cumulative',
      startNs: '1700000022500000000',
      timeNs: '1700000023000000000',
      tokens: { output: 30 },
    });
    await postJson(endpoint, '/v1/metrics', again);
    expect((await dm.call('usage.agent', { agent: writer.id })).figures.outputTokens).toBe(before.outputTokens);
  });
});
