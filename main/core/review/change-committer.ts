// Commits everything in an agent's worktree (staged, unstaged, untracked; ignored files stay out) on its
// branch with the user's message. Git's hooks run as for any commit: the lock check DevMesh installs in
// agent worktrees may refuse, and its words reach the user.
import { DevMeshError } from '../../../shared/errors.js';
import type { ReviewedWorktree } from './change-summary.js';
import type { GitRunner } from '../base/git-runner.js';

export class ChangeCommitter {
  constructor(private readonly git: GitRunner) {}

  /** The new commit's id; CONFLICT when there is nothing to commit. */
  async commit(tree: ReviewedWorktree, message: string): Promise<string> {
    const status = await this.git.out(tree.path, ['status', '--porcelain=v2', '-z', '--untracked-files=all']);
    if (status === '') {
      throw new DevMeshError(
        'CONFLICT',
        `${tree.path} has no uncommitted changes: nothing to commit on ${tree.branch}`,
      );
    }
    const added = await this.git.run(tree.path, ['add', '--all']);
    if (added.code !== 0) throw this.refused(tree, 'git add --all', added.stderr);
    const made = await this.git.run(tree.path, ['commit', '--quiet', '-m', message]);
    if (made.code !== 0) {
      // leave the index as the agent had it
      await this.git.run(tree.path, ['reset', '--quiet']);
      throw this.refused(tree, 'git commit', made.stderr || made.stdout);
    }
    return (await this.git.out(tree.path, ['rev-parse', 'HEAD'])).trim();
  }

  private refused(tree: ReviewedWorktree, what: string, words: string): DevMeshError {
    const why = words.trim().split('\n').slice(-4).join(' ') || 'no message from git';
    const identity = /tell me who you are|user\.email|user\.name/i.test(why)
      ? '; set your identity (`git config --global user.name "…"` and `user.email`)'
      : '';
    return new DevMeshError(
      'CONFLICT',
      `${what} in ${tree.path} refused: ${why}${identity || '; fix what git names, then commit again'}`,
    );
  }
}
