// Undoes the worktree made for an agent that then failed to start: the folder and its new branch go, so a
// second try with the same branch name is not refused. Best effort: a failure here is logged, and the start's
// own error is the one the user hears.
import type { Logger } from 'pino';
import type { AgentRecord } from '../../../shared/agent.js';
import type { WorktreeManager } from './worktree-manager.js';

export async function rollBackWorktree(
  worktrees: WorktreeManager,
  worktree: NonNullable<AgentRecord['worktree']>,
  cause: unknown,
  logger?: Logger,
): Promise<void> {
  try {
    await worktrees.remove({
      repo: worktree.repo,
      path: worktree.path,
      branch: worktree.branch,
      deleteBranch: true,
      force: true,
    });
  } catch (err) {
    logger?.warn(
      { domain: 'agents', worktree: worktree.path, err: (err as Error).message, cause: (cause as Error)?.message },
      'could not roll back the worktree of an agent that failed to start',
    );
  }
}
