// Names and ids through the API on a real core: an agent named by its name in `by` is recorded by its id,
// as locks and messages already are, so `audit ls --actor <name>` finds what it did; and a deletion of
// shared state is recorded with who deleted it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevMeshApi } from '../../main/api/devmesh-api.js';
import { DevMeshCore } from '../../main/core/devmesh-core.js';
import { DevMeshHome } from '../../main/core/home/devmesh-home.js';
import type { ApiMethod, ApiOutput } from '../../shared/api.js';
import { NODE, tempDir, writeProject } from './test-project.js';

const tmp = tempDir('devmesh-names-');
const home = new DevMeshHome(join(tmp.dir, 'home'));
const projectDir = join(tmp.dir, 'tiny');
let core: DevMeshCore;
let api: DevMeshApi;

async function call<M extends ApiMethod>(method: M, input: unknown): Promise<ApiOutput<M>> {
  const r = await api.call(method, input);
  if (!r.ok) throw new Error(`${method} failed: ${r.error.code}: ${r.error.message}`);
  return r.value as ApiOutput<M>;
}

beforeAll(async () => {
  mkdirSync(join(projectDir, 'src'), { recursive: true });
  writeFileSync(join(projectDir, 'src', 'a.ts'), 'export const a = 1;\n');
  writeProject(projectDir, 'tiny', { api: { autostart: false } });
  core = await DevMeshCore.open({ home, version: '0.0.0-test', logger: pino({ level: 'silent' }), projects: [projectDir] });
  api = new DevMeshApi(core, { face: 'daemon', apiUrl: () => null, requestShutdown: () => undefined });
});

afterAll(async () => {
  await core?.dispose();
  tmp.dispose();
});

describe('an agent named by its name', () => {
  it('posts, cancels and sets state as its id, and the audit finds it by name', async () => {
    const agent = await call('agents.start', { command: NODE, args: ['-e', 'setInterval(() => {}, 1000)'], name: 'planner', cwd: projectDir });
    const task = await call('tasks.create', { title: 'Split the cart', prompt: 'split it', by: 'planner' });
    expect(task.createdBy).toBe(agent.id);
    await call('tasks.cancel', { task: task.id, by: 'planner' });
    expect((await call('state.set', { key: 'plan', value: { step: 1 }, by: 'planner' }))!.updatedBy).toBe(agent.id);
    await call('state.set', { key: 'plan', value: null, by: 'planner' });

    const mine = (await call('audit.list', { actor: 'planner', limit: 50 })).entries.map((e) => `${e.kind} ${e.subject}`);
    expect(mine).toEqual(expect.arrayContaining([`task.queued ${task.id}`, `task.cancelled ${task.id}`, 'state.set plan', 'state.deleted plan']));
    await call('agents.stop', { agent: 'planner' });
  });
});

describe('an agent started in a folder inside the project', () => {
  it("shares the project's lock space: its edit check sees the others' locks", async () => {
    const agent = await call('agents.start', { command: NODE, args: ['-e', 'setInterval(() => {}, 1000)'], name: 'web', cwd: join(projectDir, 'src') });
    const held = await call('locks.acquire', { holder: 'user', mode: 'WRITE', target: { kind: 'file', path: 'src/a.ts' } });
    const check = await call('locks.check', { holder: agent.id, paths: [join(projectDir, 'src', 'a.ts')] });
    expect(check.root).toBe(projectDir);
    expect(check.allowed).toBe(false);
    await call('locks.release', { holder: 'user', lockId: held.id });
    await call('agents.stop', { agent: 'web' });
  });
});

describe('an agent exiting with a claimed task and someone queued for its file', () => {
  it('hands the file to the waiter and keeps nothing for the agent that is gone', async () => {
    const agent = await call('agents.start', { command: NODE, args: ['-e', 'setInterval(() => {}, 1000)'], name: 'leaver', cwd: projectDir });
    const task = await call('tasks.create', { title: 'Edit a', prompt: 'edit a', files: ['src/a.ts'] });
    await call('tasks.bid', { task: task.id, agent: 'leaver', capabilities: [], estimateMinutes: 5 });
    expect((await call('tasks.get', { task: task.id })).state).toBe('CLAIMED');
    const waiting = api.call('locks.acquire', { holder: 'user', mode: 'WRITE', target: { kind: 'file', path: 'src/a.ts' }, waitMs: 20_000 });
    await call('agents.stop', { agent: 'leaver' });
    const got = await waiting;
    expect(got.ok).toBe(true);
    const locks = (await call('locks.list', {})).flatMap((s) => s.locks);
    expect(locks.map((l) => [l.holder, l.mode])).toEqual([['user', 'WRITE']]);
    expect(locks.some((l) => l.holder === agent.id)).toBe(false);
    const again = await call('tasks.get', { task: task.id });
    expect(again.assigneeId).toBeNull();
    expect(again.lockIds).toEqual([]);
    if (got.ok) await call('locks.release', { holder: 'user', lockId: (got.value as { id: string }).id });
  });
});
