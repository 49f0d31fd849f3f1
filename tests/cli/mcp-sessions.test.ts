// Two `devmesh mcp` sessions of one agent against a real daemon, beside a lock the CLI took in that agent's
// name (`devmesh locks take --as`) and the INTENT lock of a task awarded to it: a session that ends releases
// only the locks it took itself. The other session's lock, the CLI's and the task's stay held, with the same
// ids, and the task's lock is never released (not released and taken again).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LockInfo } from '../../shared/lock.js';
import { ApiClient } from '../../main/cli/api-client.js';
import { DevMeshHome } from '../../main/core/home/devmesh-home.js';
import { tempDir, waitFor, writeProject } from '../api/test-project.js';
import { McpSession } from './mcp-session.js';
import { CliHarness, ensureCliBuilt, type RunningCli } from './cli-harness.js';
import { scaled } from '../helpers/load-scale.js';

const tmp = tempDir('devmesh-cli-mcp-sessions-');
const home = join(tmp.dir, 'home');
const project = tmp.dir;
const cli = new CliHarness(home, project);
let daemon: RunningCli | undefined;
let ALPHA = '';
const sessions: McpSession[] = [];

/** One `devmesh mcp` process acting as `agent`, as an agent's MCP client runs it. */

async function withApi<T>(fn: (api: ApiClient) => Promise<T>): Promise<T> {
  const api = await ApiClient.connect(new DevMeshHome(home));
  try {
    return await fn(api);
  } finally {
    await api.close();
  }
}

const held = (): Promise<LockInfo[]> =>
  withApi(async (api) => (await api.call('locks.list', {})).flatMap((s) => s.locks));

beforeAll(async () => {
  ensureCliBuilt();
  writeProject(project, 'sessproj', { web: { autostart: false } });
  ({ daemon } = await cli.up(['--project', project]));
  ALPHA = (
    await withApi((api) =>
      api.call('agents.start', { command: 'sleep', args: ['600'], name: 'alpha', project: 'sessproj' }),
    )
  ).id;
}, scaled(120_000));

afterAll(async () => {
  for (const s of sessions) await s.client.close();
  await daemon?.stop('SIGTERM');
  tmp.dispose();
});

describe('MCP sessions of one agent', () => {
  it(
    'a session that ends releases only what it took',
    async () => {
      const one = await McpSession.start({ home, project, agent: ALPHA, name: 'mcp-sessions-test', into: sessions });
      const two = await McpSession.start({ home, project, agent: ALPHA, name: 'mcp-sessions-test', into: sessions });
      const ofOne = await one.lock('src/one.ts');
      const ofTwo = await two.lock('src/two.ts');
      // the same agent's lock taken from the command line, in its name
      const taken = await cli.run(['locks', 'take', 'src/cli.ts', '--as', ALPHA, '--json']);
      expect(taken.code, taken.stderr).toBe(0);
      const { id: ofCli, ttlMs: cliTtl } = JSON.parse(taken.stdout) as LockInfo;
      // a task awarded to the agent: DevMesh holds INTENT on its files in the agent's name
      const task = await withApi((api) =>
        api.call('tasks.create', { project: 'sessproj', title: 'feature', prompt: 'do it', files: ['src/task.ts'] }),
      );
      await withApi((api) =>
        api.call('tasks.bid', { task: task.id, agent: ALPHA, capabilities: [], estimateMinutes: 5 }),
      );
      const awarded = await waitFor(
        'the award',
        () =>
          withApi(async (api) => {
            const t = await api.call('tasks.get', { task: task.id });
            return t.state === 'CLAIMED' && t.lockIds.length === 1 ? t : null;
          }),
        20_000,
        100,
      );
      const ofTask = awarded.lockIds[0]!;
      // session one also takes the CLI's file: the lock is now taken by both, and stays the CLI's too
      expect(await one.lock('src/cli.ts')).toBe(ofCli);

      await one.client.close();
      await waitFor(
        "session one's lock to be released",
        async () => (await held()).every((l) => l.id !== ofOne),
        15_000,
        100,
      );
      const after = await held();
      expect(after.map((l) => l.id).sort()).toEqual([ofTwo, ofCli, ofTask].sort());
      expect(after.every((l) => l.holder === ALPHA)).toBe(true);
      // the CLI's lock kept the lifetime it was taken with
      expect(after.find((l) => l.id === ofCli)!.ttlMs).toBe(cliTtl);
      const ends = await withApi((api) => api.call('audit.list', { kind: 'lock.released', limit: 1000 }));
      expect(ends.entries.map((e) => (e.data as { lockId: string }).lockId)).toEqual([ofOne]);

      // `release_lock all` in session two gives back session two's lock, not the CLI's or the task's
      const all = (await two.client.callTool({ name: 'release_lock', arguments: { all: true } })) as {
        content: Array<{ text?: string }>;
      };
      expect(all.content[0]!.text).toMatch(/Released 1 lock/);
      expect((await held()).map((l) => l.id).sort()).toEqual([ofCli, ofTask].sort());
    },
    scaled(90_000),
  );
});
