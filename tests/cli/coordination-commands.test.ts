// `devmesh locks|audit|task|msg|state` end to end: the real CLI against a real daemon with one open project
// and its SQLite store. A lock a person takes shows in `devmesh locks` (text and --json); another holder is
// refused by name, or queues and is shown waiting behind the holder until it is released; the audit chain
// records the grant and verifies, then names the entry edited behind DevMesh's back in the store; tasks go
// add → ls → show → cancel; messages and shared state round-trip.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../shared/audit.js';
import type { LockSpaceSnapshot } from '../../shared/lock.js';
import type { Message, StateEntry } from '../../shared/message.js';
import type { TaskDetail, TaskInfo } from '../../shared/task.js';
import { tempDir, waitFor, writeProject } from '../api/test-project.js';
import { TaskCommands } from '../../main/cli/commands/task-commands.js';
import { CliHarness, ensureCliBuilt, type RunningCli } from './cli-harness.js';
import { scaled } from '../helpers/load-scale.js';

const tmp = tempDir('devmesh-cli-coord-');
const projectDir = join(tmp.dir, 'shop');
const cli = new CliHarness(join(tmp.dir, 'home'), tmp.dir);
let daemon: RunningCli | undefined;

async function ok(args: string[]): Promise<string> {
  const r = await cli.run(args);
  expect(r.code, `devmesh ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

beforeAll(async () => {
  ensureCliBuilt();
  mkdirSync(join(projectDir, 'src'), { recursive: true });
  writeProject(projectDir, 'shop', { api: { autostart: false } });
  ({ daemon } = await cli.up(['--project', projectDir]));
}, scaled(90_000));

afterAll(async () => {
  await daemon?.stop('SIGTERM');
  tmp.dispose();
});

describe('devmesh locks', () => {
  it(
    'shows a lock a person took, refuses another holder by name, and queues a waiter behind it',
    async () => {
      const taken = await ok(['locks', 'take', 'src/cart.ts', '--ttl', '10m']);
      const id = /Locked src\/cart\.ts \(WRITE\) for user: (\S+)\.\n/.exec(taken)?.[1];
      expect(id, taken).toBeTruthy();
      expect(taken).toMatch(/It lasts 10m, until/);

      const listed = await ok(['locks']);
      expect(listed).toContain(projectDir);
      expect(listed).toMatch(new RegExp(`${id}\\s+src/cart\\.ts\\s+file\\s+WRITE\\s+user\\s+\\d+s\\s+(9m|10m)`));
      const spaces = await cli.json<LockSpaceSnapshot[]>(['locks']);
      expect(spaces.flatMap((s) => s.locks)).toContainEqual(
        expect.objectContaining({ id, holder: 'user', mode: 'WRITE', target: { kind: 'file', path: 'src/cart.ts' } }),
      );

      const refused = await cli.run(['locks', 'take', 'src/cart.ts', '--as', 'alice']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/alice cannot take/);
      expect(refused.stderr).toMatch(/\buser\b/);
      expect(refused.stderr).toContain('devmesh locks');

      // alice queues instead: `devmesh locks` shows her waiting behind user until user lets go.
      const waiting = cli.spawn(['locks', 'take', 'src/cart.ts', '--as', 'alice', '--wait', '60s', '--json']);
      try {
        await waitFor(
          'alice to show as waiting',
          async () => /alice\s+WRITE\s+src\/cart\.ts\s+user\b/.test(await ok(['locks'])),
          20_000,
          200,
        );
        expect(await ok(['locks', 'release', id!])).toContain(`Released ${id}`);
        expect(await waiting.exited).toBe(0);
        expect(JSON.parse(waiting.stdout)).toMatchObject({ holder: 'alice', mode: 'WRITE' });
      } finally {
        await waiting.stop('SIGTERM');
      }
      const notMine = await cli.run(['locks', 'release', JSON.parse(waiting.stdout).id]);
      expect(notMine.code).toBe(1);
      expect(notMine.stderr).toMatch(/held by alice, not user.*--as <holder>/);
      const released = await ok(['locks', 'release', '--all', '--as', 'alice']);
      expect(released).toContain('Released 1 lock of alice');
      expect((await cli.json<LockSpaceSnapshot[]>(['locks'])).flatMap((s) => s.locks)).toEqual([]);
    },
    scaled(90_000),
  );

  it(
    "gives a lock taken by hand the UI's lifetime (1 hour), says until when, and how to renew or change it",
    async () => {
      const text = await ok(['locks', 'take', 'src/life.ts']);
      const id = /Locked src\/life\.ts \(WRITE\) for user: (\S+)\./.exec(text)?.[1];
      expect(id, text).toBeTruthy();
      expect(text).toMatch(/lasts 1h, until (\d{4}-\d\d-\d\d )?\d\d:\d\d/);
      expect(text).toContain('devmesh locks renew');
      expect(text).toContain('--ttl');
      const lock = (await cli.json<LockSpaceSnapshot[]>(['locks'])).flatMap((s) => s.locks).find((l) => l.id === id)!;
      expect(lock.ttlMs).toBe(60 * 60 * 1000);
      expect(lock.expiresAt - lock.acquiredAt).toBe(60 * 60 * 1000);

      // renewing starts its hour again
      expect(await ok(['locks', 'renew'])).toMatch(/Renewed 1 lock of user/);
      const renewed = (await cli.json<LockSpaceSnapshot[]>(['locks']))
        .flatMap((s) => s.locks)
        .find((l) => l.id === id)!;
      expect(renewed.expiresAt).toBeGreaterThanOrEqual(lock.expiresAt);
      expect(await ok(['locks', 'release', id!])).toContain(`Released ${id}`);
    },
    scaled(120_000),
  );

  it('explains a bad command line with exit code 2', async () => {
    const r = await cli.run(['locks', 'take', 'src/a.ts', '--ttl', 'soon']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--ttl must be a duration like 30s/);
  });
});

describe('devmesh task', () => {
  it(
    'adds a task, lists it on the board, shows its history, and cancels it',
    async () => {
      const added = await cli.json<TaskInfo>([
        'task',
        'add',
        'Fix the cart total',
        '--prompt',
        'The total ignores discounts',
        '--file',
        'src/cart/**',
        '--cap',
        'typescript',
        '--priority',
        '5',
      ]);
      expect(added).toMatchObject({
        title: 'Fix the cart total',
        files: ['src/cart/**'],
        capabilities: ['typescript'],
        priority: 5,
        createdBy: 'user',
      });
      const low = await cli.json<TaskInfo>(['task', 'add', 'Tidy the readme', '--prompt', 'Shorten it']);

      const board = await cli.json<TaskInfo[]>(['task', 'ls']);
      expect(board.map((t) => t.id)).toEqual(expect.arrayContaining([added.id, low.id]));
      const text = await ok(['task', 'ls']);
      expect(text).toMatch(new RegExp(`${added.id}\\s+${added.state}\\s+5\\s+Fix the cart total`));
      if (added.state === low.state) expect(text.indexOf(added.id)).toBeLessThan(text.indexOf(low.id)); // higher priority first
      // --all: teammates' open tasks too (none here: no mesh); this machine's show HOME `here`, --json has no `home`
      const all = await cli.json<TaskInfo[]>(['task', 'ls', '--all']);
      expect(all.map((t) => t.id)).toEqual(board.map((t) => t.id));
      expect(all.every((t) => t.home === undefined)).toBe(true);
      expect(await ok(['task', 'ls', '--all'])).toMatch(
        new RegExp(
          `TITLE\\s+HOME\\s+ASSIGNEE[\\s\\S]*${added.id}\\s+${added.state}\\s+5\\s+Fix the cart total\\s+here`,
        ),
      );

      const shown = await ok(['task', 'show', added.id]);
      expect(shown).toContain('The total ignores discounts');
      expect(shown).toMatch(/history:\n\s+WHEN\s+FROM\s+TO\s+BY\s+WHY/);
      expect(shown).toMatch(/\buser\b/);

      expect(await ok(['task', 'cancel', added.id, '--reason', 'done by hand'])).toContain(`Cancelled ${added.id}`);
      const detail = await cli.json<TaskDetail>(['task', 'show', added.id]);
      expect(detail.state).toBe('CANCELLED');
      expect(detail.history.at(-1)).toMatchObject({ to: 'CANCELLED', by: 'user' });
      expect(detail.history.at(-1)!.why).toContain('done by hand');
      expect((await cli.json<TaskInfo[]>(['task', 'ls', '--state', 'cancelled'])).map((t) => t.id)).toEqual([added.id]);

      const bad = await cli.run(['task', 'show', 'nope']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/not a task id/);
    },
    scaled(60_000),
  );

  it(
    "bids for an agent that cannot bid itself; the winner holds the task's locks, shown by its name",
    async () => {
      const started = await cli.run([
        'agent',
        'start',
        '--command',
        '/bin/sh',
        '--name',
        'helper',
        '--cwd',
        projectDir,
      ]);
      expect(started.code, started.stderr).toBe(0);
      const task = await cli.json<TaskInfo>([
        'task',
        'add',
        'Add a payment page',
        '--prompt',
        'echo paying',
        '--file',
        'src/pay/**',
        '--cap',
        'frontend',
      ]);
      const bid = await ok(['task', 'bid', task.id, '--as', 'helper', '--estimate', '45m', '--cap', 'frontend']);
      expect(bid).toMatch(/^helper bid for task-\S+: score 0\.\d{3} \(match 1\.00, load 0, estimate 45 min\)/);
      const awarded = await waitFor(
        'the task to be awarded to helper',
        async () => {
          const d = await cli.json<TaskDetail>(['task', 'show', task.id]);
          return d.assigneeName === 'helper' && d.lockIds.length > 0 ? d : undefined;
        },
        30_000,
        250,
      );
      expect(awarded.bids[0]).toMatchObject({ agentName: 'helper', estimateMinutes: 45, match: 1 });
      const shown = await ok(['task', 'show', task.id]);
      expect(shown).toMatch(/helper\s+0\.\d{3}\s+1\.00\s+0\s+45 min\s+frontend/);
      const locks = await ok(['locks']);
      expect(locks).toMatch(/src\/pay\/\*\*\s+glob\s+INTENT\s+helper\s/);
      expect(await ok(['task', 'cancel', task.id])).toContain('Cancelled');
      expect(await ok(['agent', 'stop', 'helper'])).toMatch(/^helper: /);
    },
    scaled(90_000),
  );
});

describe('devmesh msg and state', () => {
  it('sends a message and lists it newest first', async () => {
    await ok(['msg', 'send', '*', 'main', 'is', 'frozen']);
    expect(await ok(['msg', 'send', 'user', 'second note'])).toMatch(/Sent #\d+ to user/);
    const list = await cli.json<Message[]>(['msg', 'ls']);
    expect(list.slice(0, 2).map((m) => m.body)).toEqual(['second note', 'main is frozen']);
    expect(list.slice(0, 2).map((m) => m.to)).toEqual(['user', '*']);
    expect(await ok(['msg', 'ls', '--limit', '1'])).toMatch(/user\s+user\s+-\s+second note/);

    // Only agents DevMesh knows (or user) may send: the refusal says how to name one.
    const stranger = await cli.run(['msg', 'send', 'user', 'hi', '--as', 'bob']);
    expect(stranger.code).toBe(1);
    expect(stranger.stderr).toMatch(/bob/);
  });

  it('sets, gets, lists and compare-and-sets shared state', async () => {
    expect(await ok(['state', 'set', 'ports', '{"web": 3000}', '--if-version', '0'])).toContain(
      "Set 'ports' (version 1)",
    );
    expect(JSON.parse(await ok(['state', 'get', 'ports']))).toEqual({ web: 3000 });
    expect(await cli.json<StateEntry>(['state', 'get', 'ports'])).toMatchObject({
      key: 'ports',
      version: 1,
      updatedBy: 'user',
    });
    expect(await ok(['state', 'ls'])).toMatch(/ports\s+1\s+user/);

    const stale = await cli.run(['state', 'set', 'ports', '{"web": 4000}', '--if-version', '0']);
    expect(stale.code).toBe(1);
    const notJson = await cli.run(['state', 'set', 'ports', 'web']);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/not JSON/);
    const missing = await cli.run(['state', 'get', 'nothing-here']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no key 'nothing-here'/);
  });
});

describe('devmesh audit', () => {
  it(
    'lists the lock grant, verifies the chain, then names the entry edited in the store',
    async () => {
      const granted = await cli.json<AuditEntry[]>(['audit', 'ls', '--kind', 'lock.granted', '--since', '1h']);
      const grant = granted.find((e) => JSON.stringify(e).includes('src/cart.ts'));
      expect(grant, JSON.stringify(granted)).toBeDefined();
      const text = await ok(['audit', 'ls', '--limit', '1000']);
      expect(text).toMatch(
        new RegExp(`^${grant!.seq}\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\s+\\S+\\s+lock\\.granted`, 'm'),
      );

      const good = await cli.run(['audit', 'verify']);
      expect(good.code, good.stderr).toBe(0);
      expect(good.stdout).toMatch(/audit chain ok \(\d+ entries, head \d+, mirror ok\)/);

      // Behind DevMesh's back: rewrite the grant's subject in the store (WAL lets us while the daemon runs).
      const db = new Database(join(cli.home, 'devmesh.db'));
      try {
        expect(
          db.prepare('UPDATE audit_entries SET subject = ? WHERE seq = ?').run('src/other.ts', grant!.seq).changes,
        ).toBe(1);
      } finally {
        db.close();
      }
      const bad = await cli.run(['audit', 'verify']);
      expect(bad.code).toBe(1);
      expect(bad.stdout).toMatch(new RegExp(`^entry ${grant!.seq}: `, 'm'));
      const json = await cli.run(['audit', 'verify', '--json']);
      expect(json.code).toBe(1);
      expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, firstBroken: { seq: grant!.seq } });
    },
    scaled(60_000),
  );
});

describe('devmesh task ls --all (the team board)', () => {
  it("names a teammate's task by its home machine, and says when that machine is unreachable", () => {
    const base: TaskInfo = {
      id: 'task-local00001',
      project: 'shop',
      root: projectDir,
      title: 'Here',
      prompt: 'p',
      files: [],
      capabilities: [],
      priority: 0,
      dependsOn: [],
      criticRequired: false,
      criticOf: null,
      state: 'BIDDING',
      stateReason: '',
      assigneeId: null,
      assigneeName: null,
      terminalId: null,
      attempts: 0,
      bidCount: 0,
      note: null,
      createdBy: 'user',
      createdAt: 0,
      updatedAt: 0,
    };
    const theirs: TaskInfo = {
      ...base,
      id: 'task-remote0001',
      title: 'Theirs',
      state: 'WORKING',
      assigneeName: 'writer@bob',
      home: { machineId: 'm-alice', name: 'alice', reachable: true },
    };
    const gone: TaskInfo = { ...theirs, id: 'task-remote0002', home: { ...theirs.home!, reachable: false } };
    const text = TaskCommands.table([base, theirs, gone], 60_000, true);
    expect(text).toMatch(/TASK\s+STATE\s+PRI\s+TITLE\s+HOME\s+ASSIGNEE\s+BIDS\s+UPDATED/);
    expect(text).toMatch(/task-local00001\s+BIDDING\s+0\s+Here\s+here\s/);
    expect(text).toMatch(/task-remote0001\s+WORKING\s+0\s+Theirs\s+alice\s+writer@bob/);
    expect(text).toMatch(/task-remote0002\s+WORKING\s+0\s+Theirs\s+alice \(unreachable\)\s+writer@bob/);
    expect(TaskCommands.table([base], 60_000)).not.toContain('HOME');
  });
});
