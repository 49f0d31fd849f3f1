// Names and ids through the API on a real core: an agent named by its name in `by` is recorded by its id,
// as locks and messages already are, so `audit ls --actor <name>` finds what it did; and a deletion of
// shared state is recorded with who deleted it.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCore } from './test-core.js';
import { NODE } from './test-project.js';

let dm: TestCore;
beforeAll(async () => {
  dm = await TestCore.open({
    prefix: 'devmesh-names-',
    project: 'tiny',
    files: { 'src/a.ts': 'export const a = 1;\n' },
  });
});
afterAll(() => dm?.dispose());

describe('an agent named by its name', () => {
  it('posts, cancels and sets state as its id, and the audit finds it by name', async () => {
    const agent = await dm.call('agents.start', {
      command: NODE,
      args: ['-e', 'setInterval(() => {}, 1000)'],
      name: 'planner',
      cwd: dm.projectDir,
    });
    const task = await dm.call('tasks.create', { title: 'Split the cart', prompt: 'split it', by: 'planner' });
    expect(task.createdBy).toBe(agent.id);
    await dm.call('tasks.cancel', { task: task.id, by: 'planner' });
    expect((await dm.call('state.set', { key: 'plan', value: { step: 1 }, by: 'planner' }))!.updatedBy).toBe(agent.id);
    await dm.call('state.set', { key: 'plan', value: null, by: 'planner' });

    const mine = (await dm.call('audit.list', { actor: 'planner', limit: 50 })).entries.map(
      (e) => `${e.kind} ${e.subject}`,
    );
    expect(mine).toEqual(
      expect.arrayContaining([
        `task.queued ${task.id}`,
        `task.cancelled ${task.id}`,
        'state.set plan',
        'state.deleted plan',
      ]),
    );
    await dm.call('agents.stop', { agent: 'planner' });
  });
});

describe('an agent started in a folder inside the project', () => {
  it("shares the project's lock space: its edit check sees the others' locks", async () => {
    const agent = await dm.call('agents.start', {
      command: NODE,
      args: ['-e', 'setInterval(() => {}, 1000)'],
      name: 'web',
      cwd: join(dm.projectDir, 'src'),
    });
    const held = await dm.call('locks.acquire', {
      holder: 'user',
      mode: 'WRITE',
      target: { kind: 'file', path: 'src/a.ts' },
    });
    const check = await dm.call('locks.check', { holder: agent.id, paths: [join(dm.projectDir, 'src', 'a.ts')] });
    expect(check.root).toBe(dm.projectDir);
    expect(check.allowed).toBe(false);
    await dm.call('locks.release', { holder: 'user', lockId: held.id });
    await dm.call('agents.stop', { agent: 'web' });
  });
});

describe('an agent exiting with a claimed task and someone queued for its file', () => {
  it('hands the file to the waiter and keeps nothing for the agent that is gone', async () => {
    const agent = await dm.call('agents.start', {
      command: NODE,
      args: ['-e', 'setInterval(() => {}, 1000)'],
      name: 'leaver',
      cwd: dm.projectDir,
    });
    const task = await dm.call('tasks.create', { title: 'Edit a', prompt: 'edit a', files: ['src/a.ts'] });
    await dm.call('tasks.bid', { task: task.id, agent: 'leaver', capabilities: [], estimateMinutes: 5 });
    expect((await dm.call('tasks.get', { task: task.id })).state).toBe('CLAIMED');
    const waiting = dm.api.call('locks.acquire', {
      holder: 'user',
      mode: 'WRITE',
      target: { kind: 'file', path: 'src/a.ts' },
      waitMs: 20_000,
    });
    await dm.call('agents.stop', { agent: 'leaver' });
    const got = await waiting;
    expect(got.ok).toBe(true);
    const locks = (await dm.call('locks.list', {})).flatMap((s) => s.locks);
    expect(locks.map((l) => [l.holder, l.mode])).toEqual([['user', 'WRITE']]);
    expect(locks.some((l) => l.holder === agent.id)).toBe(false);
    const again = await dm.call('tasks.get', { task: task.id });
    expect(again.assigneeId).toBeNull();
    expect(again.lockIds).toEqual([]);
    if (got.ok) await dm.call('locks.release', { holder: 'user', lockId: (got.value as { id: string }).id });
  });
});
