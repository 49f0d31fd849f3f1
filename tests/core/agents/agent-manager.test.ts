// AgentManager with real child processes (fake agent CLIs), a real git repository and a real SQLite file:
// start in a new worktree with the prompt passed per profile, status events through to exit, typed prompts,
// the budget refusal, stop, persistence across a reopened store, relaunch, and removal with the worktree.
import { existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentManager } from '../../../main/core/agents/agent-manager.js';
import { AgentProfiles } from '../../../main/core/agents/agent-profiles.js';
import { AgentStore } from '../../../main/core/agents/agent-store.js';
import { ResourceBudget } from '../../../main/core/agents/resource-budget.js';
import { WorktreeManager } from '../../../main/core/agents/worktree-manager.js';
import { Database } from '../../../main/core/store/database.js';
import type { AgentStatusEvent } from '../../../shared/agent.js';
import { DevMeshError } from '../../../shared/errors.js';
import { until } from '../../helpers/until.js';
import { ChildProcessLauncher, git, makeRepo, writeScript } from './fake-cli.js';

let dir: string;
let bin: string;
let repo: string;
let database: Database;
let launcher: ChildProcessLauncher;
let manager: AgentManager;
let events: AgentStatusEvent[];

function open(budget = new ResourceBudget({ ramGb: 16, gpus: 1 }), reuseLauncher = false): void {
  database = Database.open(join(dir, 'devmesh.db'));
  if (!reuseLauncher) launcher = new ChildProcessLauncher(bin);
  manager = new AgentManager({
    store: new AgentStore(database),
    launcher,
    profiles: new AgentProfiles(),
    worktrees: new WorktreeManager(),
    budget,
    tickMs: 50,
    quietMs: 300,
  });
  events = [];
  manager.onDidChangeStatus((e) => events.push(e));
}

beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'devmesh-agents-')));
  bin = join(dir, 'bin');
  repo = makeRepo(join(dir, 'repo'));
  // like Claude Code: the prompt arrives as the last argument; asks a permission question, then exits 3
  writeScript(
    bin,
    'claude',
    [
      'echo "cwd=$(pwd)"',
      'for a in "$@"; do echo "arg=[$a]"; done',
      'echo "agent=$DEVMESH_AGENT_NAME role=$DEVMESH_AGENT_ROLE"',
      'printf "Do you want to proceed?\\n❯ 1. Yes\\n  2. No\\n"',
      'read answer',
      'echo "answered $answer"',
      'exit 3',
    ].join('\n'),
  );
  // like aider: an input prompt "> ", the task typed at it
  writeScript(
    bin,
    'aider',
    ['echo "Aider v0.86.1"', 'printf "> "', 'read task', 'echo "task=[$task]"', 'read more'].join('\n'),
  );
});
afterEach(async () => {
  manager.dispose();
  await launcher.dispose();
  database.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('AgentManager', () => {
  it('starts claude in a new worktree with the prompt as an argument, follows its status to exit', async () => {
    open();
    const record = await manager.start({
      profile: 'claude',
      worktree: 'feature-x',
      cwd: repo,
      prompt: 'fix the tests',
      role: 'tester',
      ramGb: 4,
    });
    const path = join(repo, '.devmesh', 'worktrees', 'feature-x');
    expect(record).toMatchObject({
      name: 'claude',
      profile: 'claude',
      role: 'tester',
      cwd: path,
      worktree: { path, branch: 'feature-x', repo },
      task: 'fix the tests',
      status: 'starting',
      resources: { ramGb: 4, gpus: 0 },
    });
    expect(record.args).toEqual([]); // the prompt is not part of what a relaunch repeats
    expect(launcher.created[0]).toMatchObject({
      name: 'claude',
      command: 'claude',
      args: ['fix the tests'],
      cwd: path,
      env: { DEVMESH_AGENT_ID: record.id, DEVMESH_AGENT_NAME: 'claude', DEVMESH_AGENT_ROLE: 'tester' },
    });
    const id = record.terminalId!;
    await until('the permission prompt', () => manager.get(record.id).status === 'waiting');
    expect(launcher.output(id)).toContain(`cwd=${path}\narg=[fix the tests]\nagent=claude role=tester`);
    expect(git(path, 'rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe('feature-x');
    launcher.write(id, '1\r');
    manager.noteInput(record.id); // what the terminal wiring reports when the user types into an agent
    await until('exit', () => manager.get(record.id).status === 'exited');
    const ended = manager.get('claude');
    expect(ended).toMatchObject({ status: 'exited', exitCode: 3, statusReason: 'exited with code 3', terminalId: id });
    expect(events.map((e) => [e.from, e.to, e.reason])).toContainEqual(['starting', 'starting', 'launched']); // announced at launch
    expect(events.slice(1).map((e) => [e.from, e.to])).toEqual([
      ['starting', 'waiting'], // the first chunk already holds the prompt
      ['waiting', 'working'],
      ['working', 'exited'],
    ]);
    expect(events.at(-1)).toMatchObject({
      type: 'agent.status',
      name: 'claude',
      to: 'exited',
      record: { exitCode: 3 },
    });
  });

  it('types the prompt for aider once its input prompt shows, and names a second agent uniquely', async () => {
    open();
    const first = await manager.start({ profile: 'aider', cwd: repo, prompt: 'add a\nREADME' });
    await until('the typed task', () => launcher.output(first.terminalId!).includes('task=['));
    expect(launcher.output(first.terminalId!)).toContain('task=[add a README]');
    expect(launcher.writes).toEqual([{ id: first.terminalId, data: 'add a README\r' }]);
    await until('idle after the output stops', () => manager.get(first.id).status === 'idle');
    expect(manager.get(first.id).statusReason).toMatch(/^no output for/);
    const second = await manager.start({ profile: 'aider', cwd: repo });
    expect(second.name).toBe('aider-2');
    const stopped = await manager.stop('aider-2');
    expect(stopped.status).toBe('exited');
    expect(stopped.exitCode).toBeNull();
    expect(stopped.statusReason).toBe('ended by SIGTERM');
  });

  it('refuses a start over the budget, naming the totals, and leaves no worktree behind', async () => {
    open(new ResourceBudget({ ramGb: 8, gpus: 0 }));
    await manager.start({ profile: 'aider', name: 'big', cwd: repo, ramGb: 6 });
    let err: unknown;
    try {
      await manager.start({ profile: 'aider', name: 'second', cwd: repo, worktree: 'second', ramGb: 4 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DevMeshError);
    expect((err as DevMeshError).code).toBe('CONFLICT');
    expect((err as DevMeshError).message).toContain(
      'RAM: 4 GB asked + 6 GB held by running agents = 10 GB > budget 8 GB (agents.budget.ram_gb)',
    );
    expect(existsSync(join(repo, '.devmesh', 'worktrees', 'second'))).toBe(false);
    await expect(manager.start({ profile: 'aider', cwd: repo, gpus: 1 })).rejects.toThrow(
      /GPUs: 1 asked \+ 0 held .* > budget 0 \(agents\.budget\.gpus\)/,
    );
    await manager.stop('big');
    expect((await manager.start({ profile: 'aider', name: 'second', cwd: repo, ramGb: 4 })).status).toBe('starting');
  });

  it('rolls the worktree back when the CLI cannot start, and says how to install it', async () => {
    open();
    await expect(manager.start({ profile: 'gemini', cwd: repo, worktree: 'gem' })).rejects.toThrow(
      /could not start gemini in .*; is it installed\? npm install -g @google\/gemini-cli/,
    );
    expect(git(repo, 'branch', '--list', 'gem')).toBe('');
    expect(manager.list()).toEqual([]);
    await expect(manager.start({ profile: 'claude', cwd: join(dir, 'nowhere') })).rejects.toThrow(/is not a directory/);
    await expect(manager.start({ profile: 'claude', cwd: dir, worktree: 'x' })).rejects.toThrow(
      /is not inside a git repository/,
    );
  });

  it('keeps records across a reopened store, marks orphans exited, relaunches and removes them', async () => {
    open();
    const running = await manager.start({
      command: 'sh',
      args: ['-c', 'echo up; read x'],
      name: 'shell-agent',
      cwd: repo,
      worktree: 'keep',
      ramGb: 2,
    });
    await until('output', () => manager.get(running.id).status === 'working');
    manager.dispose();
    database.close();
    await launcher.dispose(); // the daemon went away and its terminals with it

    open();
    const [restored] = manager.list();
    expect(restored).toMatchObject({
      id: running.id,
      name: 'shell-agent',
      profile: 'custom',
      command: 'sh',
      args: ['-c', 'echo up; read x'],
      worktree: { branch: 'keep' },
      status: 'exited',
      resources: { ramGb: 2, gpus: 0 },
    });
    expect(restored!.statusReason).toMatch(/terminal ended when DevMesh stopped/);

    const again = await manager.relaunch('shell-agent');
    expect(again).toMatchObject({
      id: running.id,
      status: 'starting',
      statusReason: 'relaunched',
      cwd: join(repo, '.devmesh', 'worktrees', 'keep'),
    });
    expect(again.terminalId).not.toBe(running.terminalId);
    await until('output after relaunch', () => manager.get(running.id).status === 'working');
    await expect(manager.relaunch('shell-agent')).rejects.toThrow(/still working; stop it before relaunching/);
    await expect(manager.remove('shell-agent')).rejects.toThrow(/stop it first/);
    await manager.stop('shell-agent');
    await manager.remove('shell-agent', { removeWorktree: true, deleteBranch: true, force: true });
    expect(manager.list()).toEqual([]);
    expect(git(repo, 'branch', '--list', 'keep')).toBe('');
  });

  it('reattaches to an agent whose terminal survived the restart', async () => {
    open();
    const record = await manager.start({
      command: 'sh',
      args: ['-c', 'read x; echo later; read y'],
      name: 'survivor',
      cwd: repo,
    });
    manager.dispose();
    database.close();
    open(undefined, true); // same launcher: its sessions still run
    expect(manager.get('survivor').status).toBe('starting');
    launcher.write(record.terminalId!, 'go\r');
    await until('output seen after reattaching', () => manager.get('survivor').status === 'working');
  });
});
