// Lands an agent's branch on its base in the user's checkout (the repository's main worktree), the way the
// user chose: a fast-forward, a merge commit, or a rebase of the branch onto the base followed by a
// fast-forward. Everything that can refuse is checked before git changes anything: the checkout is on the
// base and clean, the branch has commits to land, and `git merge-tree` finds no conflict. Should git still
// stop half-way, the merge or rebase is aborted, so the checkout (and the agent's worktree) are as they were.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { MergeConflict } from '../../../shared/review.js';
import { DevMeshError } from '../../../shared/errors.js';
import type { ReviewedWorktree } from './change-summary.js';
import type { GitRunner } from '../base/git-runner.js';
import type { MergeConflicts } from './merge-conflicts.js';
import { parsePorcelainV2 } from './porcelain-status.js';

export type LandStrategy = 'fast-forward' | 'merge-commit' | 'rebase';

export type Landing = { landed: true; head: string } | { landed: false; conflicts: MergeConflict[] };

export interface BranchLanderDeps {
  git: GitRunner;
  conflicts: MergeConflicts;
}

export class BranchLander {
  constructor(private readonly deps: BranchLanderDeps) {}

  /** The conflicts landing would meet, after the checks that refuse; nothing changes. */
  async check(tree: ReviewedWorktree): Promise<MergeConflict[]> {
    await this.mayLand(tree);
    return (await this.deps.conflicts.check(tree.repo, tree.base, tree.branch)).conflicts;
  }

  async land(tree: ReviewedWorktree, strategy: LandStrategy, title: string): Promise<Landing> {
    await this.mayLand(tree);
    const { conflicts } = await this.deps.conflicts.check(tree.repo, tree.base, tree.branch);
    if (conflicts.length > 0) return { landed: false, conflicts };
    const { git } = this.deps;
    const branchRef = `refs/heads/${tree.branch}`;
    if (strategy === 'fast-forward') {
      const ancestor = await git.run(tree.repo, ['merge-base', '--is-ancestor', `refs/heads/${tree.base}`, branchRef]);
      if (ancestor.code !== 0) {
        throw new DevMeshError(
          'CONFLICT',
          `${tree.base} has commits ${tree.branch} lacks, so it cannot be fast-forwarded to it; ` +
            'land it with a merge commit, or rebase it first (`devmesh agent merge <agent> --rebase`)',
        );
      }
      await this.inCheckout(tree, ['merge', '--ff-only', '--quiet', branchRef], 'the fast-forward');
    } else if (strategy === 'merge-commit') {
      const message = `Merge branch '${tree.branch}' into ${tree.base}\n\n${title}`;
      await this.inCheckout(tree, ['merge', '--no-ff', '--no-edit', '--quiet', '-m', message, branchRef], 'the merge');
    } else {
      // rewrites the branch in the agent's worktree: AgentReview refuses it while an agent runs there
      await this.rebase(tree);
      await this.inCheckout(tree, ['merge', '--ff-only', '--quiet', branchRef], 'the fast-forward after the rebase');
    }
    const head = (await git.out(tree.repo, ['rev-parse', `refs/heads/${tree.base}`])).trim();
    return { landed: true, head };
  }

  /** Refuses, with what to do, when landing cannot start: nothing has been changed yet. */
  private async mayLand(tree: ReviewedWorktree): Promise<void> {
    const { git } = this.deps;
    const head = await git.run(tree.repo, ['symbolic-ref', '--quiet', '--short', 'HEAD']);
    const on = head.code === 0 ? head.stdout.trim() : null;
    if (on !== tree.base) {
      throw new DevMeshError(
        'CONFLICT',
        `${tree.repo} is ${on === null ? 'on a detached HEAD' : `on branch ${on}`}, not on ${tree.base}, where ` +
          `${tree.branch} lands; switch it first (\`git -C ${tree.repo} switch ${tree.base}\`)`,
      );
    }
    const changed = await this.trackedChanges(tree.repo);
    if (changed.length > 0) {
      throw new DevMeshError(
        'CONFLICT',
        `${tree.repo} has uncommitted changes (${BranchLander.some(changed)}), so ${tree.branch} is not landed ` +
          `there; commit or stash them first (\`git -C ${tree.repo} stash\`)`,
      );
    }
    if (await this.inProgress(tree.repo)) {
      throw new DevMeshError(
        'CONFLICT',
        `${tree.repo} has a merge or rebase in progress; finish or abort it first (\`git -C ${tree.repo} merge --abort\`)`,
      );
    }
    const ahead = await git.out(tree.repo, [
      'rev-list',
      '--count',
      `refs/heads/${tree.base}..refs/heads/${tree.branch}`,
    ]);
    if (Number(ahead.trim()) === 0) {
      throw new DevMeshError(
        'CONFLICT',
        `${tree.branch} has no commits that ${tree.base} lacks: nothing to land; commit the agent's changes ` +
          'first (`devmesh agent merge <agent> -m "message"` commits, then lands)',
      );
    }
  }

  private async rebase(tree: ReviewedWorktree): Promise<void> {
    const changed = await this.trackedChanges(tree.path);
    if (changed.length > 0) {
      throw new DevMeshError(
        'CONFLICT',
        `${tree.path} has uncommitted changes (${BranchLander.some(changed)}), so ${tree.branch} cannot be ` +
          'rebased; commit them (`-m "message"`) or land it with a merge commit',
      );
    }
    const r = await this.deps.git.run(tree.path, ['rebase', '--quiet', `refs/heads/${tree.base}`]);
    if (r.code === 0) return;
    await this.abort(tree.path);
    throw new DevMeshError(
      'CONFLICT',
      `rebasing ${tree.branch} onto ${tree.base} stopped (${BranchLander.words(r.stderr)}); it was aborted and ` +
        `${tree.branch} is as it was; land it with a merge commit instead`,
    );
  }

  private async inCheckout(tree: ReviewedWorktree, args: string[], what: string): Promise<void> {
    const r = await this.deps.git.run(tree.repo, args);
    if (r.code === 0) return;
    await this.abort(tree.repo);
    throw new DevMeshError(
      'CONFLICT',
      `${what} of ${tree.branch} into ${tree.base} in ${tree.repo} failed (${BranchLander.words(r.stderr)}); ` +
        `nothing was changed there; fix what git names, then try again`,
    );
  }

  /** Leaves a checkout as it was: no merge or rebase in progress. */
  private async abort(dir: string): Promise<void> {
    const gitDir = await this.gitDir(dir);
    if (existsSync(join(gitDir, 'MERGE_HEAD'))) await this.deps.git.run(dir, ['merge', '--abort']);
    if (existsSync(join(gitDir, 'rebase-merge')) || existsSync(join(gitDir, 'rebase-apply')))
      await this.deps.git.run(dir, ['rebase', '--abort']);
  }

  private async gitDir(dir: string): Promise<string> {
    return (await this.deps.git.out(dir, ['rev-parse', '--absolute-git-dir'])).trim();
  }

  private async inProgress(dir: string): Promise<boolean> {
    const gitDir = await this.gitDir(dir);
    return ['MERGE_HEAD', 'rebase-merge', 'rebase-apply', 'CHERRY_PICK_HEAD'].some((f) => existsSync(join(gitDir, f)));
  }

  private async trackedChanges(dir: string): Promise<string[]> {
    const out = await this.deps.git.out(dir, ['status', '--porcelain=v2', '-z', '--untracked-files=no']);
    return parsePorcelainV2(out).entries.map((e) => e.path);
  }

  private static some(paths: string[]): string {
    return paths.length <= 3 ? paths.join(', ') : `${paths.slice(0, 3).join(', ')} and ${paths.length - 3} more`;
  }

  private static words(stderr: string): string {
    return stderr.trim().split('\n').slice(0, 3).join(' ') || 'no message from git';
  }
}
