// The coordination stores and their syncs: tasks listed on connect and patched by task.changed (never rolled
// back by a late answer), the open task's detail read again after its events; the lock spaces listed again
// shortly after lock.changed events (a burst is one listing); messages listed, added from message.posted
// once each; and the human's actions (take / release a lock as `user`, send a message) in the daemon's words.
import { afterEach, describe, expect, it } from 'vitest';
import { DevMeshError } from '../../../shared/errors.js';
import type { LockInfo, LockSpaceSnapshot } from '../../../shared/lock.js';
import type { Message } from '../../../shared/message.js';
import type { TaskDetail, TaskInfo } from '../../../shared/task.js';
import { createAppStores } from '../../../renderer/state/app-stores.js';
import { LocksSync } from '../../../renderer/locks/locks-sync.js';
import { lockTargetOf } from '../../../renderer/locks/locks-target.js';
import { MessagesSync } from '../../../renderer/messages/messages-sync.js';
import { TasksSync } from '../../../renderer/tasks/tasks-sync.js';
import { sleep, until } from '../../helpers/until.js';
import { FakeClient } from '../fake-client.js';
import { expectListFailureShown } from '../terminals/terminal-fixtures.js';

const task = (id: string, over: Partial<TaskInfo> = {}): TaskInfo => ({
  id,
  project: 'shop',
  root: '/repo',
  title: id,
  prompt: 'do it',
  files: [],
  capabilities: [],
  priority: 0,
  dependsOn: [],
  criticRequired: false,
  criticOf: null,
  state: 'QUEUED',
  stateReason: 'waiting for a bid',
  assigneeId: null,
  assigneeName: null,
  terminalId: null,
  attempts: 0,
  bidCount: 0,
  note: null,
  createdBy: 'user',
  createdAt: 1,
  updatedAt: 10,
  ...over,
});
const detailOf = (info: TaskInfo, over: Partial<TaskDetail> = {}): TaskDetail => ({
  ...info,
  history: [],
  bids: [],
  lockIds: [],
  ...over,
});
const lock = (id: string, holder: string): LockInfo => ({
  id,
  holder,
  mode: 'WRITE',
  target: { kind: 'file', path: 'src/a.ts' },
  acquiredAt: 1,
  expiresAt: 60_000,
  ttlMs: 60_000,
});
const space = (locks: LockInfo[]): LockSpaceSnapshot => ({ root: '/repo', project: 'shop', locks, waiters: [] });
const message = (seq: number, body = `m${seq}`): Message => ({
  seq,
  from: 'agent-a',
  fromName: 'a',
  to: 'user',
  toName: 'user',
  body,
  task: null,
  ts: seq,
});

const disposers: (() => void)[] = [];
afterEach(() => {
  for (const d of disposers.splice(0)) d();
});
function setup() {
  const client = new FakeClient();
  const stores = createAppStores(client.status);
  disposers.push(() => client.dispose());
  return { client, stores };
}

describe('TasksSync', () => {
  it('lists on connect, takes task.changed events, and never lets an older task replace a newer one', async () => {
    const { client, stores } = setup();
    client.handlers['tasks.list'] = () => [task('task-aaaa'), task('task-bbbb', { state: 'BIDDING' })];
    const sync = new TasksSync(client, stores.tasks);
    disposers.push(() => sync.dispose());
    await until('the list', () => stores.tasks.getState().loaded);
    expect(Object.keys(stores.tasks.getState().byId).sort()).toEqual(['task-aaaa', 'task-bbbb']);

    const working = task('task-aaaa', { state: 'WORKING', assigneeId: 'agent-x', updatedAt: 30 });
    client.emit({
      type: 'task.changed',
      ts: 30,
      task: working,
      transition: { from: 'CLAIMED', to: 'WORKING', by: 'agent-x', why: 'started', at: 30 },
    });
    expect(stores.tasks.getState().byId['task-aaaa']?.state).toBe('WORKING');
    // a listing answered before that event lands late: the task stays WORKING
    stores.tasks.getState().replace([task('task-aaaa', { state: 'CLAIMED', updatedAt: 20 })]);
    expect(stores.tasks.getState().byId['task-aaaa']?.state).toBe('WORKING');
  });

  it('reads the open task again after its events, and shows why a detail could not be read', async () => {
    const { client, stores } = setup();
    let bids = 0;
    const info = task('task-aaaa', { state: 'BIDDING' });
    client.handlers['tasks.list'] = () => [info];
    client.handlers['tasks.get'] = ({ task: id }: { task: string }) => {
      if (id !== 'task-aaaa') throw new DevMeshError('TASK_NOT_FOUND', `no task ${id}`);
      return detailOf({ ...info, bidCount: bids, updatedAt: 10 + bids });
    };
    const sync = new TasksSync(client, stores.tasks);
    disposers.push(() => sync.dispose());
    sync.open('task-aaaa');
    await until('the detail', () => stores.tasks.getState().detail);
    bids = 2;
    client.emit({ type: 'task.changed', ts: 12, task: { ...info, bidCount: 2, updatedAt: 12 }, transition: null });
    await until('the detail read again', () => stores.tasks.getState().detail?.bidCount === 2);

    sync.open('task-zzzz');
    await until('the failure', () => stores.tasks.getState().detailError);
    expect(stores.tasks.getState().detailError).toContain('no task task-zzzz');
    expect(stores.tasks.getState().detail).toBeNull();
  });

  it('creates, cancels and bids, answering with the daemon’s refusal in its own words', async () => {
    const { client, stores } = setup();
    client.handlers['tasks.list'] = () => [];
    client.handlers['tasks.create'] = (input: { title: string }) =>
      task('task-cccc', { title: input.title, updatedAt: 5 });
    client.handlers['tasks.cancel'] = () => {
      throw new DevMeshError('CONFLICT', 'task task-cccc is COMPLETED: a finished task cannot be cancelled');
    };
    const sync = new TasksSync(client, stores.tasks);
    disposers.push(() => sync.dispose());
    const created = await sync.create({ title: 'fix login', prompt: 'fix it' });
    expect(created.ok).toBe(true);
    expect(stores.tasks.getState().byId['task-cccc']?.title).toBe('fix login');
    const cancelled = await sync.cancel('task-cccc');
    expect(cancelled).toMatchObject({
      ok: false,
      code: 'CONFLICT',
      message: expect.stringContaining('cannot be cancelled'),
    });
    expect(client.calls.find((c) => c.method === 'tasks.cancel')?.input).toMatchObject({
      task: 'task-cccc',
      by: 'user',
    });
  });

  it('shows a failed listing', async () => {
    await expectListFailureShown(
      'tasks.list',
      (client, stores) => new TasksSync(client, stores.tasks),
      (s) => s.tasks,
    );
  });
});

describe('LocksSync', () => {
  it('lists the spaces again after a burst of lock.changed events, once', async () => {
    const { client, stores } = setup();
    let current = space([]);
    client.handlers['locks.list'] = () => [current];
    const sync = new LocksSync(client, stores.locks);
    disposers.push(() => sync.dispose());
    await until('the first listing', () => stores.locks.getState().loaded);
    const listings = () => client.calls.filter((c) => c.method === 'locks.list').length;
    expect(listings()).toBe(1);

    current = space([lock('l1', 'agent-a'), lock('l2', 'agent-b')]);
    for (const l of current.locks) {
      client.emit({
        type: 'lock.changed',
        ts: 2,
        root: '/repo',
        project: 'shop',
        change: { type: 'granted', ts: 2, lock: l, waitedMs: 0, previousMode: null },
      });
    }
    await until('the new listing', () => stores.locks.getState().spaces[0]?.locks.length === 2);
    await sleep(300); // no second listing follows the burst
    expect(listings()).toBe(2);
  });

  it('takes a lock as user (file, dir/ or glob) and releases it in its space', async () => {
    const { client, stores } = setup();
    client.handlers['locks.list'] = () => [space([])];
    client.handlers['locks.acquire'] = (input: { target: LockInfo['target'] }) => ({
      ...lock('l9', 'user'),
      target: input.target,
    });
    client.handlers['locks.release'] = () => lock('l9', 'user');
    const sync = new LocksSync(client, stores.locks);
    disposers.push(() => sync.dispose());
    const taken = await sync.take({ path: 'src/auth/', mode: 'INTENT', project: 'shop' });
    expect(taken.ok).toBe(true);
    expect(client.calls.find((c) => c.method === 'locks.acquire')?.input).toEqual({
      holder: 'user',
      mode: 'INTENT',
      target: { kind: 'dir', path: 'src/auth' },
      waitMs: 0,
      project: 'shop',
    });
    await sync.release('/repo', lock('l9', 'user'));
    expect(client.calls.find((c) => c.method === 'locks.release')?.input).toEqual({
      project: '/repo',
      holder: 'user',
      lockId: 'l9',
    });
    expect(await sync.take({ path: '  ', mode: 'WRITE' })).toMatchObject({ ok: false });
  });

  it('reads a typed path as a file, a directory or a glob', () => {
    expect(lockTargetOf('src/a.ts')).toEqual({ kind: 'file', path: 'src/a.ts' });
    expect(lockTargetOf('src/')).toEqual({ kind: 'dir', path: 'src' });
    expect(lockTargetOf('src/**/*.ts')).toEqual({ kind: 'glob', pattern: 'src/**/*.ts' });
    expect(lockTargetOf('')).toBeNull();
  });

  it('shows a failed listing', async () => {
    await expectListFailureShown(
      'locks.list',
      (client, stores) => new LocksSync(client, stores.locks),
      (s) => s.locks,
    );
  });
});

describe('MessagesSync', () => {
  it('lists newest first, adds each posted message once, and keeps messages newer than a late listing', async () => {
    const { client, stores } = setup();
    client.handlers['messages.list'] = () => [message(2), message(1)];
    client.handlers['messages.send'] = (input: { to: string; body: string }) => ({
      ...message(4, input.body),
      from: 'user',
      to: input.to,
    });
    const sync = new MessagesSync(client, stores.messages);
    disposers.push(() => sync.dispose());
    await until('the list', () => stores.messages.getState().loaded);
    client.emit({ type: 'message.posted', ts: 3, message: message(3) });
    const sent = await sync.send('*', 'hello all');
    expect(sent.ok).toBe(true);
    client.emit({ type: 'message.posted', ts: 4, message: { ...message(4, 'hello all'), from: 'user', to: '*' } });
    expect(stores.messages.getState().messages.map((m) => m.seq)).toEqual([4, 3, 2, 1]);
    expect(client.calls.find((c) => c.method === 'messages.send')?.input).toEqual({
      from: 'user',
      to: '*',
      body: 'hello all',
    });
    stores.messages.getState().replace([message(2), message(1)]); // a listing that left before 3 and 4 were posted
    expect(stores.messages.getState().messages.map((m) => m.seq)).toEqual([4, 3, 2, 1]);

    // a message queued for a teammate's machine is marked delivered in place when that machine acknowledges it
    client.emit({ type: 'message.posted', ts: 8, message: { ...message(8, 'to bob'), to: 'bo@bob', queued: 1 } });
    client.emit({ type: 'message.delivered', ts: 9, message: { ...message(8, 'to bob'), to: 'bo@bob', queued: 0 } });
    expect(stores.messages.getState().messages.map((m) => [m.seq, m.queued ?? 0])).toEqual([
      [8, 0],
      [4, 0],
      [3, 0],
      [2, 0],
      [1, 0],
    ]);
  });

  it('raises a toast on any view when an agent writes to the human, not for other messages', async () => {
    const { client, stores } = setup();
    client.handlers['messages.list'] = () => [];
    const { coordinationSyncs } = await import('../../../renderer/command-center/command-center-syncs.js');
    const syncs = coordinationSyncs(client, stores);
    disposers.push(() => (syncs.messages.dispose(), syncs.tasks.dispose(), syncs.locks.dispose()));
    expect(coordinationSyncs(client, stores)).toBe(syncs); // one set per page
    await until('the list', () => stores.messages.getState().loaded);
    client.emit({
      type: 'message.posted',
      ts: 5,
      message: { ...message(5, 'Which discount wins?'), task: 'task-abc123' },
    });
    client.emit({ type: 'message.posted', ts: 6, message: { ...message(6, 'fyi'), to: 'agent-b', toName: 'b' } });
    client.emit({
      type: 'message.posted',
      ts: 7,
      message: { ...message(7, 'my own'), from: 'user', fromName: 'user' },
    });
    expect(stores.toasts.getState().toasts.map((t) => [t.code, t.message])).toEqual([
      ['MESSAGE', 'a wrote to you about task-abc123: Which discount wins?'],
    ]);
  });
});
