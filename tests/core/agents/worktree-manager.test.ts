// Worktrees in a real temp git repository: add on a new branch under .devmesh/worktrees (excluded from the
// main worktree's status), list, remove (+ branch); refusals: branch exists, not a repo, bad name, dirty.
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WorktreeManager } from '../../../main/core/agents/worktree-manager.js';
import { DevMeshError } from '../../../shared/errors.js';
import { scaled } from '../../helpers/load-scale.js';
import { running, sleepMarker } from '../../helpers/running.js';
import { until } from '../../helpers/until.js';
import { git, makeRepo, writeScript } from './fake-cli.js';

let dir: string;
let repo: string;

beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'devmesh-worktree-')));
  repo = makeRepo(join(dir, 'repo'));
});
/** the hung hook's `sleep` argument: its own, so only its processes are found (and, should it fail, ended) */
let marker = '';
afterEach(() => {
  for (const pid of marker === '' ? [] : running(marker)) process.kill(pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function rejection(p: Promise<unknown>): Promise<DevMeshError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(DevMeshError);
    return err as DevMeshError;
  }
  throw new Error('expected a rejection');
}

describe('WorktreeManager', () => {
  it('adds a worktree on a new branch, lists it, and removes it with its branch', async () => {
    const wt = new WorktreeManager();
    const created = await wt.create({ repo: join(repo), branch: 'feature-x' });
    expect(created).toEqual({ path: join(repo, '.devmesh', 'worktrees', 'feature-x'), branch: 'feature-x', repo });
    expect(existsSync(join(created.path, 'README.md'))).toBe(true);
    expect(git(created.path, 'rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe('feature-x');
    expect(git(repo, 'status', '--porcelain')).toBe(''); // .devmesh/ is excluded locally
    const listed = await wt.list(repo);
    expect(listed.map((w) => [w.path, w.branch, w.managed])).toEqual([
      [repo, 'main', false],
      [created.path, 'feature-x', true],
    ]);
    await wt.remove({ repo, path: created.path, branch: 'feature-x', deleteBranch: true });
    expect(existsSync(created.path)).toBe(false);
    expect(git(repo, 'branch', '--list', 'feature-x')).toBe('');
    expect((await wt.list(repo)).length).toBe(1);
  });

  it('starts from a base and works from a subfolder of the repository', async () => {
    git(repo, 'checkout', '-q', '-b', 'develop');
    writeFileSync(join(repo, 'dev.txt'), 'x');
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'dev');
    git(repo, 'checkout', '-q', 'main');
    mkdirSync(join(repo, 'sub'));
    const created = await new WorktreeManager().create({
      repo: join(repo, 'sub'),
      branch: 'agents/one',
      base: 'develop',
    });
    expect(created.path).toBe(join(repo, '.devmesh', 'worktrees', 'agents', 'one'));
    expect(existsSync(join(created.path, 'dev.txt'))).toBe(true);
  });

  it('refuses an existing branch, naming it and the fix', async () => {
    git(repo, 'branch', 'taken');
    const err = await rejection(new WorktreeManager().create({ repo, branch: 'taken' }));
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toContain('branch "taken" already exists');
    expect(err.message).toContain('git branch -D taken');
  });

  it('refuses a folder that is not a git repository', async () => {
    const plain = join(dir, 'plain');
    mkdirSync(plain);
    const err = await rejection(new WorktreeManager().create({ repo: plain, branch: 'feature-x' }));
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.message).toContain(`${plain} is not inside a git repository`);
    expect(err.message).toContain('git init');
  });

  it('refuses a bad branch name and an unknown base', async () => {
    const wt = new WorktreeManager();
    expect((await rejection(wt.create({ repo, branch: 'two words' }))).message).toContain(
      'not a valid git branch name',
    );
    expect((await rejection(wt.create({ repo, branch: 'ok', base: 'nope' }))).message).toContain(
      'base "nope" is not a branch or commit',
    );
    expect(git(repo, 'branch', '--list', 'ok')).toBe('');
  });

  it('keeps a worktree with uncommitted changes unless forced; keeps an unmerged branch unless forced', async () => {
    const wt = new WorktreeManager(join(dir, 'elsewhere'));
    const created = await wt.create({ repo, branch: 'wip' });
    expect(created.path).toBe(join(dir, 'elsewhere', 'repo', 'wip'));
    writeFileSync(join(created.path, 'README.md'), 'changed');
    const dirty = await rejection(wt.remove({ repo, path: created.path }));
    expect(dirty.code).toBe('CONFLICT');
    expect(dirty.message).toContain('commit or discard its changes');
    git(created.path, 'commit', '-q', '-am', 'work');
    const unmerged = await rejection(wt.remove({ repo, path: created.path, branch: 'wip', deleteBranch: true }));
    expect(unmerged.message).toContain('branch "wip" was kept');
    expect(existsSync(created.path)).toBe(false);
    await wt.remove({ repo, path: created.path, branch: 'wip', deleteBranch: true, force: true });
    expect(git(repo, 'branch', '--list', 'wip')).toBe('');
  });

  it(
    'refuses a git that runs past its time as a TIMEOUT, stopping the hook it started',
    async () => {
      // the repository's post-checkout hook, which `git worktree add` runs, does not finish
      marker = sleepMarker(300);
      writeScript(join(repo, '.git', 'hooks'), 'post-checkout', `sleep ${marker}`);
      const wt = new WorktreeManager(null, 'git', process.env, scaled(1_000));
      const err = await rejection(wt.create({ repo, branch: 'hooked' }));
      expect(err.code).toBe('TIMEOUT');
      expect(err.message).toMatch(/git .*worktree add.* took longer than/);
      await until('the hook git started to end', () => running(marker).length === 0, scaled(5_000));
    },
    scaled(20_000),
  );
});
