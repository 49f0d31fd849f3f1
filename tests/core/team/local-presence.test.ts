// What this machine says about itself: the model only when the arguments say it, the project key of the
// project an agent works in (named, or the deepest open root holding its folder), the task assigned to it.
import { describe, expect, it } from 'vitest';
import type { ProjectInfo } from '../../../shared/service.js';
import type { TaskInfo } from '../../../shared/task.js';
import { modelFromArgs } from '../../../main/core/team/agent-model.js';
import { localPresence } from '../../../main/core/team/local-presence.js';
import { localLocks } from '../../../main/core/team/local-locks.js';
import { PresenceFeed } from '../../../main/core/team/presence-feed.js';
import { PresenceSnapshotSchema } from '../../../main/core/team/presence-messages.js';
import type { LockInfo, LockSpaceSnapshot } from '../../../shared/lock.js';
import type { TeamLockState } from '../../../shared/team.js';
import { agentRecord } from '../agents/agent-record-fixture.js';

const project = (id: string, root: string, key: string | null): ProjectInfo =>
  ({
    id,
    root,
    configPath: `${root}/devmesh.yaml`,
    services: [],
    configError: null,
    ...(key ? { identity: { key, rootCommit: 'c', remote: null, subPath: '', localOnly: false } } : {}),
  }) as ProjectInfo;

describe('modelFromArgs', () => {
  it('reads --model X, --model=X and -m X (the last wins), and nothing else', () => {
    expect(modelFromArgs(['--model', 'opus'])).toBe('opus');
    expect(modelFromArgs(['--model=gpt-5', '-m', 'o3'])).toBe('o3');
    expect(modelFromArgs(['--dangerously-skip-permissions'])).toBeNull();
    expect(modelFromArgs(['--model'])).toBeNull();
    expect(modelFromArgs(['--model', '--verbose'])).toBeNull();
    expect(modelFromArgs(['fix the model'])).toBeNull();
  });
});

describe('localPresence', () => {
  it("gives each agent its project's key, its branch and the task assigned to it", () => {
    const projects = [
      project('mono', '/src/mono', 'aaaaaaaaaaaaaaaa'),
      project('web', '/src/mono/web', 'bbbbbbbbbbbbbbbb'),
      project('fresh', '/src/fresh', null),
    ];
    const agents = [
      agentRecord({ id: 'agent-1', name: 'one', cwd: '/src/mono/web/src', updatedAt: 3 }),
      agentRecord({ id: 'agent-2', name: 'two', cwd: '/elsewhere', project: 'mono', updatedAt: 2 }),
      agentRecord({
        id: 'agent-3',
        name: 'three',
        cwd: '/tmp/wt/three',
        worktree: { path: '/tmp/wt/three', branch: 'feature-x', repo: '/src/fresh' },
        updatedAt: 1,
      }),
      agentRecord({ id: 'agent-4', name: 'four', cwd: '/nowhere', updatedAt: 0 }),
    ];
    const tasks = [{ id: 'task-0001', title: 'Ship it', assigneeId: 'agent-2' } as TaskInfo];
    const here = localPresence({
      human: () => 'Dana',
      agents: () => agents,
      projects: () => projects,
      activeTasks: () => tasks,
    });
    expect(here.human).toBe('Dana');
    expect(here.projects).toEqual([
      { id: 'mono', key: 'aaaaaaaaaaaaaaaa' },
      { id: 'web', key: 'bbbbbbbbbbbbbbbb' },
      { id: 'fresh', key: null },
    ]);
    expect(here.agents.map((a) => [a.name, a.projectKey, a.branch, a.task?.title ?? null])).toEqual([
      ['one', 'bbbbbbbbbbbbbbbb', null, null],
      ['two', 'aaaaaaaaaaaaaaaa', null, 'Ship it'],
      ['three', null, 'feature-x', null],
      ['four', null, null, null],
    ]);
  });
});

describe("this machine's locks in its presence", () => {
  const held = (n: number, path = `src/f${n}.ts`): LockInfo => ({
    id: `lock-${n}`,
    holder: n % 2 === 0 ? 'agent-1' : 'user',
    mode: 'WRITE',
    target: { kind: 'file', path },
    acquiredAt: n,
    expiresAt: n + 60_000,
    ttlMs: 60_000,
  });
  const space = (root: string, project: string | null, locks: LockInfo[]): LockSpaceSnapshot => ({
    root,
    project,
    locks,
    waiters: [],
  });

  it('names holders, keys and partitions, sends only shared projects, newest first, and counts what is cut', () => {
    const shared = Array.from({ length: 1005 }, (_, i) => held(i + 1));
    const long = held(2000, `src/${'x'.repeat(1100)}.ts`);
    const locks = localLocks({
      spaces: () => [space('/src/shop', 'shop', [...shared, long]), space('/tmp/notes', null, [held(3000)])],
      projectKeyAt: (root) => (root === '/src/shop' ? 'aaaaaaaaaaaaaaaa' : null),
      holderName: (h) => (h === 'agent-1' ? 'claude' : h),
      partitioned: () => new Map([['lock-1004', ['bob']]]),
    });
    expect(locks).toHaveLength(1007);
    expect(locks[0]).toMatchObject({ id: 'lock-3000', projectKey: null, project: null });
    expect(locks.find((l) => l.id === 'lock-1004')).toEqual({
      id: 'lock-1004',
      holder: 'agent-1',
      holderName: 'claude',
      mode: 'WRITE',
      target: { kind: 'file', path: 'src/f1004.ts' },
      projectKey: 'aaaaaaaaaaaaaaaa',
      project: 'shop',
      acquiredAt: 1004,
      partitioned: ['bob'],
    });

    const here = localPresence({
      human: () => 'Dana',
      agents: () => [],
      projects: () => [],
      activeTasks: () => [],
      locks: () => locks,
    });
    // the unshared space's lock stays home; the long target and the oldest past 1,000 are counted, not sent
    expect(here.locks).toHaveLength(1000);
    expect(here.locks.every((l) => l.projectKey === 'aaaaaaaaaaaaaaaa')).toBe(true);
    expect(here.locks[0]!.id).toBe('lock-1005');
    expect(here.locksLeftOff).toBe(6);
    expect(PresenceSnapshotSchema.safeParse({ k: 'snapshot', epoch: 'e', seq: 0, ...here }).success).toBe(true);
  });

  it('sends the whole list in a delta when it changed, and nothing when only agents did not', () => {
    let locks: TeamLockState[] = [];
    const feed = new PresenceFeed(() =>
      localPresence({
        human: () => 'Dana',
        agents: () => [],
        projects: () => [],
        activeTasks: () => [],
        locks: () => locks,
      }),
    );
    expect(feed.snapshot().locks).toEqual([]);
    expect(feed.refresh()).toBeNull();
    const one: TeamLockState = {
      id: 'lock-1',
      holder: 'user',
      holderName: 'user',
      mode: 'INTENT',
      target: { kind: 'dir', path: 'src' },
      projectKey: 'aaaaaaaaaaaaaaaa',
      project: 'shop',
      acquiredAt: 1,
      partitioned: [],
    };
    locks = [one];
    expect(feed.refresh()).toMatchObject({ k: 'delta', seq: 1, locks: [one], locksLeftOff: 0 });
    expect(feed.refresh()).toBeNull();
    locks = [];
    expect(feed.refresh()).toMatchObject({ seq: 2, locks: [], locksLeftOff: 0 });
  });
});
