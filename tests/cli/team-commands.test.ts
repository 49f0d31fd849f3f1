// `devmesh agent ls --all` and `devmesh team` against a real daemon (its own agents, its human from
// DEVMESH_HUMAN), piped into `head` as users do; and the tables with a teammate from a fixture (a second
// machine's presence crossing a real link is covered at core level, tests/core/team/team-presence.test.ts).
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { TeamAgent, TeamMachine } from '../../shared/team.js';
import { TeamCommands } from '../../main/cli/commands/team-commands.js';
import { tempDir } from '../api/test-project.js';
import { McpSession } from './mcp-session.js';
import { BIN, CliHarness, ensureCliBuilt, type RunningCli } from './cli-harness.js';
import { scaled } from '../helpers/load-scale.js';

const tmp = tempDir('devmesh-cli-team-');
const cli = new CliHarness(join(tmp.dir, 'home'), tmp.dir, {
  DEVMESH_HUMAN: 'Dana Tester',
  DEVMESH_AGENT_NAME: 'dana',
});
let daemon: RunningCli | undefined;
const sessions: McpSession[] = [];

beforeAll(async () => {
  ensureCliBuilt();
  ({ daemon } = await cli.up([]));
  const started = await cli.run([
    'agent',
    'start',
    '--command',
    'sleep',
    '--name',
    'sleeper',
    '--role',
    'qa',
    '--',
    '600',
  ]);
  expect(started.code, started.stderr).toBe(0);
}, scaled(90_000));

afterAll(async () => {
  for (const s of sessions) await s.client.close();
  await cli.run(['agent', 'stop', 'sleeper']);
  await daemon?.stop('SIGTERM');
  tmp.dispose();
});

describe('devmesh agent ls --all / devmesh team', () => {
  it("lists this machine's agents with their machine and human", async () => {
    const agents = await cli.json<TeamAgent[]>(['agent', 'ls', '--all']);
    expect(agents).toHaveLength(1);
    expect(agents[0]).toMatchObject({
      name: 'sleeper',
      machine: 'dana',
      human: 'Dana Tester',
      local: true,
      reachable: true,
      role: 'qa',
      profile: 'custom',
      model: null,
      branch: null,
    });
    const text = await cli.run(['agent', 'ls', '--all']);
    expect(text.code, text.stderr).toBe(0);
    const [head, row] = text.stdout.split('\n');
    expect(head).toMatch(/^NAME\s+MACHINE\s+HUMAN\s+STATUS\s+ROLE/);
    expect(row).toMatch(/^sleeper\s+dana\s+Dana Tester\s+\w+\s+qa/);
  });

  it('shows the machines with their humans and agents, as JSON and as text', async () => {
    const machines = await cli.json<TeamMachine[]>(['team']);
    expect(machines).toHaveLength(1);
    expect(machines[0]).toMatchObject({ name: 'dana', human: 'Dana Tester', local: true, reachable: true });
    expect(machines[0]!.agents.map((a) => a.name)).toEqual(['sleeper']);
    const text = await cli.run(['team']);
    expect(text.stdout).toMatch(/^dana \(Dana Tester\): this machine/);
    expect(text.stdout).toMatch(/No teammate yet/);
  });

  it("gives an agent the team's agents through MCP list_agents, with machine and human", async () => {
    const [sleeper] = await cli.json<TeamAgent[]>(['agent', 'ls', '--all']);
    const mcp = await McpSession.start({
      home: cli.home,
      project: tmp.dir,
      agent: sleeper!.id,
      name: 'team',
      into: sessions,
    });
    for (const args of [{}, { all: false }, { machine: 'dana' }]) {
      const listed = await mcp.call('list_agents', args);
      expect(listed.isError, listed.text).toBe(false);
      expect(JSON.parse(listed.text)).toMatchObject([{ name: 'sleeper', machine: 'dana', human: 'Dana Tester' }]);
    }
    expect(JSON.parse((await mcp.call('list_agents', { machine: 'nobody' })).text)).toEqual([]);
  });

  it('ends quietly when piped into head', () => {
    for (const args of [['agent', 'ls', '--all'], ['team']]) {
      const quoted = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' ');
      const r = spawnSync('bash', ['-c', `${quoted} | head -1; exit \${PIPESTATUS[0]}`], {
        env: { ...process.env, DEVMESH_HOME: cli.home, NO_COLOR: '1' },
        encoding: 'utf8',
        timeout: scaled(30_000),
      });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(1);
      expect(r.stderr).toBe('');
    }
  });
});

describe('the team tables', () => {
  const agent = (over: Partial<TeamAgent>): TeamAgent => ({
    id: 'agent-1',
    name: 'claude',
    profile: 'claude',
    model: null,
    role: null,
    status: 'working',
    statusReason: null,
    projectKey: null,
    branch: null,
    task: null,
    updatedAt: 1,
    machineId: 'm-1',
    machine: 'alice',
    human: 'Alice',
    local: false,
    reachable: true,
    ...over,
  });

  it("names a teammate's machine and human, and says when an unreachable one was last seen", () => {
    const bob = agent({
      name: 'codex',
      machine: 'bob',
      human: 'Bob B.',
      reachable: false,
      status: 'waiting',
      statusReason: 'permission prompt',
      model: 'gpt-5',
      branch: 'fix-orders',
      task: { id: 'task-0001', title: 'Fix the orders page' },
    });
    const table = TeamCommands.agentsTable([agent({ local: true }), bob]);
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^NAME\s+MACHINE\s+HUMAN\s+STATUS\s+ROLE\s+PROFILE\s+MODEL\s+BRANCH\s+TASK$/);
    expect(lines[2]).toMatch(/^codex\s+bob \(last seen\)\s+Bob B\.\s+waiting \(permission prompt\)\s/);
    expect(lines[2]).toContain('gpt-5');
    expect(lines[2]).toContain('fix-orders');
    expect(lines[2]).toContain('task-0001 Fix the orders page');

    const machines: TeamMachine[] = [
      {
        machineId: 'm-1',
        name: 'alice',
        human: 'Alice',
        local: true,
        reachable: true,
        lastSeen: null,
        projects: [],
        agents: [],
      },
      {
        machineId: 'm-2',
        name: 'bob',
        human: 'Bob B.',
        local: false,
        reachable: false,
        lastSeen: 1_000_000,
        projects: [{ id: 'shop', key: '0123456789abcdef' }],
        agents: [bob],
      },
    ];
    const text = TeamCommands.machinesText(machines, 1_000_000 + 125_000);
    expect(text).toContain('alice (Alice): this machine; no project open\n  no agents');
    expect(text).toContain('bob (Bob B.): last seen 2m5s ago; shop');
    expect(text).toMatch(/\n {2}AGENT\s+STATUS/);
    expect(text).not.toContain('No teammate yet');
  });
});
