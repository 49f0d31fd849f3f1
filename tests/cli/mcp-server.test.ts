// `devmesh mcp` end to end: a real daemon (`devmesh up`) with a temp home and project, and the MCP SDK's own
// Client spawning `node bin/devmesh.js mcp` over stdio as two different agents. One takes a WRITE lock (seen
// through the API), the other is refused naming the holder; the lock is heartbeated while the session
// lives and released through the tool; errors come back as tool errors; with the daemon down the tools
// say to run `devmesh up`, and the same server works again once it is back.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LockInfo } from '../../shared/lock.js';
import { ApiClient } from '../../main/cli/api-client.js';
import { DevMeshHome } from '../../main/core/home/devmesh-home.js';
import { tempDir, waitFor, writeProject } from '../api/test-project.js';
import { McpSession } from './mcp-session.js';
import { BIN, CliHarness, ensureCliBuilt, type RunningCli } from './cli-harness.js';
import { scaled } from '../helpers/load-scale.js';
import { sleep } from '../helpers/until.js';

const tmp = tempDir('devmesh-cli-mcp-');
const home = join(tmp.dir, 'home');
const project = tmp.dir;
const cli = new CliHarness(home, project);
const MCP_TOOLS = [
  ...['list_services', 'list_peers', 'list_agents'],
  ...['acquire_lock', 'release_lock', 'list_locks'],
  ...['list_tasks', 'bid_task', 'claim_task', 'update_task', 'complete_task'],
  ...['send_message', 'read_messages', 'get_state', 'set_state'],
  ...['schedule_reminder', 'list_reminders', 'cancel_reminder'],
  'watch_files',
  ...['start_worktree_app', 'stop_worktree_app'],
];
// the ids of two agents the daemon runs (a long `sleep` each): messages go between known agents only
let ALPHA = '';
let BETA = '';

let daemon: RunningCli | undefined;
const sessions: McpSession[] = [];

/** One `devmesh mcp` process as one agent, with its stderr kept for failure messages. */

async function withApi<T>(fn: (api: ApiClient) => Promise<T>): Promise<T> {
  const api = await ApiClient.connect(new DevMeshHome(home));
  try {
    return await fn(api);
  } finally {
    await api.close();
  }
}

async function heldLocks(): Promise<LockInfo[]> {
  return withApi(async (api) => (await api.call('locks.list', {})).flatMap((space) => space.locks));
}

async function startDaemon(): Promise<void> {
  ({ daemon } = await cli.up(['--project', project]));
}

beforeAll(async () => {
  ensureCliBuilt();
  writeProject(project, 'mcpproj', { web: { autostart: false } });
  await startDaemon();
  const start = (name: string) =>
    withApi((api) => api.call('agents.start', { command: 'sleep', args: ['600'], name, project: 'mcpproj' }));
  ALPHA = (await start('alpha')).id;
  BETA = (await start('beta')).id;
}, scaled(120_000));

afterAll(async () => {
  for (const s of sessions) await s.client.close();
  await daemon?.stop('SIGTERM');
  tmp.dispose();
});

describe('devmesh mcp', () => {
  it('lists the twenty-one tools with their input schemas', async () => {
    const alpha = await McpSession.start({ home, project, agent: ALPHA, name: 'mcp-server-test', into: sessions });
    const { tools } = await alpha.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...MCP_TOOLS].sort());
    for (const tool of tools) expect(tool.inputSchema.type, tool.name).toBe('object');
    const services = await alpha.call('list_services');
    expect(services.isError, services.text).toBe(false);
    expect(services.text).toContain('"name":"web"');
    expect((await alpha.call('list_agents')).text).toContain(`"id":"${ALPHA}"`);
  });

  it(
    'takes a WRITE lock as its agent, refuses another agent naming the holder, heartbeats it, hands it over on release',
    async () => {
      const alpha = sessions[0]!;
      const beta = await McpSession.start({ home, project, agent: BETA, name: 'mcp-server-test', into: sessions });

      const taken = await alpha.call('acquire_lock', { path: 'src/app.ts', mode: 'WRITE', ttl_seconds: 120 });
      expect(taken.isError, `${taken.text}\n${alpha.stderr}`).toBe(false);
      const lock = (await heldLocks()).find((l) => l.holder === ALPHA);
      expect(lock).toMatchObject({ holder: ALPHA, mode: 'WRITE', target: { kind: 'file', path: 'src/app.ts' } });
      expect(taken.text).toContain(lock!.id);

      const refused = await beta.call('acquire_lock', { path: 'src/app.ts' });
      expect(refused.isError).toBe(true);
      expect(refused.text).toContain(ALPHA);
      // a glob covering the file is refused too
      expect((await beta.call('acquire_lock', { path: 'src/*.ts' })).isError).toBe(true);

      // the session heartbeats its locks (every 10 s): the deadline moves forward while it lives
      await waitFor(
        'a heartbeat to extend the lock',
        async () => ((await heldLocks()).find((l) => l.id === lock!.id)?.expiresAt ?? 0) > lock!.expiresAt,
        40_000,
        500,
      );

      // beta cannot release alpha's lock; it queues for it, and gets it when alpha releases
      expect((await beta.call('release_lock', { lock_id: lock!.id })).isError).toBe(true);
      const waiting = beta.call('acquire_lock', { path: 'src/app.ts', wait_seconds: 40 });
      await waitFor(
        'beta to queue',
        async () =>
          (await withApi((api) => api.call('locks.list', {}))).some((space) =>
            space.waiters.some((w) => w.holder === BETA),
          ),
        20_000,
        100,
      );
      const released = await alpha.call('release_lock', { lock_id: lock!.id });
      expect(released.isError, released.text).toBe(false);
      const granted = await waiting;
      expect(granted.isError, granted.text).toBe(false);
      expect((await heldLocks()).map((l) => l.holder)).toEqual([BETA]);
      expect((await beta.call('release_lock', { all: true })).text).toMatch(/Released 1 lock/);
    },
    scaled(90_000),
  );

  it(
    "releases its agent's locks at once when the agent's session ends (stdin closed)",
    async () => {
      const beta = await McpSession.start({ home, project, agent: BETA, name: 'mcp-server-test', into: sessions });
      const taken = await beta.call('acquire_lock', { path: 'docs/', mode: 'INTENT', ttl_seconds: 600 });
      expect(taken.isError, taken.text).toBe(false);
      expect((await heldLocks()).some((l) => l.holder === BETA)).toBe(true);
      await beta.client.close();
      await waitFor('the lock released', async () => (await heldLocks()).every((l) => l.holder !== BETA), 15_000, 100);
    },
    scaled(30_000),
  );

  it('answers an unknown lock id with a tool error saying what is wrong', async () => {
    const result = await sessions[0]!.call('release_lock', { lock_id: 'lock-99999' });
    expect(result.isError).toBe(true);
    expect(result.text).toContain('lock-99999');
  });

  it('shares messages and state between agents, filling in who sends and who reads', async () => {
    const [alpha, beta] = sessions as [McpSession, McpSession];
    const sent = await alpha.call('send_message', { to: BETA, body: 'src/app.ts is yours now' });
    expect(sent.isError, sent.text).toBe(false);
    const inbox = await beta.call('read_messages');
    expect(inbox.isError, inbox.text).toBe(false);
    expect(inbox.text).toContain('src/app.ts is yours now');
    expect(inbox.text).toContain(ALPHA);
    expect((await beta.call('read_messages')).text).toBe('No new messages.');

    const set = await alpha.call('set_state', { key: 'api/contract', value: { version: 2 } });
    expect(set.isError, set.text).toBe(false);
    const got = await beta.call('get_state', { key: 'api/contract' });
    expect(JSON.parse(got.text)).toMatchObject({ value: { version: 2 }, version: 1, updatedBy: ALPHA });
    const stale = await beta.call('set_state', { key: 'api/contract', value: 3, expected_version: 0 });
    expect(stale.isError).toBe(true);
    expect(stale.text).toMatch(/CONFLICT/);
  });

  it(
    'bids, is awarded, claims, reports and completes a task as its agent',
    async () => {
      const [alpha, beta] = sessions as [McpSession, McpSession];
      const task = await withApi((api) =>
        api.call('tasks.create', {
          project: 'mcpproj',
          title: 'add the feature',
          prompt: 'write src/feature/index.ts',
          files: ['src/feature/**'],
          capabilities: ['typescript'],
        }),
      );
      const open = await alpha.call('list_tasks', { states: ['QUEUED', 'BIDDING'] });
      expect(open.text).toContain(task.id);
      const bid = await alpha.call('bid_task', { task: task.id, capabilities: ['typescript'], estimate_minutes: 20 });
      expect(bid.isError, bid.text).toBe(false);
      expect((await beta.call('bid_task', { task: task.id, estimate_minutes: 120 })).isError).toBe(false);

      // the better score (alpha's capability match) wins once every running agent has bid
      await waitFor(
        'the award to alpha',
        async () => (await alpha.call('list_tasks', { mine: true, states: ['CLAIMED'] })).text.includes(task.id),
        20_000,
        200,
      );
      const claimed = await alpha.call('claim_task', { task: task.id });
      expect(claimed.isError, claimed.text).toBe(false);
      expect(JSON.parse(claimed.text)).toMatchObject({ id: task.id, state: 'WORKING', assigneeId: ALPHA });
      const notBeta = await beta.call('complete_task', { task: task.id, summary: 'not mine' });
      expect(notBeta.isError).toBe(true);
      expect(JSON.parse((await alpha.call('update_task', { task: task.id, note: 'half done' })).text)).toMatchObject({
        note: 'half done',
      });
      const done = await alpha.call('complete_task', { task: task.id, summary: 'added src/feature/index.ts' });
      expect(JSON.parse(done.text)).toMatchObject({ state: 'COMPLETED' });
    },
    scaled(60_000),
  );

  it('follows file changes with watch_files: waits for the first, then goes on from its cursor', async () => {
    const [alpha] = sessions as [McpSession, McpSession];
    await waitFor('the project watched', async () =>
      withApi(async (api) => (await api.call('files.watched', {})).some((w) => w.state === 'watching')),
    );
    // a cursor for "now" first: a call still on its way when the file is written would start after it
    const start = await alpha.call('watch_files', { wait_seconds: 0, path_prefix: 'notes/' });
    expect(start.isError, start.text).toBe(false);
    const from = (JSON.parse(start.text.split('\n')[1]!) as { cursor: string }).cursor;
    const waiting = alpha.call('watch_files', { cursor: from, wait_seconds: 40, path_prefix: 'notes/' });
    await sleep(300); // most often the call now waits in the daemon: the write ends its wait
    mkdirSync(join(project, 'notes'), { recursive: true });
    writeFileSync(join(project, 'notes', 'one.md'), 'one\n');
    const first = await waiting;
    expect(first.isError, first.text).toBe(false);
    const answer = JSON.parse(first.text.split('\n')[1]!) as { cursor: string; changes: Array<{ path: string }> };
    expect(answer.changes.map((c) => c.path)).toContain('notes/one.md');
    writeFileSync(join(project, 'notes', 'two.md'), 'two\n');
    const next = await waitFor('the next change from the cursor', async () => {
      const r = await alpha.call('watch_files', { cursor: answer.cursor, wait_seconds: 5, path_prefix: 'notes/' });
      return r.text.includes('notes/two.md') && r;
    });
    expect(next.text).not.toContain('notes/one.md');
  });

  it('ends with exit 0 when its client closes stdin, and refuses an identity that is not an agent id', async () => {
    const ended = await cli.run(['mcp']); // stdin is /dev/null: the session is over at once
    expect(ended.code, ended.stderr).toBe(0);
    expect(ended.stdout).toBe('');
    const bad = spawnSync(process.execPath, [BIN, 'mcp'], {
      env: { ...process.env, DEVMESH_HOME: home, DEVMESH_AGENT_ID: 'not an id!' },
      input: '',
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/DEVMESH_AGENT_ID 'not an id!' is not an agent id/);
  });

  it(
    'tells to run `devmesh up` while DevMesh is down, and works again once it is back',
    async () => {
      const alpha = sessions[0]!;
      await daemon!.stop('SIGTERM');
      const down = await alpha.call('list_locks');
      expect(down.isError).toBe(true);
      expect(down.text).toMatch(/devmesh up/);

      await startDaemon();
      const back = await alpha.call('list_locks');
      expect(back.isError, back.text).toBe(false);
    },
    scaled(120_000),
  );
});
