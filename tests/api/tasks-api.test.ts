// The command center through the one API on a real core: a real agent process in a real terminal is told
// of a task, bids, wins it with INTENT locks on the task's files taken in the same step, gets the prompt
// typed into its terminal once it sits quiet at its input, and when it exits the task is abandoned and
// queued again, its locks gone.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeScript } from '../core/agents/fake-cli.js';
import { TestCore } from './test-core.js';
import { waitFor } from './test-project.js';

let dm: TestCore;
beforeAll(async () => {
  dm = await TestCore.open({ prefix: 'devmesh-tasks-', project: 'shop', files: { 'src/cart.ts': 'export {};\n' } });
  // an agent CLI at its input: prints a prompt, reads one line, says what it got and exits
  writeScript(join(dm.dir, 'bin'), 'fake-agent', `printf 'ready> '\nread line\nprintf 'got: %s\\n' "$line"\nexit 0`);
});
afterAll(() => dm?.dispose());

describe('a task from post to a real agent and back to the queue', () => {
  it('broadcasts, awards on the bid with INTENT locks, types the prompt into the agent quiet at its input, re-queues when it exits', async () => {
    const agent = await dm.call('agents.start', {
      command: join(dm.dir, 'bin', 'fake-agent'),
      name: 'writer',
      cwd: dm.projectDir,
    });

    const task = await dm.call('tasks.create', {
      title: 'Fix the cart total',
      prompt: 'The cart total ignores discounts.\nFix it.',
      files: ['src/**'],
      capabilities: ['typescript'],
    });
    expect(task.state).toBe('BIDDING');
    const told = await dm.call('messages.read', { reader: 'writer' });
    expect(told.map((m) => m.body).join('\n')).toContain(task.id);

    await dm.call('tasks.bid', { task: task.id, agent: 'writer', capabilities: ['typescript'], estimateMinutes: 20 });
    // the only eligible agent has bid: awarded at once, INTENT locks taken in the same step
    const claimed = await dm.call('tasks.get', { task: task.id });
    expect(claimed).toMatchObject({
      state: 'CLAIMED',
      assigneeId: agent.id,
      assigneeName: 'writer',
      terminalId: agent.terminalId,
      attempts: 1,
    });
    expect(claimed.bids[0]).toMatchObject({ agentName: 'writer', match: 1, load: 0 });
    const locks = (await dm.call('locks.list', {})).flatMap((s) => s.locks);
    expect(locks).toEqual([
      expect.objectContaining({ holder: agent.id, mode: 'INTENT', target: { kind: 'glob', pattern: 'src/**' } }),
    ]);
    expect(claimed.lockIds).toEqual(locks.map((l) => l.id));
    // another agent's edit under src/ is refused by the hook check while the task is held
    expect(
      (await dm.call('locks.check', { holder: 'user', paths: [join(dm.projectDir, 'src/cart.ts')] })).allowed,
    ).toBe(false);

    // typed once the agent sits quiet at its input (5 s without output); the fake CLI prints it and exits
    const cast = await waitFor(
      'the prompt typed into the terminal',
      async () => {
        const text = (await dm.call('recordings.read', { id: agent.terminalId! })).cast;
        return text.includes('got: DevMesh task') ? text : null;
      },
      30_000,
    );
    expect(cast).toContain(
      `got: DevMesh task ${task.id}: Fix the cart total. The cart total ignores discounts. Fix it.`,
    );

    const requeued = await waitFor('the task abandoned and queued again', async () => {
      const t = await dm.call('tasks.get', { task: task.id });
      return t.state === 'QUEUED' ? t : null;
    });
    expect(requeued.history.map((h) => h.to)).toEqual([
      'QUEUED',
      'BIDDING',
      'CLAIMED',
      'WORKING',
      'ABANDONED',
      'QUEUED',
    ]);
    expect(requeued.history.find((h) => h.to === 'ABANDONED')!.why).toMatch(/exit/);
    expect(requeued.assigneeId).toBeNull();
    expect((await dm.call('locks.list', {})).flatMap((s) => s.locks)).toEqual([]);

    const kinds = (await dm.call('audit.list', { limit: 200 })).entries.map((e) => e.kind);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'task.queued',
        'task.bidding',
        'task.bid',
        'task.awarded',
        'task.working',
        'task.abandoned',
        'agent.exited',
      ]),
    );
    expect((await dm.call('audit.verify', {})).ok).toBe(true);
  });
});
