// `devmesh locks --all` against a real daemon with one open git project (a lock a person takes shows with
// its MACHINE, as JSON and as text and through MCP list_locks `all`, and the text ends quietly piped into
// `head`), and the table with teammates'
// locks from a fixture: a reachable one, one last seen, one granted across a partition, and a cut list (the
// locks crossing a real link are covered at core level, tests/core/team/team-lock-view.test.ts).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TeamLocksSchema, type TeamLock, type TeamLocks } from '../../shared/team.js';
import { LockCommands } from '../../main/cli/commands/lock-commands.js';
import { tempDir, writeProject } from '../api/test-project.js';
import { BIN, CliHarness, ensureCliBuilt, type RunningCli } from './cli-harness.js';
import { McpSession } from './mcp-session.js';
import { scaled } from '../helpers/load-scale.js';

const tmp = tempDir('devmesh-cli-team-locks-');
const projectDir = join(tmp.dir, 'shop');
const cli = new CliHarness(join(tmp.dir, 'home'), tmp.dir, { DEVMESH_AGENT_NAME: 'dana' });
let daemon: RunningCli | undefined;
const sessions: McpSession[] = [];

beforeAll(async () => {
  ensureCliBuilt();
  mkdirSync(join(projectDir, 'src'), { recursive: true });
  writeProject(projectDir, 'shop', { api: { autostart: false } });
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GIT_')));
  for (const args of [
    ['init', '-q'],
    ['add', '.'],
    ['commit', '-q', '-m', 'first'],
  ])
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: projectDir, env });
  ({ daemon } = await cli.up(['--project', projectDir]));
}, scaled(90_000));

afterAll(async () => {
  for (const session of sessions) await session.client.close();
  await daemon?.stop('SIGTERM');
  tmp.dispose();
});

describe('devmesh locks --all', () => {
  it("lists this machine's locks with their machine, as JSON and as text, and ends quietly in head", async () => {
    const taken = await cli.run(['locks', 'take', 'src/cart.ts', '--ttl', '10m']);
    expect(taken.code, taken.stderr).toBe(0);
    const listed = TeamLocksSchema.parse(await cli.json<TeamLocks>(['locks', '--all']));
    expect(listed.locks).toHaveLength(1);
    expect(listed.locks[0]).toMatchObject({
      holder: 'user',
      mode: 'WRITE',
      target: { kind: 'file', path: 'src/cart.ts' },
      project: 'shop',
      machine: 'dana',
      local: true,
      reachable: true,
    });
    const text = await cli.run(['locks', '--all']);
    expect(text.code, text.stderr).toBe(0);
    const [head, row] = text.stdout.split('\n');
    expect(head).toMatch(/^MACHINE\s+PROJECT\s+TARGET\s+KIND\s+MODE\s+HOLDER\s+AGE\s+LOCK/);
    expect(row).toMatch(/^dana\s+shop\s+src\/cart\.ts\s+file\s+WRITE\s+user\s/);

    const quoted = [process.execPath, BIN, 'locks', '--all'].map((a) => `'${a}'`).join(' ');
    const piped = spawnSync('bash', ['-c', `${quoted} | head -1; exit \${PIPESTATUS[0]}`], {
      env: { ...process.env, DEVMESH_HOME: cli.home, NO_COLOR: '1' },
      encoding: 'utf8',
      timeout: scaled(30_000),
    });
    expect(piped.status, piped.stderr).toBe(0);
    expect(piped.stdout.split('\n').filter(Boolean)).toHaveLength(1);
    expect(piped.stderr).toBe('');

    // an agent asks the same through MCP list_locks
    const mcp = await McpSession.start({
      home: cli.home,
      project: projectDir,
      agent: 'dana',
      name: 'locks',
      into: sessions,
    });
    const viaMcp = await mcp.call('list_locks', { all: true });
    expect(viaMcp.isError, viaMcp.text).toBe(false);
    expect(TeamLocksSchema.parse(JSON.parse(viaMcp.text)).locks).toMatchObject([
      { holder: 'user', machine: 'dana', local: true, target: { path: 'src/cart.ts' } },
    ]);

    const both = await cli.run(['locks', '--all', '--project', 'shop']);
    expect(both.code).not.toBe(0);
    expect(both.stderr).toMatch(/--all lists every machine's locks/);
  });
});

describe("the mesh's locks table", () => {
  const lock = (over: Partial<TeamLock> & Pick<TeamLock, 'id' | 'machine'>): TeamLock => ({
    holder: 'agent-1',
    holderName: 'claude',
    mode: 'WRITE',
    target: { kind: 'file', path: 'src/orders.ts' },
    projectKey: '0123456789abcdef',
    project: 'shop',
    acquiredAt: 1_000_000,
    partitioned: [],
    machineId: `m-${over.machine}`,
    local: false,
    reachable: true,
    ...over,
  });

  it('names each machine, marks the last seen and the partitioned, and says what was left off', () => {
    const text = LockCommands.teamTable(
      {
        locks: [
          lock({ id: 'lock-9', machine: 'carol', reachable: false, holderName: 'codex' }),
          lock({ id: 'lock-2', machine: 'bob', partitioned: ['carol'], target: { kind: 'dir', path: 'src/api' } }),
          lock({ id: 'lock-1', machine: 'dana', local: true, holder: 'user', holderName: 'user' }),
        ],
        leftOff: [{ machine: 'bob', count: 3 }],
      },
      1_000_000 + 125_000,
    );
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^MACHINE\s+PROJECT\s+TARGET\s+KIND\s+MODE\s+HOLDER\s+AGE\s+LOCK\s+NOTE$/);
    expect(lines[1]).toMatch(/^dana\s+shop\s+src\/orders\.ts\s+file\s+WRITE\s+user\s+2m5s\s+lock-1\s+-$/);
    expect(lines[2]).toMatch(
      /^bob\s+shop\s+src\/api\/\s+dir\s+WRITE\s+claude\s.*lock-2\s+granted while carol unreachable$/,
    );
    expect(lines[3]).toMatch(/^carol \(last seen\)\s+shop\s+src\/orders\.ts\s.*codex\s.*lock-9\s+-$/);
    expect(lines[4]).toBe('bob holds 3 more locks than its presence lists.');
    expect(LockCommands.teamTable({ locks: [], leftOff: [] }, 0)).toMatch(/^No locks held on any machine/);
  });
});
