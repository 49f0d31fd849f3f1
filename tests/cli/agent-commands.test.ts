// `devmesh agent` end to end: a real daemon whose PATH holds a fake `claude` (a shell script that asks a
// permission question like Claude Code and waits), real PTYs, a real git repository. The agent starts in a
// new worktree with its prompt, shows as waiting at the question, works once answered through its terminal,
// and exits; a start over the machine's budget is refused naming the totals; --unattended only in a worktree.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentDetection, AgentProfile, AgentRecord } from '../../shared/agent.js';
import { tempDir, waitFor } from '../api/test-project.js';
import { makeRepo, writeFakeClaude } from '../core/agents/fake-cli.js';
import { CliHarness, ensureCliBuilt, type RunningCli } from './cli-harness.js';
import { scaled } from '../helpers/load-scale.js';

const tmp = tempDir('devmesh-cli-agent-');
const bin = join(tmp.dir, 'bin');
const repo = join(tmp.dir, 'repo');
const cli = new CliHarness(join(tmp.dir, 'home'), tmp.dir);
let daemon: RunningCli | undefined;
let savedPath: string | undefined;

async function agents(): Promise<AgentRecord[]> {
  return cli.json<AgentRecord[]>(['agent', 'ls']);
}

beforeAll(async () => {
  ensureCliBuilt();
  makeRepo(repo);
  writeFakeClaude(bin);
  mkdirSync(cli.home, { recursive: true });
  writeFileSync(join(cli.home, 'config.yaml'), 'agents:\n  budget:\n    ram_gb: 16\n');
  savedPath = process.env.PATH;
  process.env.PATH = `${bin}:${process.env.PATH}`; // the daemon inherits it
  daemon = cli.spawn(['up', '--port', '0']);
  await daemon.waitForOutput(/DevMesh is up: http:\/\/127\.0\.0\.1:\d+\//);
}, scaled(90_000));

afterAll(async () => {
  process.env.PATH = savedPath;
  await daemon?.stop('SIGTERM');
  tmp.dispose();
});

describe('devmesh agent', () => {
  it('says which agent CLIs are installed, and how to install the others', async () => {
    const list = await cli.json<Array<{ profile: AgentProfile; detection: AgentDetection }>>(['agent', 'profiles']);
    expect(list.find((p) => p.profile.id === 'claude')?.detection).toMatchObject({
      installed: true,
      version: '9.9.9 (Claude Code, fake)',
      path: join(bin, 'claude'),
    });
    const codex = list.find((p) => p.profile.id === 'codex')!.detection;
    expect(codex.installed).toBe(false);
    expect(codex.installHint).toMatch(/npm install -g/);
  });

  it('starts claude in a new worktree with its prompt, waits at its question, works once answered, exits', async () => {
    const started = await cli.run([
      'agent',
      'start',
      'claude',
      '--json',
      '--name',
      'fixer',
      '--cwd',
      repo,
      '--worktree',
      'feature-x',
      '--prompt',
      'fix the readme',
      '--ram',
      '4',
    ]);
    expect(started.code, started.stderr).toBe(0);
    const record = JSON.parse(started.stdout) as AgentRecord;
    expect(record).toMatchObject({
      name: 'fixer',
      profile: 'claude',
      task: 'fix the readme',
      worktree: { branch: 'feature-x' },
    });
    expect(existsSync(record.worktree!.path)).toBe(true);
    const waiting = await waitFor(
      'the agent to wait at its permission question',
      async () => (await agents()).find((a) => a.name === 'fixer' && a.status === 'waiting'),
      15_000,
    );
    expect(waiting.terminalId).toBe(record.terminalId);

    // Over the budget (4 GB held of 16): refused, naming the totals and the setting.
    const over = await cli.run(['agent', 'start', 'claude', '--cwd', repo, '--ram', '13']);
    expect(over.code).toBe(1);
    expect(over.stderr).toMatch(/13/);
    expect(over.stderr).toMatch(/16/);
    expect(over.stderr).toMatch(/agents\.budget/);

    // Neither --cwd nor --project: the agent works in the folder the command runs in, like git.
    const here = await cli.run([
      'agent',
      'start',
      '--command',
      '/bin/sh',
      '--name',
      'here',
      '--json',
      '--',
      '-c',
      'sleep 30',
    ]);
    expect(here.code, here.stderr).toBe(0);
    expect(JSON.parse(here.stdout)).toMatchObject({ name: 'here', cwd: tmp.dir });
    expect((await cli.run(['agent', 'stop', 'here'])).code).toBe(0);

    expect((await cli.run(['term', 'send', record.terminalId!, '1'])).code).toBe(0);
    const done = await waitFor(
      'the agent to exit',
      async () => (await agents()).find((a) => a.name === 'fixer' && a.status === 'exited'),
      15_000,
    );
    expect(done.exitCode).toBe(0);
    const recs = await cli.run(['rec', 'export', record.terminalId!]);
    expect(recs.stdout).toContain('task: fix the readme');
    expect(recs.stdout).toContain(`editing (answer 1) in ${record.worktree!.path}`);
    const ls = await cli.run(['agent', 'ls']);
    expect(ls.stdout).toMatch(/fixer\s+claude\s+exited 0/);
  });

  it('refuses --unattended outside a worktree and launches claude with its flag inside one', async () => {
    const refused = await cli.run(['agent', 'start', 'claude', '--cwd', repo, '--unattended', '--prompt', 'go']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /allows it only in a worktree it makes; add a branch for one \(--worktree <branch>\)/,
    );
    const started = await cli.run(
      ['agent', 'start', 'claude', '--json', '--name', 'auto', '--cwd', repo, '--worktree', 'auto-x'].concat([
        '--unattended',
        '--prompt',
        'tidy up',
      ]),
    );
    expect(started.code, started.stderr).toBe(0);
    const record = JSON.parse(started.stdout) as AgentRecord;
    expect(record).toMatchObject({ unattended: true, supervise: true, args: ['--dangerously-skip-permissions'] });
    await waitFor(
      'its task on screen',
      async () => (await cli.run(['rec', 'export', record.terminalId!])).stdout.includes('task: tidy up'),
      15_000,
    );
    expect((await cli.run(['agent', 'stop', 'auto'])).code).toBe(0);
  });
});
