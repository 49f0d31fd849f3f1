// DevMesh stopped and opened again on the same home with tasks in every state, locks held and messages
// waiting: nothing crashes, the tasks of agents that died with the old process are queued again without
// their locks, the rest keep their state, and the audit chain still verifies.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { DevMeshApi } from '../../main/api/devmesh-api.js';
import { DevMeshCore } from '../../main/core/devmesh-core.js';
import { DevMeshHome } from '../../main/core/home/devmesh-home.js';
import type { ApiMethod, ApiOutput } from '../../shared/api.js';
import { NODE, tempDir, writeProject } from './test-project.js';

const tmp = tempDir('devmesh-restart-');
const home = new DevMeshHome(join(tmp.dir, 'home'));
const projectDir = join(tmp.dir, 'shop');
let core: DevMeshCore | null = null;
let api: DevMeshApi;

async function open(): Promise<void> {
  core = await DevMeshCore.open({ home, version: '0.0.0-test', logger: pino({ level: 'silent' }), projects: [projectDir] });
  api = new DevMeshApi(core, { face: 'daemon', apiUrl: () => null, requestShutdown: () => undefined });
}

async function call<M extends ApiMethod>(method: M, input: unknown): Promise<ApiOutput<M>> {
  const r = await api.call(method, input);
  if (!r.ok) throw new Error(`${method} failed: ${r.error.code}: ${r.error.message}`);
  return r.value as ApiOutput<M>;
}

afterAll(async () => {
  await core?.dispose();
  tmp.dispose();
});

describe('a restart with tasks in every state', () => {
  it('re-queues the dead agents\' tasks, keeps the rest, and the chain verifies', async () => {
    mkdirSync(join(projectDir, 'src'), { recursive: true });
    for (const f of ['a.ts', 'b.ts']) writeFileSync(join(projectDir, 'src', f), 'export {};\n');
    writeProject(projectDir, 'shop', { api: { autostart: false } });
    await open();
    const sleeper = ['-e', 'setInterval(() => {}, 1000)'];
    await call('agents.start', { command: NODE, args: sleeper, name: 'w1', cwd: projectDir });
    await call('agents.start', { command: NODE, args: sleeper, name: 'w2', cwd: projectDir });
    const done = await call('tasks.create', { title: 'done', prompt: 'x', files: ['src/b.ts'] });
    await call('tasks.complete', { task: done.id, agent: 'user', summary: 'nothing to do', outcome: 'COMPLETED' });
    const claimed = await call('tasks.create', { title: 'claimed', prompt: 'x', files: ['src/a.ts'] });
    await call('tasks.bid', { task: claimed.id, agent: 'w1', capabilities: [], estimateMinutes: 5 });
    await call('tasks.bid', { task: claimed.id, agent: 'w2', capabilities: [], estimateMinutes: 50 });
    expect((await call('tasks.get', { task: claimed.id })).state).toBe('CLAIMED');
    const bidding = await call('tasks.create', { title: 'bidding', prompt: 'x', files: ['src/b.ts'] });
    await call('tasks.bid', { task: bidding.id, agent: 'w2', capabilities: [], estimateMinutes: 5 });
    const queued = await call('tasks.create', { title: 'queued', prompt: 'x', dependsOn: [claimed.id] });
    const cancelled = await call('tasks.create', { title: 'cancelled', prompt: 'x' });
    await call('tasks.cancel', { task: cancelled.id, by: 'user', reason: 'not needed' });
    await call('locks.acquire', { holder: 'user', mode: 'READ', target: { kind: 'file', path: 'src/b.ts' } });
    await call('messages.send', { from: 'user', to: 'w1', body: 'hello' });

    await core!.dispose();
    core = null;
    await open();

    const states = Object.fromEntries((await call('tasks.list', {})).map((t) => [t.title, t.state]));
    expect(states).toMatchObject({ done: 'COMPLETED', cancelled: 'CANCELLED', queued: 'QUEUED' });
    const again = await call('tasks.get', { task: claimed.id });
    expect(again.history.map((h) => h.to).slice(-2)).toEqual(['ABANDONED', 'QUEUED']);
    expect(again).toMatchObject({ assigneeId: null, lockIds: [] });
    expect(await call('locks.list', {})).toEqual([]);
    expect((await call('tasks.get', { task: bidding.id })).state).toBe('BIDDING');
    expect((await call('audit.verify', {})).ok).toBe(true);

    // a new agent is offered the open work and can win it
    await call('agents.start', { command: NODE, args: sleeper, name: 'w3', cwd: projectDir });
    await call('tasks.bid', { task: bidding.id, agent: 'w3', capabilities: [], estimateMinutes: 5 });
    await call('tasks.bid', { task: claimed.id, agent: 'w3', capabilities: [], estimateMinutes: 5 });
    const w3 = (await call('tasks.list', { assignee: 'w3' })).map((t) => t.title).sort();
    expect(w3).toEqual(['bidding', 'claimed']);
  }, 60_000);
});
