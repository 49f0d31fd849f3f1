// The review domain's parts against real git repositories: where a worktree's work lands (the base recorded
// when WorktreeManager made it), the conflict check's reading of `git merge-tree` (content and
// modify/delete), the change list's renames and awkward paths, and a project's git status (upstream,
// ahead/behind, detached, outside a repository).
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WorktreeManager } from '../../../main/core/agents/worktree-manager.js';
import { BaseBranch } from '../../../main/core/review/base-branch.js';
import { ChangeSummary } from '../../../main/core/review/change-summary.js';
import { GitRunner } from '../../../main/core/base/git-runner.js';
import { MergeConflicts } from '../../../main/core/review/merge-conflicts.js';
import { ProjectGitStatus } from '../../../main/core/review/project-git-status.js';
import { tempDir } from '../../api/test-project.js';
import { git, makeRepo } from '../agents/fake-cli.js';

const tmp = tempDir('devmesh-review-git-');
afterAll(() => tmp.dispose());
const runner = new GitRunner();
const commitAll = (dir: string, msg: string) => {
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', msg);
};

describe('the base branch of a worktree', () => {
  it('is the branch it was made from, recorded at creation, even when the checkout is elsewhere', async () => {
    const repo = makeRepo(join(tmp.dir, 'base-repo'));
    git(repo, 'branch', 'release');
    const worktrees = new WorktreeManager();
    await worktrees.create({ repo, branch: 'fix-1', base: 'release' });
    await worktrees.create({ repo, branch: 'fix-2' });
    const base = new BaseBranch(runner);
    expect(await base.of(repo, 'fix-1')).toBe('release');
    expect(await base.of(repo, 'fix-2')).toBe('main');
    // made from a commit: the branch the repository was on then
    await worktrees.create({ repo, branch: 'fix-3', base: git(repo, 'rev-parse', 'HEAD').trim() });
    expect(await base.of(repo, 'fix-3')).toBe('main');
    // none recorded (a worktree made before DevMesh recorded bases): the current branch, read when asked
    git(repo, 'config', '--unset', 'branch.fix-3.devmeshBase');
    git(repo, 'switch', '-q', 'release');
    expect(await base.of(repo, 'fix-3')).toBe('release');
    expect(await base.of(repo, 'fix-1')).toBe('release');
    git(repo, 'switch', '-q', '--detach');
    await expect(base.of(repo, 'fix-3')).rejects.toThrow(
      /no base is recorded.*git -C .* config branch\.fix-3\.devmeshBase/,
    );
  });
});

describe('the conflict check', () => {
  it('names each conflicting file with git’s kind of conflict, and changes nothing', async () => {
    const repo = makeRepo(join(tmp.dir, 'conflict-repo'));
    writeFileSync(join(repo, 'a.txt'), 'one\n');
    writeFileSync(join(repo, 'gone.txt'), 'keep\n');
    writeFileSync(join(repo, 'calm.txt'), 'calm\n');
    commitAll(repo, 'files');
    git(repo, 'switch', '-q', '-c', 'agent');
    writeFileSync(join(repo, 'a.txt'), 'agent\n');
    rmSync(join(repo, 'gone.txt'));
    writeFileSync(join(repo, 'new file.txt'), 'fine\n');
    commitAll(repo, 'agent');
    git(repo, 'switch', '-q', 'main');
    writeFileSync(join(repo, 'a.txt'), 'user\n');
    writeFileSync(join(repo, 'gone.txt'), 'changed\n');
    commitAll(repo, 'user');
    const head = git(repo, 'rev-parse', 'HEAD').trim();
    const { conflicts } = await new MergeConflicts(runner).check(repo, 'main', 'agent');
    expect(conflicts.map((c) => [c.path, c.kind])).toEqual([
      ['a.txt', 'content'],
      ['gone.txt', 'modify/delete'],
    ]);
    expect(conflicts[1]!.message).toMatch(/gone\.txt deleted in agent and modified in main/);
    expect(git(repo, 'rev-parse', 'HEAD').trim()).toBe(head);
    expect(git(repo, 'status', '--porcelain').trim()).toBe('');
    git(repo, 'switch', '-q', '-c', 'other', 'agent~1');
    writeFileSync(join(repo, 'b.txt'), 'b\n');
    commitAll(repo, 'other');
    git(repo, 'switch', '-q', 'main');
    expect((await new MergeConflicts(runner).check(repo, 'main', 'other')).conflicts).toEqual([]);
  });
});

describe('the change list', () => {
  it('follows renames and keeps paths with spaces and non-ASCII letters as they are', async () => {
    const repo = makeRepo(join(tmp.dir, 'list-repo'));
    writeFileSync(join(repo, 'old name.txt'), 'a\nb\nc\nd\ne\n');
    commitAll(repo, 'files');
    const wt = await new WorktreeManager().create({ repo, branch: 'agent' });
    renameSync(join(wt.path, 'old name.txt'), join(wt.path, 'new näme.txt'));
    commitAll(wt.path, 'rename');
    mkdirSync(join(wt.path, 'dir with space'));
    writeFileSync(join(wt.path, 'dir with space', 'été.md'), 'x\n');
    writeFileSync(join(wt.path, 'no-newline.txt'), 'x\ny');
    const changes = await new ChangeSummary(runner).changes({ agentId: null, ...wt, base: 'main' });
    expect(changes.files).toEqual([
      expect.objectContaining({ path: 'dir with space/été.md', kind: 'added', added: 1, where: 'uncommitted' }),
      expect.objectContaining({ path: 'new näme.txt', from: 'old name.txt', kind: 'renamed', added: 0, removed: 0 }),
      expect.objectContaining({ path: 'no-newline.txt', added: 2 }),
    ]);
    expect(changes.files[1]!.where).toBe('committed');
    expect(changes).toMatchObject({ ahead: 1, behind: 0, dirty: true });
  });
});

describe('a project’s git status', () => {
  it('says branch, upstream, ahead/behind, changed, untracked, detached; outside git, no branch', async () => {
    const origin = makeRepo(join(tmp.dir, 'origin'));
    const clone = join(tmp.dir, 'clone');
    git(tmp.dir, 'clone', '-q', origin, clone);
    writeFileSync(join(clone, 'mine.txt'), 'mine\n');
    commitAll(clone, 'mine');
    writeFileSync(join(origin, 'theirs.txt'), 'theirs\n');
    commitAll(origin, 'theirs');
    git(clone, 'fetch', '-q');
    writeFileSync(join(clone, 'README.md'), 'changed\n');
    writeFileSync(join(clone, 'scratch.txt'), 'x\n');
    const status = new ProjectGitStatus(runner);
    expect(await status.of(clone)).toEqual({
      branch: 'main',
      upstream: 'origin/main',
      ahead: 1,
      behind: 1,
      changed: 1,
      untracked: 1,
      detached: false,
    });
    git(clone, 'checkout', '-q', '--detach');
    expect(await status.of(clone)).toMatchObject({ branch: null, detached: true, upstream: null });
    const plain = join(tmp.dir, 'plain');
    mkdirSync(plain);
    expect(await status.of(plain)).toMatchObject({ branch: null, detached: false, changed: 0 });
  });
});
