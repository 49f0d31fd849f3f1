// DevMesh stopped and opened again on the same home with tasks in every state, locks held and messages
// waiting: nothing crashes, the tasks of agents that died with the old process are queued again without
// their locks, the rest keep their state, and the audit chain still verifies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCore } from './test-core.js';
import { NODE } from './test-project.js';
import { scaled } from '../helpers/load-scale.js';

let dm: TestCore;
beforeAll(async () => {
  dm = await TestCore.open({
    prefix: 'devmesh-restart-',
    project: 'shop',
    files: { 'src/a.ts': 'export {};\n', 'src/b.ts': 'export {};\n' },
  });
});
afterAll(() => dm?.dispose());

describe('a restart with tasks in every state', () => {
  it(
    "re-queues the dead agents' tasks, keeps the rest, and the chain verifies",
    async () => {
      const sleeper = ['-e', 'setInterval(() => {}, 1000)'];
      await dm.call('agents.start', { command: NODE, args: sleeper, name: 'w1', cwd: dm.projectDir });
      await dm.call('agents.start', { command: NODE, args: sleeper, name: 'w2', cwd: dm.projectDir });
      const done = await dm.call('tasks.create', { title: 'done', prompt: 'x', files: ['src/b.ts'] });
      await dm.call('tasks.complete', { task: done.id, agent: 'user', summary: 'nothing to do', outcome: 'COMPLETED' });
      const claimed = await dm.call('tasks.create', { title: 'claimed', prompt: 'x', files: ['src/a.ts'] });
      await dm.call('tasks.bid', { task: claimed.id, agent: 'w1', capabilities: [], estimateMinutes: 5 });
      await dm.call('tasks.bid', { task: claimed.id, agent: 'w2', capabilities: [], estimateMinutes: 50 });
      expect((await dm.call('tasks.get', { task: claimed.id })).state).toBe('CLAIMED');
      const bidding = await dm.call('tasks.create', { title: 'bidding', prompt: 'x', files: ['src/b.ts'] });
      await dm.call('tasks.bid', { task: bidding.id, agent: 'w2', capabilities: [], estimateMinutes: 5 });
      await dm.call('tasks.create', { title: 'queued', prompt: 'x', dependsOn: [claimed.id] });
      const cancelled = await dm.call('tasks.create', { title: 'cancelled', prompt: 'x' });
      await dm.call('tasks.cancel', { task: cancelled.id, by: 'user', reason: 'not needed' });
      await dm.call('locks.acquire', { holder: 'user', mode: 'READ', target: { kind: 'file', path: 'src/b.ts' } });
      await dm.call('messages.send', { from: 'user', to: 'w1', body: 'hello' });

      await dm.close();
      await dm.open();

      const states = Object.fromEntries((await dm.call('tasks.list', {})).map((t) => [t.title, t.state]));
      expect(states).toMatchObject({ done: 'COMPLETED', cancelled: 'CANCELLED', queued: 'QUEUED' });
      const again = await dm.call('tasks.get', { task: claimed.id });
      expect(again.history.map((h) => h.to).slice(-2)).toEqual(['ABANDONED', 'QUEUED']);
      expect(again).toMatchObject({ assigneeId: null, lockIds: [] });
      expect(await dm.call('locks.list', {})).toEqual([]);
      expect((await dm.call('tasks.get', { task: bidding.id })).state).toBe('BIDDING');
      expect((await dm.call('audit.verify', {})).ok).toBe(true);

      // a new agent is offered the open work and can win it
      await dm.call('agents.start', { command: NODE, args: sleeper, name: 'w3', cwd: dm.projectDir });
      await dm.call('tasks.bid', { task: bidding.id, agent: 'w3', capabilities: [], estimateMinutes: 5 });
      await dm.call('tasks.bid', { task: claimed.id, agent: 'w3', capabilities: [], estimateMinutes: 5 });
      const w3 = (await dm.call('tasks.list', { assignee: 'w3' })).map((t) => t.title).sort();
      expect(w3).toEqual(['bidding', 'claimed']);
    },
    scaled(60_000),
  );
});
