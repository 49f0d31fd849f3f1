// Silence on a real core: an agent that sits quiet with a task is given up even though its MCP server
// keeps heartbeating its locks. The heartbeat is the MCP process vouching for the lock holder's process,
// not the agent doing anything; counted as activity, no agent with a DevMesh MCP server would ever be silent.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevMeshApi } from '../../main/api/devmesh-api.js';
import { DevMeshCore } from '../../main/core/devmesh-core.js';
import { DevMeshHome } from '../../main/core/home/devmesh-home.js';
import type { ApiMethod, ApiOutput } from '../../shared/api.js';
import { writeScript } from '../core/agents/fake-cli.js';
import { tempDir, waitFor, writeProject } from './test-project.js';

const tmp = tempDir('devmesh-silence-');
const home = new DevMeshHome(join(tmp.dir, 'home'));
const projectDir = join(tmp.dir, 'shop');
const binDir = join(tmp.dir, 'bin');
let core: DevMeshCore;
let api: DevMeshApi;

async function call<M extends ApiMethod>(method: M, input: unknown): Promise<ApiOutput<M>> {
  const r = await api.call(method, input);
  if (!r.ok) throw new Error(`${method} failed: ${r.error.code}: ${r.error.message}`);
  return r.value as ApiOutput<M>;
}

beforeAll(async () => {
  mkdirSync(join(projectDir, 'src'), { recursive: true });
  writeFileSync(join(projectDir, 'src', 'cart.ts'), 'export {};\n');
  writeProject(projectDir, 'shop', { api: { autostart: false } });
  // an agent that says nothing and reads nothing: what is typed into it is not even echoed
  writeScript(binDir, 'mute-agent', 'stty -echo 2>/dev/null\nwhile true; do sleep 1; done');
  core = await DevMeshCore.open({ home, version: '0.0.0-test', logger: pino({ level: 'silent' }), projects: [projectDir], coordination: { silentAfterMs: 2_000 } });
  api = new DevMeshApi(core, { face: 'daemon', apiUrl: () => null, requestShutdown: () => undefined });
});

afterAll(async () => {
  await core?.dispose();
  tmp.dispose();
});

describe('a silent agent whose locks are heartbeated', () => {
  it('loses its task to silence all the same', async () => {
    await call('agents.start', { command: join(binDir, 'mute-agent'), name: 'mute', cwd: projectDir });
    const task = await call('tasks.create', { title: 'Fix the cart', prompt: 'fix it', files: ['src/cart.ts'] });
    await call('tasks.bid', { task: task.id, agent: 'mute', capabilities: [], estimateMinutes: 5 });
    expect((await call('tasks.get', { task: task.id })).assigneeName).toBe('mute');
    // its MCP server beats every 10 s; here faster, so a beat always falls inside the silence window
    const abandoned = await waitFor('the task given up for silence', async () => {
      await call('locks.heartbeat', { holder: 'mute' });
      const t = await call('tasks.get', { task: task.id });
      return t.history.some((h) => h.to === 'ABANDONED') ? t : null;
    }, 20_000, 250);
    expect(abandoned.history.find((h) => h.to === 'ABANDONED')!.why).toMatch(/no activity/);
    await call('agents.stop', { agent: 'mute' });
  }, 40_000);
});
