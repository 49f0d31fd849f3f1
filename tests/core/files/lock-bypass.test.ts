// After-the-fact detection on a real core: two agents in their own git worktrees, bob holding a WRITE lock on
// src/a.ts, and a shell write by alice's side (`sh -c 'echo x >> src/a.ts'` in her worktree: no edit hook asks)
// is raised to both: a files.lock-bypassed event, a lock.bypassed audit entry, and a message to each. Bob
// writing under his own lock is not raised. The watcher's other outputs ride along: files.changed and
// review.changed for the worktree, and files.changes (MCP watch_files) following with a cursor.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentRecord } from '../../../shared/agent.js';
import type { DevMeshEvent } from '../../../shared/events.js';
import type { LockBypassedEvent } from '../../../shared/files.js';
import { TestCore } from '../../api/test-core.js';
import { NODE } from '../../api/test-project.js';
import { scaled } from '../../helpers/load-scale.js';
import { until } from '../../helpers/until.js';
import { makeRepo } from '../agents/fake-cli.js';

let dm: TestCore;
const events: DevMeshEvent[] = [];
let alice: AgentRecord;
let bob: AgentRecord;

const start = (name: string) =>
  dm.call('agents.start', {
    command: NODE,
    args: ['-e', 'setInterval(() => {}, 1000)'],
    name,
    project: 'tiny',
    worktree: `${name}-work`,
  });
const watching = (root: string) =>
  until(`a watcher on ${root}`, async () =>
    (await dm.call('files.watched', {})).some((w) => w.root === root && w.state === 'watching'),
  );
const shell = (cwd: string, script: string) => execFileSync('sh', ['-c', script], { cwd });
const bypasses = () => events.filter((e): e is LockBypassedEvent => e.type === 'files.lock-bypassed');

beforeAll(async () => {
  dm = await TestCore.open({
    prefix: 'devmesh-bypass-',
    project: 'tiny',
    files: { 'src/a.ts': 'export const a = 1;\n', 'src/b.ts': 'export const b = 1;\n' },
    prepare: (dir) => void makeRepo(dir),
    core: { files: { quietMs: 30, maxDelayMs: 300 } },
  });
  dm.core.events.onDidEmitEvent((e) => events.push(e));
  alice = await start('alice');
  bob = await start('bob');
  await watching(dm.projectDir);
  await watching(alice.worktree!.path);
  await watching(bob.worktree!.path);
}, scaled(60_000));
afterAll(() => dm?.dispose());

describe('a shell write to a file another agent holds', () => {
  it('is raised to both: an alert event, an audit entry and a message to each', async () => {
    const lock = await dm.call('locks.acquire', {
      holder: bob.id,
      mode: 'WRITE',
      target: { kind: 'file', path: 'src/a.ts' },
    });
    shell(alice.worktree!.path, 'echo x >> src/a.ts');

    const raised = await until('the bypass alert', () => bypasses().find((e) => e.path === 'src/a.ts'));
    expect(raised).toMatchObject({
      writer: { agentId: alice.id, name: 'alice' },
      where: alice.worktree!.path,
      change: 'update',
      holders: [{ holder: bob.id, holderName: 'bob', lockId: lock.id, mode: 'WRITE', machine: null }],
    });

    const audit = await dm.call('audit.list', { kind: 'lock.bypassed', limit: 10 });
    expect(audit.entries).toHaveLength(1);
    expect(audit.entries[0]).toMatchObject({ actor: alice.id, kind: 'lock.bypassed', subject: 'src/a.ts' });

    const to = async (id: string) =>
      (await dm.call('messages.list', { limit: 50, party: id })).filter((m) => m.to === id && m.from === 'devmesh');
    const toAlice = await to(alice.id);
    const toBob = await to(bob.id);
    expect(toAlice.map((m) => m.body).join('\n')).toMatch(/Lock bypassed: src\/a\.ts changed in alice's worktree.*bob/);
    expect(toBob.map((m) => m.body).join('\n')).toMatch(/alice changed it under your lock/);

    // the same write again within the window is not raised twice
    shell(alice.worktree!.path, 'echo y >> src/a.ts');
    shell(alice.worktree!.path, 'echo z > src/sentinel-1.ts');
    await until('the sentinel', () =>
      events.some((e) => e.type === 'files.changed' && e.paths.includes('src/sentinel-1.ts')),
    );
    expect(bypasses().filter((e) => e.path === 'src/a.ts')).toHaveLength(1);
    await dm.call('locks.release', { holder: bob.id, lockId: lock.id });
  });

  it('is not raised when the holder writes under its own lock, nor for a file nobody holds', async () => {
    const lock = await dm.call('locks.acquire', {
      holder: bob.id,
      mode: 'WRITE',
      target: { kind: 'file', path: 'src/b.ts' },
    });
    const before = bypasses().length;
    shell(bob.worktree!.path, 'echo x >> src/b.ts');
    shell(alice.worktree!.path, 'echo x >> README.md');
    await until(
      'both changes seen',
      () =>
        events.some((e) => e.type === 'files.changed' && e.agentId === bob.id && e.paths.includes('src/b.ts')) &&
        events.some((e) => e.type === 'files.changed' && e.agentId === alice.id && e.paths.includes('README.md')),
    );
    expect(bypasses().length).toBe(before);
    await dm.call('locks.release', { holder: bob.id, lockId: lock.id });
  });
});

describe("the watcher's stream", () => {
  it('raises files.changed and review.changed for a worktree, and watch_files follows with a cursor', async () => {
    const first = await dm.call('files.changes', { waitMs: 0 });
    const waiting = dm.call('files.changes', {
      cursor: first.cursor,
      waitMs: Math.min(50_000, scaled(20_000)),
      prefix: 'docs/',
    });
    shell(bob.worktree!.path, 'mkdir -p docs && echo hi > docs/notes.md');
    const got = await waiting;
    expect(got.changes).toEqual([
      expect.objectContaining({ path: 'docs/notes.md', type: 'create', agentId: bob.id, root: bob.worktree!.path }),
    ]);
    expect(
      events.some((e) => e.type === 'review.changed' && e.agentId === bob.id && e.path === bob.worktree!.path),
    ).toBe(true);
    // alice follows the others: her own worktree is left out
    const mine = await dm.call('files.changes', { cursor: got.cursor, waitMs: 0 });
    shell(alice.worktree!.path, 'echo own > own.txt');
    shell(bob.worktree!.path, 'echo theirs > theirs.txt');
    const next = await until('bob’s change', async () => {
      const r = await dm.call('files.changes', { cursor: mine.cursor, waitMs: 0, excludeAgent: 'alice' });
      return r.changes.some((c) => c.path === 'theirs.txt') && r;
    });
    expect(next.changes.map((c) => c.path)).not.toContain('own.txt');
  });

  it('stops watching a worktree when its agent is removed', async () => {
    const carol = await start('carol');
    await watching(carol.worktree!.path);
    await dm.call('agents.stop', { agent: 'carol' });
    await dm.call('agents.remove', { agent: 'carol', removeWorktree: true, force: true });
    expect((await dm.call('files.watched', {})).map((w) => w.root)).not.toContain(carol.worktree!.path);
  });
});
