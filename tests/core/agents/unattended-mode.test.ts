// Unattended mode through a real AgentManager, a real git repository and a real SQLite file: refused outside
// a DevMesh worktree (nothing launched, no branch made), launched with the profile's flag inside one (the
// command line as the CLI gets it), kept on the record across a reopened store; ollama's model is required.
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentManager } from '../../../main/core/agents/agent-manager.js';
import { AgentProfiles } from '../../../main/core/agents/agent-profiles.js';
import { AgentStore } from '../../../main/core/agents/agent-store.js';
import { ResourceBudget } from '../../../main/core/agents/resource-budget.js';
import { WorktreeManager } from '../../../main/core/agents/worktree-manager.js';
import { Database } from '../../../main/core/store/database.js';
import { DevMeshError } from '../../../shared/errors.js';
import { until } from '../../helpers/until.js';
import { ChildProcessLauncher, git, makeRepo, writeScript } from './fake-cli.js';

let dir: string;
let bin: string;
let repo: string;
let database: Database;
let launcher: ChildProcessLauncher;
let manager: AgentManager;

function open(): void {
  database = Database.open(join(dir, 'devmesh.db'));
  launcher = new ChildProcessLauncher(bin);
  manager = new AgentManager({
    store: new AgentStore(database),
    launcher,
    profiles: new AgentProfiles(),
    worktrees: new WorktreeManager(),
    budget: new ResourceBudget({ ramGb: null, gpus: null }),
  });
}

beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'devmesh-unattended-')));
  bin = join(dir, 'bin');
  repo = makeRepo(join(dir, 'repo'));
  writeScript(bin, 'claude', 'for a in "$@"; do echo "arg=[$a]"; done; echo "cwd=$(pwd)"');
  writeScript(bin, 'ollama', 'echo ">>> "; read x');
  open();
});
afterEach(async () => {
  for (const a of manager.list()) if (a.status !== 'exited') await manager.stop(a.id, { graceMs: 500 });
  manager.dispose();
  database.close();
  rmSync(dir, { recursive: true, force: true });
});

async function refusal(start: Promise<unknown>): Promise<DevMeshError> {
  const err = await start.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DevMeshError);
  return err as DevMeshError;
}

describe('unattended mode', () => {
  it('is refused outside a DevMesh worktree, with nothing launched and no branch made', async () => {
    const err = await refusal(manager.start({ profile: 'claude', cwd: repo, unattended: true, prompt: 'go' }));
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.message).toBe(
      'agent start: unattended mode runs Claude Code without permission prompts, so DevMesh allows it only in a worktree it makes; add a branch for one (--worktree <branch>) or start it attended',
    );
    const custom = await refusal(
      manager.start({ command: join(bin, 'claude'), cwd: repo, worktree: 'plain', unattended: true }),
    );
    expect(custom.message).toMatch(/knows no unattended flag for the command .*claude; start it attended/);
    const ollama = await refusal(
      manager.start({ profile: 'ollama', args: ['llama3.2'], cwd: repo, worktree: 'local', unattended: true }),
    );
    expect(ollama.message).toBe(
      'agent start: Ollama (local model) has no flag for running without permission prompts; start it attended',
    );
    expect(launcher.created).toEqual([]);
    expect(manager.list()).toEqual([]);
    expect(git(repo, 'branch', '--list').trim()).toBe('* main');
  });

  it("launches with the profile's flag inside its worktree, shown on the record and kept across a restart", async () => {
    const record = await manager.start({
      profile: 'claude',
      cwd: repo,
      worktree: 'agent-auto',
      unattended: true,
      prompt: 'fix the flaky test',
    });
    expect(launcher.created[0]!.command).toBe('claude');
    expect(launcher.created[0]!.args).toEqual(['--dangerously-skip-permissions', 'fix the flaky test']);
    expect(record).toMatchObject({ unattended: true, supervise: true, args: ['--dangerously-skip-permissions'] });
    const session = launcher.sessions.get(record.terminalId!)!;
    await until('the fake claude printing its arguments', () => session.output.includes('cwd='));
    expect(session.output).toContain('arg=[--dangerously-skip-permissions]\narg=[fix the flaky test]\n');
    expect(session.output).toContain(`cwd=${record.worktree!.path}`);

    const attended = await manager.start({ profile: 'claude', cwd: repo, worktree: 'agent-attended', prompt: 'x' });
    expect(launcher.created[1]!.args).toEqual(['x']);
    expect(attended.unattended).toBe(false);

    await until('both agents exited', () => manager.list().every((a) => a.status === 'exited'));
    manager.dispose();
    database.close();
    open();
    expect(manager.get(record.id)).toMatchObject({ unattended: true, supervise: true });
    expect(manager.get(attended.id)).toMatchObject({ unattended: false });
  });

  // geminicli.com/docs/cli/cli-reference (google-gemini/gemini-cli docs/cli/cli-reference.md): `--yolo` is
  // deprecated in favour of `--approval-mode=yolo`, and the two together are refused.
  it('starts Gemini CLI unattended with --approval-mode=yolo, its documented flag, before the prompt', async () => {
    writeScript(bin, 'gemini', 'for a in "$@"; do echo "arg=[$a]"; done');
    await manager.start({ profile: 'gemini', cwd: repo, worktree: 'agent-gem', unattended: true, prompt: 'go' });
    expect(launcher.created[0]!.command).toBe('gemini');
    expect(launcher.created[0]!.args).toEqual(['--approval-mode=yolo', '--prompt-interactive', 'go']);
  });

  it('refuses ollama without a model and runs `ollama run <model>` with one', async () => {
    const err = await refusal(manager.start({ profile: 'ollama', cwd: repo }));
    expect(err.message).toBe(
      'agent start: Ollama (local model) needs the model to run after it, e.g. `devmesh agent start ollama -- qwen2.5-coder:7b`',
    );
    await manager.start({ profile: 'ollama', args: ['qwen2.5-coder:7b'], cwd: repo, prompt: 'explain main.ts' });
    expect(launcher.created[0]!.args).toEqual(['run', 'qwen2.5-coder:7b']);
    await until('the task typed at its >>> prompt', () => launcher.writes.some((w) => w.data === 'explain main.ts\r'));
  });
});
