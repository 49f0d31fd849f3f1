// Locks, the audit chain, messages and shared state through the one API, on a real core (temp home, a tiny
// project, real agent processes in real terminals): what the CLI, the UI and the MCP server all go through.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevMeshEvent } from '../../shared/events.js';
import { TestCore } from './test-core.js';
import { NODE, waitFor } from './test-project.js';

let dm: TestCore;
const events: DevMeshEvent[] = [];

beforeAll(async () => {
  dm = await TestCore.open({
    prefix: 'devmesh-coord-',
    project: 'tiny',
    files: { 'src/a.ts': 'export const a = 1;\n' },
  });
  dm.core.events.onDidEmitEvent((e) => events.push(e));
});
afterAll(() => dm?.dispose());

describe('locks through the API', () => {
  it('grants, refuses a second writer naming the holder, answers the hook check, releases; all in the chain', async () => {
    const lock = await dm.call('locks.acquire', {
      holder: 'alice',
      mode: 'WRITE',
      target: { kind: 'file', path: 'src/a.ts' },
    });
    expect(lock.holder).toBe('alice');
    const err = await dm.refused('locks.acquire', {
      holder: 'bob',
      mode: 'WRITE',
      target: { kind: 'file', path: join(dm.projectDir, 'src/a.ts') },
    });
    expect(err.message).toContain('alice');

    const check = await dm.call('locks.check', {
      holder: 'bob',
      paths: [join(dm.projectDir, 'src/a.ts'), join(dm.projectDir, 'src/free.ts'), '/etc/passwd'],
    });
    expect(check.allowed).toBe(false);
    expect(check.paths.map((p) => [p.relative, p.allowed])).toEqual([
      ['src/a.ts', false],
      ['src/free.ts', true],
      [null, true],
    ]);
    expect(check.message).toMatch(/src\/a\.ts is locked: alice holds WRITE on src\/a\.ts/);
    expect((await dm.call('locks.check', { holder: 'alice', paths: ['src/a.ts'] })).allowed).toBe(true);

    const spaces = await dm.call('locks.list', {});
    expect(spaces).toHaveLength(1);
    expect(spaces[0]).toMatchObject({ project: 'tiny', locks: [{ id: lock.id, holder: 'alice', mode: 'WRITE' }] });
    expect(events.some((e) => e.type === 'lock.changed' && e.change.type === 'granted' && e.project === 'tiny')).toBe(
      true,
    );

    expect(await dm.refused('locks.release', { holder: 'bob', lockId: lock.id })).toMatchObject({ code: 'CONFLICT' });
    await dm.call('locks.release', { holder: 'alice', lockId: lock.id });
    expect((await dm.call('locks.list', {})).flatMap((s) => s.locks)).toEqual([]);

    const kinds = (await dm.call('audit.list', { limit: 50 })).entries.map((e) => `${e.kind} ${e.actor} ${e.subject}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'lock.granted alice src/a.ts',
        'lock.refused bob src/a.ts',
        'lock.released alice src/a.ts',
      ]),
    );
  });

  it('refuses a path that escapes the project with a clear message', async () => {
    const err = await dm.refused('locks.acquire', {
      holder: 'alice',
      mode: 'READ',
      target: { kind: 'file', path: '../outside.txt' },
    });
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.message).toMatch(/outside|\.\./);
  });

  it("takes an agent's locks away the moment its terminal exits, and records who started and stopped it", async () => {
    const agent = await dm.call('agents.start', {
      command: NODE,
      args: ['-e', 'setInterval(() => {}, 1000)'],
      name: 'sleeper',
      cwd: dm.projectDir,
    });
    // by name: locks are held by the agent's id
    const lock = await dm.call('locks.acquire', {
      holder: 'sleeper',
      mode: 'INTENT',
      target: { kind: 'dir', path: 'src' },
    });
    expect(lock.holder).toBe(agent.id);
    expect((await dm.call('locks.check', { holder: 'alice', paths: ['src/a.ts'] })).message).toContain(
      `sleeper (${agent.id}) holds INTENT on src`,
    );
    await dm.call('agents.stop', { agent: 'sleeper' });
    await waitFor('the lock released', async () =>
      (await dm.call('locks.list', {})).every((s) => s.locks.length === 0),
    );
    const entries = (await dm.call('audit.list', { limit: 100 })).entries;
    const released = entries.find((e) => e.kind === 'lock.released' && e.actor === agent.id);
    expect((released?.data as { reason: string }).reason).toMatch(/agent sleeper exited/);
    expect(entries.map((e) => e.kind)).toEqual(
      expect.arrayContaining(['agent.started', 'agent.stopped', 'agent.exited']),
    );
    // by the agent's name and a kind's prefix, as `devmesh audit ls --actor sleeper --kind lock` asks
    const its = (await dm.call('audit.list', { actor: 'sleeper', kind: 'lock' })).entries;
    expect(its.map((e) => [e.actor, e.kind])).toEqual([
      [agent.id, 'lock.released'],
      [agent.id, 'lock.granted'],
    ]);
  });
});

describe('messages and shared state', () => {
  it('delivers to a reader once, broadcasts to everyone, lists newest first', async () => {
    await dm.call('agents.start', {
      command: NODE,
      args: ['-e', 'setInterval(() => {}, 1000)'],
      name: 'reader',
      cwd: dm.projectDir,
    });
    await dm.call('messages.send', { from: 'user', to: 'reader', body: 'please look at src/a.ts' });
    await dm.call('messages.send', { from: 'user', to: '*', body: 'standup in 5' });
    const first = await dm.call('messages.read', { reader: 'reader' });
    expect(first.map((m) => [m.fromName, m.toName, m.body])).toEqual([
      ['user', 'reader', 'please look at src/a.ts'],
      ['user', 'everyone', 'standup in 5'],
    ]);
    expect(await dm.call('messages.read', { reader: 'reader' })).toEqual([]);
    expect((await dm.call('messages.list', { limit: 10 }))[0]!.body).toBe('standup in 5');
    expect(await dm.refused('messages.send', { from: 'user', to: 'nobody-here', body: 'hi' })).toMatchObject({
      code: 'AGENT_NOT_FOUND',
    });
    expect(events.some((e) => e.type === 'message.posted' && e.message.body === 'standup in 5')).toBe(true);
    await dm.call('agents.stop', { agent: 'reader' });
  });

  it('keeps versions, refuses a stale compare-and-set, deletes with null', async () => {
    const v1 = await dm.call('state.set', { key: 'plan/owner', value: { who: 'alice' }, by: 'user' });
    expect(v1).toMatchObject({ version: 1, value: { who: 'alice' } });
    await dm.call('state.set', { key: 'plan/owner', value: { who: 'bob' }, by: 'user', expectedVersion: 1 });
    const stale = await dm.refused('state.set', {
      key: 'plan/owner',
      value: { who: 'carol' },
      by: 'user',
      expectedVersion: 1,
    });
    expect(stale.message).toMatch(/version 2/);
    expect(await dm.call('state.get', { key: 'plan/owner' })).toMatchObject({ version: 2, value: { who: 'bob' } });
    expect((await dm.call('state.list', { prefix: 'plan/' })).map((e) => e.key)).toEqual(['plan/owner']);
    expect(await dm.call('state.set', { key: 'plan/owner', value: null, by: 'user' })).toBeNull();
    expect(await dm.call('state.get', { key: 'plan/owner' })).toBeNull();
    // deleting what is not there again changes nothing: one state.deleted entry, not two
    await dm.call('state.set', { key: 'plan/owner', value: null, by: 'user' });
    expect(
      (await dm.call('audit.list', { kind: 'state.deleted' })).entries.filter((e) => e.subject === 'plan/owner'),
    ).toHaveLength(1);
  });
});

describe('the audit chain through the API', () => {
  it('records services starting, healthy and stopped', async () => {
    await dm.call('services.start', { name: 'api', wait: true });
    await dm.call('services.stop', { name: 'api' });
    const kinds = (await dm.call('audit.list', { actor: 'devmesh', limit: 20 })).entries
      .filter((e) => e.subject === 'tiny/api')
      .map((e) => e.kind);
    expect(kinds.reverse()).toEqual(['service.starting', 'service.healthy', 'service.stopped']);
  });

  it('verifies, mirrors every entry to audit.jsonl, filters by actor and kind', async () => {
    const verdict = await dm.call('audit.verify', {});
    expect(verdict).toMatchObject({ ok: true, firstBroken: null, mirror: 'ok', mirrorPath: dm.home.auditMirrorPath });
    expect(verdict.entries).toBe(verdict.headSeq);
    expect(existsSync(dm.home.auditMirrorPath)).toBe(true);
    expect(readFileSync(dm.home.auditMirrorPath, 'utf8').trim().split('\n')).toHaveLength(verdict.entries);
    const alice = (await dm.call('audit.list', { actor: 'alice', kind: 'lock.granted' })).entries;
    expect(alice.length).toBeGreaterThan(0);
    expect(alice.every((e) => e.actor === 'alice' && e.kind === 'lock.granted')).toBe(true);
  });
});
