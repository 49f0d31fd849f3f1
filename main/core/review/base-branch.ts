// Which branch an agent's work lands on: the branch its worktree was made from. WorktreeManager.create
// records it in the repository's config as `branch.<branch>.devmeshBase` (git keeps it with the branch and
// drops it with `git branch -D`). A worktree made before that, or from a commit rather than a branch, has
// none: its base is then the repository's current branch (its main checkout's), read when asked.
import { DevMeshError } from '../../../shared/errors.js';
import type { GitRunner } from '../base/git-runner.js';

/** the config variable under `branch.<name>.` (the same literal is written by agents/worktree-manager.ts) */
export const BASE_CONFIG_KEY = 'devmeshBase';

export class BaseBranch {
  constructor(private readonly git: GitRunner) {}

  /** The base of `branch` in `repo`: recorded, else the repository's current branch. */
  async of(repo: string, branch: string): Promise<string> {
    const recorded = await this.git.run(repo, ['config', '--get', `branch.${branch}.${BASE_CONFIG_KEY}`]);
    // a recorded base that no longer exists is named anyway: ChangeSummary.mergeBase says it is gone
    const name = recorded.code === 0 ? recorded.stdout.trim() : '';
    if (name !== '') return name;
    const current = await this.git.run(repo, ['symbolic-ref', '--quiet', '--short', 'HEAD']);
    const head = current.code === 0 ? current.stdout.trim() : '';
    if (head === '' || head === branch) {
      throw new DevMeshError(
        'CONFLICT',
        `cannot tell which branch ${branch} lands on: no base is recorded for it and ${repo} is not on a branch; ` +
          `record one with \`git -C ${repo} config branch.${branch}.${BASE_CONFIG_KEY} main\` (your base branch)`,
      );
    }
    return head;
  }
}
