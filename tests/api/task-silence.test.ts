// Silence on a real core: an agent that sits quiet with a task is given up even though its MCP server
// keeps heartbeating its locks. The heartbeat is the MCP process vouching for the lock holder's process,
// not the agent doing anything; counted as activity, no agent with a DevMesh MCP server would ever be silent.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeScript } from '../core/agents/fake-cli.js';
import { TestCore } from './test-core.js';
import { waitFor } from './test-project.js';
import { scaled } from '../helpers/load-scale.js';

let dm: TestCore;
beforeAll(async () => {
  dm = await TestCore.open({
    prefix: 'devmesh-silence-',
    project: 'shop',
    files: { 'src/cart.ts': 'export {};\n' },
    core: { coordination: { silentAfterMs: 2_000 } },
  });
  // an agent that says nothing and reads nothing: what is typed into it is not even echoed
  writeScript(join(dm.dir, 'bin'), 'mute-agent', 'stty -echo 2>/dev/null\nwhile true; do sleep 1; done');
});
afterAll(() => dm?.dispose());

describe('a silent agent whose locks are heartbeated', () => {
  it(
    'loses its task to silence all the same',
    async () => {
      await dm.call('agents.start', { command: join(dm.dir, 'bin', 'mute-agent'), name: 'mute', cwd: dm.projectDir });
      const task = await dm.call('tasks.create', { title: 'Fix the cart', prompt: 'fix it', files: ['src/cart.ts'] });
      await dm.call('tasks.bid', { task: task.id, agent: 'mute', capabilities: [], estimateMinutes: 5 });
      expect((await dm.call('tasks.get', { task: task.id })).assigneeName).toBe('mute');
      // its MCP server beats every 10 s; here faster, so a beat always falls inside the silence window
      const abandoned = await waitFor(
        'the task given up for silence',
        async () => {
          await dm.call('locks.heartbeat', { holder: 'mute' });
          const t = await dm.call('tasks.get', { task: task.id });
          return t.history.some((h) => h.to === 'ABANDONED') ? t : null;
        },
        20_000,
        250,
      );
      expect(abandoned.history.find((h) => h.to === 'ABANDONED')!.why).toMatch(/no activity/);
      await dm.call('agents.stop', { agent: 'mute' });
    },
    scaled(40_000),
  );
});
