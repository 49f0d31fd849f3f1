// Reviewing and landing agents' work (issue 16), built in one place: one GitRunner for every part, the
// change list and file diffs, the conflict check, commit, land and discard (AgentReview), and a project's git
// status. It holds no resource of its own (each git call is a child process that ends with its call).
import {
  AgentReview,
  type ReviewAgents,
  type ReviewAudit,
  type ReviewTasks,
  type ReviewWorktrees,
} from './agent-review.js';
import { BaseBranch } from './base-branch.js';
import { BranchLander } from './branch-lander.js';
import { ChangeCommitter } from './change-committer.js';
import { ChangeSummary } from './change-summary.js';
import { FileDiffReader } from './file-diff-reader.js';
import { GitRunner } from '../base/git-runner.js';
import { MergeConflicts } from './merge-conflicts.js';
import { ProjectGitStatus } from './project-git-status.js';
import type { ReviewChangedEvent } from '../../../shared/review.js';

export interface ReviewModuleDeps {
  agents: ReviewAgents;
  worktrees: ReviewWorktrees;
  audit: ReviewAudit;
  tasks: ReviewTasks;
  emit: (event: ReviewChangedEvent) => void;
  /** the environment git runs in (the user's login-shell env) */
  env?: NodeJS.ProcessEnv;
  gitExecutable?: string;
}

export class ReviewModule {
  readonly review: AgentReview;
  readonly gitStatus: ProjectGitStatus;

  constructor(deps: ReviewModuleDeps) {
    const git = new GitRunner({ executable: deps.gitExecutable, env: deps.env });
    const changes = new ChangeSummary(git);
    this.review = new AgentReview({
      agents: deps.agents,
      worktrees: deps.worktrees,
      base: new BaseBranch(git),
      changes,
      files: new FileDiffReader(git, changes),
      committer: new ChangeCommitter(git),
      lander: new BranchLander({ git, conflicts: new MergeConflicts(git) }),
      audit: deps.audit,
      tasks: deps.tasks,
      emit: deps.emit,
    });
    this.gitStatus = new ProjectGitStatus(git);
  }
}
