// Locks, the audit chain, messages and shared state through the one API, on a real core (temp home, a tiny
// project, real agent processes in real terminals): what the CLI, the UI and the MCP server all go through.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevMeshApi } from '../../main/api/devmesh-api.js';
import { DevMeshCore } from '../../main/core/devmesh-core.js';
import { DevMeshHome } from '../../main/core/home/devmesh-home.js';
import type { ApiMethod, ApiOutput } from '../../shared/api.js';
import type { ErrorInfo } from '../../shared/errors.js';
import type { DevMeshEvent } from '../../shared/events.js';
import { NODE, tempDir, waitFor, writeProject } from './test-project.js';

const tmp = tempDir('devmesh-coord-');
const home = new DevMeshHome(join(tmp.dir, 'home'));
const projectDir = join(tmp.dir, 'tiny');
let core: DevMeshCore;
let api: DevMeshApi;
const events: DevMeshEvent[] = [];

async function call<M extends ApiMethod>(method: M, input: unknown): Promise<ApiOutput<M>> {
  const r = await api.call(method, input);
  if (!r.ok) throw new Error(`${method} failed: ${r.error.code}: ${r.error.message}`);
  return r.value as ApiOutput<M>;
}

async function refused(method: ApiMethod, input: unknown): Promise<ErrorInfo> {
  const r = await api.call(method, input);
  if (r.ok) throw new Error(`${method} should have been refused, got ${JSON.stringify(r.value)}`);
  return r.error;
}

beforeAll(async () => {
  mkdirSync(join(projectDir, 'src'), { recursive: true });
  writeFileSync(join(projectDir, 'src', 'a.ts'), 'export const a = 1;\n');
  writeProject(projectDir, 'tiny', { api: { autostart: false } });
  core = await DevMeshCore.open({ home, version: '0.0.0-test', logger: pino({ level: 'silent' }), projects: [projectDir] });
  api = new DevMeshApi(core, { face: 'daemon', apiUrl: () => null, requestShutdown: () => undefined });
  core.events.onDidEmitEvent((e) => events.push(e));
});

afterAll(async () => {
  await core?.dispose();
  tmp.dispose();
});

describe('locks through the API', () => {
  it('grants, refuses a second writer naming the holder, answers the hook check, releases; all in the chain', async () => {
    const lock = await call('locks.acquire', { holder: 'alice', mode: 'WRITE', target: { kind: 'file', path: 'src/a.ts' } });
    expect(lock.holder).toBe('alice');
    const err = await refused('locks.acquire', { holder: 'bob', mode: 'WRITE', target: { kind: 'file', path: join(projectDir, 'src/a.ts') } });
    expect(err.message).toContain('alice');

    const check = await call('locks.check', { holder: 'bob', paths: [join(projectDir, 'src/a.ts'), join(projectDir, 'src/free.ts'), '/etc/passwd'] });
    expect(check.allowed).toBe(false);
    expect(check.paths.map((p) => [p.relative, p.allowed])).toEqual([['src/a.ts', false], ['src/free.ts', true], [null, true]]);
    expect(check.message).toMatch(/src\/a\.ts is locked: alice holds WRITE on src\/a\.ts/);
    expect((await call('locks.check', { holder: 'alice', paths: ['src/a.ts'] })).allowed).toBe(true);

    const spaces = await call('locks.list', {});
    expect(spaces).toHaveLength(1);
    expect(spaces[0]).toMatchObject({ project: 'tiny', locks: [{ id: lock.id, holder: 'alice', mode: 'WRITE' }] });
    expect(events.some((e) => e.type === 'lock.changed' && e.change.type === 'granted' && e.project === 'tiny')).toBe(true);

    expect(await refused('locks.release', { holder: 'bob', lockId: lock.id })).toMatchObject({ code: 'CONFLICT' });
    await call('locks.release', { holder: 'alice', lockId: lock.id });
    expect((await call('locks.list', {})).flatMap((s) => s.locks)).toEqual([]);

    const kinds = (await call('audit.list', { limit: 50 })).entries.map((e) => `${e.kind} ${e.actor} ${e.subject}`);
    expect(kinds).toEqual(expect.arrayContaining(['lock.granted alice src/a.ts', 'lock.refused bob src/a.ts', 'lock.released alice src/a.ts']));
  });

  it('refuses a path that escapes the project with a clear message', async () => {
    const err = await refused('locks.acquire', { holder: 'alice', mode: 'READ', target: { kind: 'file', path: '../outside.txt' } });
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.message).toMatch(/outside|\.\./);
  });

  it("takes an agent's locks away the moment its terminal exits, and records who started and stopped it", async () => {
    const agent = await call('agents.start', { command: NODE, args: ['-e', 'setInterval(() => {}, 1000)'], name: 'sleeper', cwd: projectDir });
    // by name: locks are held by the agent's id
    const lock = await call('locks.acquire', { holder: 'sleeper', mode: 'INTENT', target: { kind: 'dir', path: 'src' } });
    expect(lock.holder).toBe(agent.id);
    expect((await call('locks.check', { holder: 'alice', paths: ['src/a.ts'] })).message).toContain(`sleeper (${agent.id}) holds INTENT on src`);
    await call('agents.stop', { agent: 'sleeper' });
    await waitFor('the lock released', async () => (await call('locks.list', {})).every((s) => s.locks.length === 0));
    const entries = (await call('audit.list', { limit: 100 })).entries;
    const released = entries.find((e) => e.kind === 'lock.released' && e.actor === agent.id);
    expect((released?.data as { reason: string }).reason).toMatch(/agent sleeper exited/);
    expect(entries.map((e) => e.kind)).toEqual(expect.arrayContaining(['agent.started', 'agent.stopped', 'agent.exited']));
    // by the agent's name and a kind's prefix, as `devmesh audit ls --actor sleeper --kind lock` asks
    const its = (await call('audit.list', { actor: 'sleeper', kind: 'lock' })).entries;
    expect(its.map((e) => [e.actor, e.kind])).toEqual([[agent.id, 'lock.released'], [agent.id, 'lock.granted']]);
  });
});

describe('messages and shared state', () => {
  it('delivers to a reader once, broadcasts to everyone, lists newest first', async () => {
    await call('agents.start', { command: NODE, args: ['-e', 'setInterval(() => {}, 1000)'], name: 'reader', cwd: projectDir });
    await call('messages.send', { from: 'user', to: 'reader', body: 'please look at src/a.ts' });
    await call('messages.send', { from: 'user', to: '*', body: 'standup in 5' });
    const first = await call('messages.read', { reader: 'reader' });
    expect(first.map((m) => [m.fromName, m.toName, m.body])).toEqual([
      ['user', 'reader', 'please look at src/a.ts'],
      ['user', 'everyone', 'standup in 5'],
    ]);
    expect(await call('messages.read', { reader: 'reader' })).toEqual([]);
    expect((await call('messages.list', { limit: 10 }))[0]!.body).toBe('standup in 5');
    expect(await refused('messages.send', { from: 'user', to: 'nobody-here', body: 'hi' })).toMatchObject({ code: 'AGENT_NOT_FOUND' });
    expect(events.some((e) => e.type === 'message.posted' && e.message.body === 'standup in 5')).toBe(true);
    await call('agents.stop', { agent: 'reader' });
  });

  it('keeps versions, refuses a stale compare-and-set, deletes with null', async () => {
    const v1 = await call('state.set', { key: 'plan/owner', value: { who: 'alice' }, by: 'user' });
    expect(v1).toMatchObject({ version: 1, value: { who: 'alice' } });
    await call('state.set', { key: 'plan/owner', value: { who: 'bob' }, by: 'user', expectedVersion: 1 });
    const stale = await refused('state.set', { key: 'plan/owner', value: { who: 'carol' }, by: 'user', expectedVersion: 1 });
    expect(stale.message).toMatch(/version 2/);
    expect(await call('state.get', { key: 'plan/owner' })).toMatchObject({ version: 2, value: { who: 'bob' } });
    expect((await call('state.list', { prefix: 'plan/' })).map((e) => e.key)).toEqual(['plan/owner']);
    expect(await call('state.set', { key: 'plan/owner', value: null, by: 'user' })).toBeNull();
    expect(await call('state.get', { key: 'plan/owner' })).toBeNull();
    // deleting what is not there again changes nothing: one state.deleted entry, not two
    await call('state.set', { key: 'plan/owner', value: null, by: 'user' });
    expect((await call('audit.list', { kind: 'state.deleted' })).entries.filter((e) => e.subject === 'plan/owner')).toHaveLength(1);
  });
});

describe('the audit chain through the API', () => {
  it('records services starting, healthy and stopped', async () => {
    await call('services.start', { name: 'api', wait: true });
    await call('services.stop', { name: 'api' });
    const kinds = (await call('audit.list', { actor: 'devmesh', limit: 20 })).entries.filter((e) => e.subject === 'tiny/api').map((e) => e.kind);
    expect(kinds.reverse()).toEqual(['service.starting', 'service.healthy', 'service.stopped']);
  });

  it('verifies, mirrors every entry to audit.jsonl, filters by actor and kind', async () => {
    const verdict = await call('audit.verify', {});
    expect(verdict).toMatchObject({ ok: true, firstBroken: null, mirror: 'ok', mirrorPath: home.auditMirrorPath });
    expect(verdict.entries).toBe(verdict.headSeq);
    expect(existsSync(home.auditMirrorPath)).toBe(true);
    expect(readFileSync(home.auditMirrorPath, 'utf8').trim().split('\n')).toHaveLength(verdict.entries);
    const alice = (await call('audit.list', { actor: 'alice', kind: 'lock.granted' })).entries;
    expect(alice.length).toBeGreaterThan(0);
    expect(alice.every((e) => e.actor === 'alice' && e.kind === 'lock.granted')).toBe(true);
  });
});
