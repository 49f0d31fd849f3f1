// The lock hooks end to end, run the way the agent CLIs run them: a real daemon with an open project (a git
// repository) where another agent holds a WRITE lock (taken through the API), the files AgentSessionSetup
// generates for an agent, and
// - the Claude Code PreToolUse command line from the generated settings, spawned with `sh -c` and the hook
//   JSON on stdin: exit 2 naming the holder for the locked file, exit 0 for a free one, exit 0 with a note
//   for malformed input or when DevMesh is not running;
// - `git commit` with the agent's environment: refused for a staged locked file with what to do, accepted
//   otherwise; the repository's own pre-commit and commit-msg hooks still run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentProfiles } from '../../main/core/agents/agent-profiles.js';
import { AgentSessionSetup, type AgentSession } from '../../main/core/agents/agent-session-setup.js';
import { DevMeshHome } from '../../main/core/home/devmesh-home.js';
import { ApiClient } from '../../main/cli/api-client.js';
import { agentRecord } from '../core/agents/agent-record-fixture.js';
import type { AgentRecord } from '../../shared/agent.js';
import { tempDir, writeProject } from '../api/test-project.js';
import { git, makeRepo, writeScript } from '../core/agents/fake-cli.js';
import { BIN, CliHarness, ensureCliBuilt, type RunningCli } from './cli-harness.js';
import { scaled } from '../helpers/load-scale.js';

const tmp = tempDir('devmesh-cli-hook-');
const root = realpathSync(tmp.dir);
const repo = join(root, 'repo');
const cli = new CliHarness(join(root, 'home'), root);
const OTHER = 'agent-0ther00000a';
const ME = 'agent-11112222aa';
let daemon: RunningCli | undefined;
let session: AgentSession;
let lockId: string;

function record(): AgentRecord {
  return agentRecord({ id: ME, name: 'me', profile: 'claude', cwd: repo, command: 'claude' });
}

function prepare(homeDir: string): AgentSession {
  return new AgentSessionSetup({ homeDir, devmesh: { command: process.execPath, args: [BIN] }, baseEnv: {} }).prepare(
    record(),
    new AgentProfiles().get('claude'),
  );
}

/** The hook as Claude Code runs it: the settings' command through `sh -c`, the event JSON on stdin. */
function claudeHook(settingsFile: string, stdin: string): { code: number | null; stderr: string; stdout: string } {
  const settings = JSON.parse(readFileSync(settingsFile, 'utf8'));
  const command = settings.hooks.PreToolUse[0].hooks[0].command as string;
  // Not the agent's environment: the command line carries who asks and where DevMesh lives.
  const env = { ...process.env };
  delete env.DEVMESH_HOME;
  delete env.DEVMESH_AGENT_ID;
  const r = spawnSync('sh', ['-c', command], { cwd: repo, input: stdin, encoding: 'utf8', env, timeout: 60_000 });
  return { code: r.status, stderr: r.stderr, stdout: r.stdout };
}

function editEvent(tool: string, input: Record<string, unknown>): string {
  return JSON.stringify({
    session_id: 's-1',
    transcript_path: '/tmp/t.jsonl',
    cwd: repo,
    permission_mode: 'default',
    hook_event_name: 'PreToolUse',
    tool_name: tool,
    tool_input: input,
    tool_use_id: 'toolu_1',
  });
}

/** git as the agent runs it: the session's environment on top of the terminal's. */
function agentGit(...args: string[]): { code: number | null; out: string } {
  const r = spawnSync('git', ['-c', 'user.name=Agent', '-c', 'user.email=agent@devmesh.invalid', ...args], {
    cwd: repo,
    encoding: 'utf8',
    env: { ...process.env, ...session.env, DEVMESH_AGENT_ID: ME, GIT_CONFIG_NOSYSTEM: '1', LC_ALL: 'C' },
    timeout: 60_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

beforeAll(async () => {
  ensureCliBuilt();
  makeRepo(repo);
  writeProject(repo, 'hooks', { web: { autostart: false } });
  mkdirSync(join(repo, 'src'));
  writeFileSync(join(repo, 'src', 'locked.ts'), 'export const a = 1;\n');
  writeFileSync(join(repo, 'src', 'free.ts'), 'export const b = 1;\n');
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'sources');
  // the repository's own hooks: pre-commit leaves a mark, commit-msg refuses "WIP"
  writeScript(join(repo, '.git', 'hooks'), 'pre-commit', 'echo ran >> "$(git rev-parse --git-dir)/own-pre-commit-ran"');
  writeScript(
    join(repo, '.git', 'hooks'),
    'commit-msg',
    'if grep -q WIP "$1"; then echo "own commit-msg: no WIP commits" >&2; exit 1; fi',
  );
  ({ daemon } = await cli.up(['--project', repo]));
  const client = await ApiClient.connect(new DevMeshHome(cli.home));
  try {
    lockId = (
      await client.call('locks.acquire', {
        project: repo,
        holder: OTHER,
        mode: 'WRITE',
        target: { kind: 'file', path: 'src/locked.ts' },
        ttlMs: 600_000,
      })
    ).id;
  } finally {
    await client.close();
  }
  session = prepare(cli.home);
}, scaled(120_000));

afterAll(async () => {
  await daemon?.stop('SIGTERM');
  tmp.dispose();
});

describe('the Claude Code PreToolUse hook', () => {
  const settings = (): string => session.args[session.args.indexOf('--settings') + 1]!;

  it('blocks an edit to a file another agent holds, with exit 2 and a message naming the holder', () => {
    const r = claudeHook(
      settings(),
      editEvent('Edit', { file_path: join(repo, 'src', 'locked.ts'), old_string: 'a = 1', new_string: 'a = 2' }),
    );
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('src/locked.ts');
    expect(r.stderr).toContain(OTHER);
    expect(r.stderr).toContain(lockId);
    expect(r.stderr).toMatch(/do not edit it now/);
  });

  it('blocks a Write and a MultiEdit of the locked file too', () => {
    expect(
      claudeHook(
        settings(),
        editEvent('Write', { file_path: join(repo, 'src', 'locked.ts'), content: 'x'.repeat(200_000) }),
      ).code,
    ).toBe(2);
    expect(
      claudeHook(settings(), editEvent('MultiEdit', { file_path: join(repo, 'src', 'locked.ts'), edits: [] })).code,
    ).toBe(2);
  });

  it('lets an edit to a free file through', () => {
    const r = claudeHook(
      settings(),
      editEvent('Edit', { file_path: join(repo, 'src', 'free.ts'), old_string: 'b', new_string: 'c' }),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('lets the edit through with a note when the input is malformed, never blocking on its own fault', () => {
    const r = claudeHook(settings(), '{"tool_name": "Edit", "tool_input": ');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/could not read the hook input.*allowed without a lock check/);
  });

  it('lets the edit through with a note when DevMesh is not running', () => {
    const elsewhere = join(root, 'no-daemon-home');
    const other = prepare(elsewhere);
    const r = claudeHook(
      other.args[other.args.indexOf('--settings') + 1]!,
      editEvent('Edit', { file_path: join(repo, 'src', 'locked.ts') }),
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/DevMesh is not running; allowed without a lock check/);
  });
});

describe('the git pre-commit hook', () => {
  const ownMark = join(repo, '.git', 'own-pre-commit-ran');

  it('refuses a commit of a file another agent holds, saying who holds it and what to do', () => {
    writeFileSync(join(repo, 'src', 'locked.ts'), 'export const a = 2;\n');
    expect(agentGit('add', 'src/locked.ts').code).toBe(0);
    const r = agentGit('commit', '-m', 'change a');
    expect(r.code, r.out).not.toBe(0);
    expect(r.out).toContain('commit refused');
    expect(r.out).toContain('src/locked.ts');
    expect(r.out).toContain(OTHER);
    expect(r.out).toContain('git commit --no-verify');
    expect(readFileSync(ownMark, 'utf8')).toBe('ran\n'); // the repository's own pre-commit ran first
    expect(git(repo, 'log', '--format=%s', '-1').trim()).toBe('sources');
    git(repo, 'reset', '-q', 'HEAD', 'src/locked.ts');
    git(repo, 'checkout', '--', 'src/locked.ts');
  });

  it("accepts a commit of free files, still running the repository's own hooks", () => {
    rmSync(ownMark, { force: true });
    writeFileSync(join(repo, 'src', 'free.ts'), 'export const b = 2;\n');
    expect(agentGit('add', 'src/free.ts').code).toBe(0);
    const wip = agentGit('commit', '-m', 'WIP change b');
    expect(wip.code).not.toBe(0);
    expect(wip.out).toContain('own commit-msg: no WIP commits'); // a pass-through wrapper ran the repository's hook
    const r = agentGit('commit', '-m', 'change b');
    expect(r.code, r.out).toBe(0);
    expect(git(repo, 'log', '--format=%s', '-1').trim()).toBe('change b');
    expect(existsSync(ownMark)).toBe(true);
    // nothing in the repository points at DevMesh's hooks: only the agent's environment does
    expect(spawnSync('git', ['config', '--get', 'core.hooksPath'], { cwd: repo, encoding: 'utf8' }).stdout).toBe('');
  });
});
