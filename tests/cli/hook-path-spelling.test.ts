// The Claude Code edit hook against other spellings of a locked path: a real daemon where another agent
// holds WRITE locks (a file and a folder), real symlinks, and `devmesh hook claude-pre-tool-use` with the
// hook JSON on stdin. Every spelling of a locked file is refused (exit 2); a free file through the same
// alias is allowed.
import { spawnSync } from 'node:child_process';
import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevMeshHome } from '../../main/core/home/devmesh-home.js';
import { ApiClient } from '../../main/cli/api-client.js';
import { tempDir, writeProject } from '../api/test-project.js';
import { BIN, CliHarness, ensureCliBuilt, type RunningCli } from './cli-harness.js';
import { scaled } from '../helpers/load-scale.js';

const tmp = tempDir('devmesh-cli-hookpath-');
const root = realpathSync(tmp.dir);
const repo = join(root, 'repo');
const out = join(root, 'elsewhere');
const alias = join(out, 'checkout'); // a symlinked checkout: the same folder under another name
const cli = new CliHarness(join(root, 'home'), root);
const OTHER = 'agent-0ther00000b';
const ME = 'agent-33334444bb';
let daemon: RunningCli | undefined;

function hook(filePath: string, cwd = repo, tool = 'Edit'): { code: number | null; stderr: string } {
  const event = {
    session_id: 's',
    cwd,
    hook_event_name: 'PreToolUse',
    tool_name: tool,
    tool_input: { file_path: filePath, content: 'x' },
  };
  const r = spawnSync(process.execPath, [BIN, 'hook', 'claude-pre-tool-use'], {
    cwd,
    input: JSON.stringify(event),
    encoding: 'utf8',
    env: { ...process.env, DEVMESH_HOME: cli.home, DEVMESH_AGENT_ID: ME },
    timeout: 60_000,
  });
  return { code: r.status, stderr: r.stderr };
}

beforeAll(async () => {
  ensureCliBuilt();
  mkdirSync(join(repo, 'src'), { recursive: true });
  mkdirSync(join(repo, 'gen'));
  mkdirSync(out);
  writeProject(repo, 'spell', { web: { autostart: false } });
  writeFileSync(join(repo, 'src', 'locked.ts'), 'export const a = 1;\n');
  writeFileSync(join(repo, 'src', 'free.ts'), 'export const b = 1;\n');
  symlinkSync(repo, alias);
  symlinkSync(join(repo, 'src', 'locked.ts'), join(out, 'link.ts'));
  symlinkSync(join(repo, 'gen', 'later.ts'), join(out, 'dangling.ts')); // its target does not exist yet
  ({ daemon } = await cli.up(['--project', repo]));
  const client = await ApiClient.connect(new DevMeshHome(cli.home));
  try {
    for (const target of [
      { kind: 'file', path: 'src/locked.ts' },
      { kind: 'dir', path: 'gen' },
    ] as const) {
      await client.call('locks.acquire', { project: repo, holder: OTHER, mode: 'WRITE', target, ttlMs: 600_000 });
    }
  } finally {
    await client.close();
  }
}, scaled(120_000));

afterAll(async () => {
  await daemon?.stop('SIGTERM');
  tmp.dispose();
});

describe('the edit hook, whatever the spelling of the path', () => {
  it('refuses the locked file as named plainly (the baseline)', () => {
    const r = hook(join(repo, 'src', 'locked.ts'));
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(OTHER);
  });

  it('refuses it through a symlink outside the project', () => {
    expect(hook(join(out, 'link.ts')).code).toBe(2);
  });

  it('refuses it through /proc/self/root', () => {
    expect(hook(`/proc/self/root${repo}/src/locked.ts`).code).toBe(2);
  });

  it('refuses it from a working folder that aliases the project, relative and absolute', () => {
    expect(hook('src/locked.ts', alias).code).toBe(2);
    expect(hook(join(alias, 'src', 'locked.ts'), alias).code).toBe(2);
  });

  it('refuses a new file under a locked folder, through the alias and through a dangling symlink', () => {
    expect(hook(join(alias, 'gen', 'new.ts'), alias, 'Write').code).toBe(2);
    expect(hook(join(out, 'dangling.ts'), repo, 'Write').code).toBe(2);
  });

  it('lets a free file through the same alias pass', () => {
    const r = hook(join(alias, 'src', 'free.ts'), alias);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
  });
});
