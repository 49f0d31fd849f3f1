// Messages typed at the idle prompt of an agent CLI DevMesh has no hook into, through the one API on a real
// core: a real agent process in a real terminal (a shell script at a prompt, echoing each line it reads) gets
// a message typed once it sits quiet at its input, exactly once (marked read: read_messages has nothing, the
// next idle spell types nothing); a message posted while it sits idle is typed then; an awarded task's
// prompt, typed at the same idle spell, goes first and the messages wait for the next one.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentRecord } from '../../shared/agent.js';
import { writeScript } from '../core/agents/fake-cli.js';
import { scaled } from '../helpers/load-scale.js';
import { TestCore } from './test-core.js';
import { waitFor } from './test-project.js';

let dm: TestCore;
let agent: AgentRecord;

async function lines(): Promise<string[]> {
  const cast = (await dm.call('recordings.read', { id: agent.terminalId! })).cast;
  return cast.match(/got: [^\\]*/g) ?? [];
}

/** waits for the agent to sit idle at its prompt, in a spell begun after `after` (default: any) */
async function waitIdle(after = 0): Promise<void> {
  await waitFor(
    'the agent idle at its prompt',
    async () => {
      const a = (await dm.call('agents.list', {})).find((r) => r.id === agent.id);
      return a?.status === 'idle' && a.updatedAt > after;
    },
    scaled(30_000),
  );
}

beforeAll(async () => {
  dm = await TestCore.open({ prefix: 'devmesh-typed-', project: 'shop', files: { 'src/cart.ts': 'export {};\n' } });
  // an agent CLI at its input: a prompt, then each line read is echoed back with a new prompt
  writeScript(
    join(dm.dir, 'bin'),
    'fake-agent',
    `printf 'ready> '\nwhile read line; do printf 'got: %s\\nready> ' "$line"; done`,
  );
  agent = await dm.call('agents.start', {
    command: join(dm.dir, 'bin', 'fake-agent'),
    name: 'coder',
    cwd: dm.projectDir,
  });
}, scaled(60_000));
afterAll(() => dm?.dispose());

describe('messages typed at an idle prompt', () => {
  it('types a message once the agent is idle, once, and marks it read', async () => {
    await dm.call('messages.send', { from: 'user', to: 'coder', body: 'use the new\nprice table' });
    const typed = await waitFor(
      'the message typed',
      async () => ((await lines()).length > 0 ? lines() : null),
      scaled(30_000),
    );
    expect(typed).toEqual(['got: DevMesh: 1 new message. from user (#1): use the new price table']);
    expect(await dm.call('messages.read', { reader: 'coder' })).toEqual([]);
    // it answered (output), then goes idle again: nothing new, nothing typed
    await waitIdle(Date.now());
    expect(await lines()).toHaveLength(1);
  });

  it('types a message posted while the agent sits idle, and several in one line', async () => {
    await waitIdle();
    await dm.call('messages.send', { from: 'user', to: '*', body: 'standup in 5' });
    await waitFor('the broadcast typed', async () => (await lines()).length === 2, scaled(30_000));
    expect((await lines())[1]).toBe('got: DevMesh: 1 new message. from user to everyone (#2): standup in 5');
    await waitIdle();
    // five at once: the first is typed at once (the agent sits idle), the rest wait for its next idle spell,
    // where three go in one line and the fifth is named as waiting
    for (let i = 1; i <= 5; i++) dm.core.coordination.messages.send({ from: 'user', to: 'coder', body: `n${i}` });
    await waitFor('the batch typed', async () => (await lines()).length === 4, scaled(30_000));
    expect((await lines()).slice(2)).toEqual([
      'got: DevMesh: 1 new message. from user (#3): n1',
      'got: DevMesh: 3 new messages. from user (#4): n2 | from user (#5): n3 | from user (#6): n4 ' +
        '(1 more: use read_messages)',
    ]);
    expect((await dm.call('messages.read', { reader: 'coder' })).map((m) => m.body)).toEqual(['n5']);
    await waitIdle(Date.now());
    expect(await lines()).toHaveLength(4);
  });

  it('lets an awarded task prompt go first; the messages follow at the next idle spell', async () => {
    await waitIdle();
    const task = await dm.call('tasks.create', { title: 'Fix the cart', prompt: 'Fix it.', files: ['src/**'] });
    // the invitation is a message too: it is typed at this idle spell (the agent is idle, the task not yet won)
    await waitFor('the invitation typed', async () => (await lines()).length === 5, scaled(30_000));
    expect((await lines())[4]).toContain(task.id);
    await waitIdle();
    await dm.call('tasks.bid', { task: task.id, agent: 'coder', capabilities: [], estimateMinutes: 5 });
    await dm.call('messages.send', { from: 'user', to: 'coder', body: 'after the task' });
    await waitFor('the task and the message typed', async () => (await lines()).length === 7, scaled(40_000));
    const [prompt, message] = (await lines()).slice(5);
    expect(prompt).toMatch(new RegExp(`^got: DevMesh task ${task.id}: Fix the cart`));
    expect(message).toMatch(/^got: DevMesh: 1 new message\. from user \(#\d+\): after the task$/);
  });
});
