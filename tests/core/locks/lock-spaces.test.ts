// Lock spaces: which project's locks a call means, worktree paths taken as project paths, the edit check
// the hooks ask (others' locks refuse, co-writers pass), all-or-none grants for task awards.
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LockSpaces } from '../../../main/core/locks/lock-spaces.js';
import { agentRecord } from '../agents/agent-record-fixture.js';
import type { AgentRecord } from '../../../shared/agent.js';
import type { LockChangedEvent } from '../../../shared/lock.js';
import { FakeLockClock } from './fake-lock-clock.js';

let dir: string;
let root: string;
let worktree: string;
let spaces: LockSpaces;
let events: LockChangedEvent[];

function agent(id: string, name: string, extra: Partial<AgentRecord> = {}): AgentRecord {
  return agentRecord({ id, name, cwd: root, project: 'shop', status: 'working', ...extra });
}

beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'devmesh-spaces-')));
  root = join(dir, 'shop');
  worktree = join(dir, 'worktrees', 'feature-x');
  mkdirSync(join(root, 'src'), { recursive: true });
  mkdirSync(join(worktree, 'src'), { recursive: true });
  const agents = [
    agent('agent-alice', 'alice'),
    agent('agent-bob', 'bob', {
      cwd: worktree,
      project: null,
      worktree: { path: worktree, branch: 'feature-x', repo: root },
    }),
  ];
  events = [];
  spaces = new LockSpaces({
    projects: {
      resolve: (ref) => {
        if (ref === undefined || ref === 'shop' || ref === root) return { id: 'shop', root };
        throw new Error(`no project ${ref}`);
      },
      idAt: (r) => (r === root ? 'shop' : null),
    },
    agents: { find: (x) => agents.find((a) => a.id === x || a.name === x) ?? null },
    emit: (e) => events.push(e),
    clock: new FakeLockClock(),
  });
});

afterEach(() => {
  spaces.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('LockSpaces', () => {
  it("takes a path in an agent's worktree as the same path of the project: both agents contend for one lock", () => {
    const bob = spaces.spaceFor(undefined, 'agent-bob');
    expect(bob.root).toBe(root);
    expect(spaces.relativePath(bob, 'agent-bob', join(worktree, 'src/a.ts'))).toBe('src/a.ts');
    bob.manager.tryAcquire({ holder: 'agent-bob', mode: 'WRITE', target: { kind: 'file', path: 'src/a.ts' } });
    const check = spaces.check(undefined, 'alice', [join(root, 'src/a.ts')]);
    expect(check.allowed).toBe(false);
    expect(check.message).toBe(
      'src/a.ts is locked: bob (agent-bob) holds WRITE on src/a.ts (lock-1). Wait for the lock to be released, ask the holder (send_message), or work on another file.',
    );
    expect(events.map((e) => [e.project, e.change.type])).toEqual([['shop', 'granted']]);
  });

  it('lets co-writers edit what they co-write, refuses everyone else, and never blocks a holder on its own lock', () => {
    const space = spaces.at(root);
    space.manager.tryAcquire({ holder: 'agent-alice', mode: 'CO_WRITE', target: { kind: 'dir', path: 'src' } });
    space.manager.tryAcquire({ holder: 'agent-bob', mode: 'CO_WRITE', target: { kind: 'file', path: 'src/a.ts' } });
    expect(spaces.check(undefined, 'alice', ['src/a.ts']).allowed).toBe(true);
    expect(spaces.check(undefined, 'bob', ['src/a.ts']).allowed).toBe(true);
    expect(spaces.check(undefined, 'user', ['src/a.ts']).allowed).toBe(false);
    // bob co-writes only src/a.ts: alice's CO_WRITE on the rest of src/ refuses bob elsewhere
    expect(spaces.check(undefined, 'bob', ['src/b.ts']).allowed).toBe(false);
    expect(spaces.check(undefined, 'bob', ['README.md']).allowed).toBe(true);
  });

  it('answers outside paths as not ours to lock, and lists only spaces with something in them', () => {
    expect(spaces.check(undefined, 'alice', ['/etc/hosts']).paths[0]).toEqual({
      path: '/etc/hosts',
      relative: null,
      allowed: true,
      blockers: [],
    });
    expect(spaces.list()).toEqual([]);
    spaces
      .at(root)
      .manager.tryAcquire({ holder: 'user', mode: 'READ', target: { kind: 'glob', pattern: 'src/**/*.ts' } });
    expect(spaces.list().map((s) => [s.project, s.locks.length])).toEqual([['shop', 1]]);
  });

  it('grants all of a set or none of it (a task award)', () => {
    const m = spaces.at(root).manager;
    m.tryAcquire({ holder: 'agent-alice', mode: 'WRITE', target: { kind: 'file', path: 'src/b.ts' } });
    const refused = m.tryAcquireAll([
      { holder: 'agent-bob', mode: 'INTENT', target: { kind: 'file', path: 'src/a.ts' } },
      { holder: 'agent-bob', mode: 'INTENT', target: { kind: 'glob', pattern: 'src/*.ts' } },
    ]);
    expect(refused.ok).toBe(false);
    expect(m.locksOf('agent-bob')).toEqual([]);
    spaces.releaseHolder('alice', 'terminal exited');
    const granted = m.tryAcquireAll([
      { holder: 'agent-bob', mode: 'INTENT', target: { kind: 'file', path: 'src/a.ts' } },
      { holder: 'agent-bob', mode: 'INTENT', target: { kind: 'glob', pattern: 'src/*.ts' } },
    ]);
    expect(granted.ok && granted.value.length).toBe(2);
  });
});

describe('LockSpaces lifetimes and ids', () => {
  const file = (path: string) => ({ kind: 'file' as const, path });

  it('gives a lock nobody renews an hour and a renewed one 30 s, and never shortens a lock another taker holds', async () => {
    const mine = await spaces.acquire(undefined, { holder: 'user', mode: 'WRITE', target: file('src/a.ts') });
    expect(mine.ttlMs).toBe(60 * 60 * 1000);
    // an agent DevMesh runs, or an MCP session: renewed while it lives
    expect((await spaces.acquire(undefined, { holder: 'alice', mode: 'WRITE', target: file('src/b.ts') })).ttlMs).toBe(
      30_000,
    );
    expect(
      (await spaces.acquire(undefined, { holder: 'user', mode: 'READ', target: file('src/c.ts'), session: 'mcp-1' }))
        .ttlMs,
    ).toBe(30_000);
    // the person's lock taken again by their MCP session keeps its hour, and outlives the session
    expect(
      await spaces.acquire(undefined, { holder: 'user', mode: 'WRITE', target: file('src/a.ts'), session: 'mcp-1' }),
    ).toMatchObject({ id: mine.id, ttlMs: 3_600_000 });
    expect(spaces.releaseAll(undefined, 'user', 'mcp-1')).toBe(2);
    expect(spaces.list()[0]!.locks.filter((l) => l.holder === 'user')).toMatchObject([
      { id: mine.id, ttlMs: 3_600_000 },
    ]);
  });

  it('hands out lock ids from one source for every space', async () => {
    const other = join(dir, 'other');
    mkdirSync(other);
    const a = await spaces.acquire(undefined, { holder: 'user', mode: 'WRITE', target: file('src/a.ts') });
    const b = await spaces.at(other).manager.acquire({ holder: 'user', mode: 'WRITE', target: file('x.ts') });
    expect(a.id).not.toBe(b.id);
  });
});
