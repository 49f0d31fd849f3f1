// Reviewing and landing an agent's work: the agent (by id or name) names its worktree and branch; its base is
// the branch the worktree was made from (BaseBranch). Reads (the change list, one file's diff, the conflict
// check) change nothing. Actions (commit, merge, discard) are admitted by the audit chain first, recorded in
// it once done (`review.committed`, `review.merged`, `review.discarded`), and followed by `review.changed`.
// A landed agent's open tasks are completed and its locks released (ReviewTasks, wired to the task board).
import { existsSync } from 'node:fs';
import { sep } from 'node:path';
import type { AgentRecord } from '../../../shared/agent.js';
import type { AuditAppend } from '../../../shared/audit.js';
import { DevMeshError } from '../../../shared/errors.js';
import type {
  FileDiff,
  MergeConflict,
  MergeOutcome,
  ReviewChangedEvent,
  ReviewSummary,
} from '../../../shared/review.js';
import type { BaseBranch } from './base-branch.js';
import type { BranchLander, LandStrategy } from './branch-lander.js';
import type { ChangeCommitter } from './change-committer.js';
import type { ChangeSummary, ReviewedWorktree } from './change-summary.js';
import type { FileDiffReader } from './file-diff-reader.js';
import { RepoQueue } from './repo-queue.js';

/** the agents an action names, stopping one (a forced discard), and all of them (who runs in a worktree) */
export interface ReviewAgents {
  get(idOrName: string): AgentRecord;
  stop(idOrName: string): Promise<AgentRecord>;
  list(): AgentRecord[];
}

export interface ReviewWorktrees {
  remove(input: {
    repo: string;
    path: string;
    branch?: string;
    deleteBranch?: boolean;
    force?: boolean;
  }): Promise<void>;
}

export interface ReviewAudit {
  /** throws the chain's refusal when it cannot record a decision now; called before anything changes */
  admit(what: string): Promise<void>;
  /** the entry of an action that has happened, on disk before the call is answered (a loss goes to health) */
  record(entry: AuditAppend): Promise<void>;
}

export interface ReviewTasks {
  /** completes the agent's open tasks and releases its locks; answers the completed tasks' ids */
  landed(agentId: string, summary: string): Promise<string[]>;
}

export interface AgentReviewDeps {
  agents: ReviewAgents;
  worktrees: ReviewWorktrees;
  base: BaseBranch;
  changes: ChangeSummary;
  files: FileDiffReader;
  committer: ChangeCommitter;
  lander: BranchLander;
  audit: ReviewAudit;
  tasks: ReviewTasks;
  emit: (event: ReviewChangedEvent) => void;
  now?: () => number;
}

export interface MergeRequest {
  agent: string;
  strategy: LandStrategy;
  commitMessage?: string;
  cleanup: boolean;
}

export class AgentReview {
  private readonly now: () => number;
  /** commit, merge and discard change a repository's checkout or worktrees: one at a time per repository */
  private readonly queue = new RepoQueue();

  constructor(private readonly deps: AgentReviewDeps) {
    this.now = deps.now ?? Date.now;
  }

  async summary(agent: string, limit: number): Promise<ReviewSummary> {
    const { tree } = await this.worktree(agent);
    return this.deps.changes.summary(tree, limit);
  }

  async file(agent: string, path: string, maxBytes?: number): Promise<FileDiff> {
    const { tree } = await this.worktree(agent);
    return this.deps.files.diff(tree, path, maxBytes);
  }

  async commit(agent: string, message: string): Promise<ReviewSummary> {
    return this.queue.run(this.repoOf(agent), () => this.commitWork(agent, message));
  }

  private async commitWork(agent: string, message: string): Promise<ReviewSummary> {
    const { record, tree } = await this.worktree(agent);
    await this.deps.audit.admit(`committing the changes of agent ${record.name}`);
    await this.commitNow(record, tree, message);
    this.changed(record, tree);
    return this.deps.changes.summary(tree, 2_000);
  }

  /** The conflicts landing would meet (and the refusals it would get, by `strategy`); nothing changes. */
  async check(agent: string, strategy?: LandStrategy): Promise<MergeConflict[]> {
    const { record, tree } = await this.worktree(agent);
    if (strategy === 'rebase') this.mayRebase(record, tree);
    return this.deps.lander.check(tree);
  }

  /** Lands the agent's branch; a landing asked while another runs in the repository waits for it first. */
  async merge(request: MergeRequest): Promise<MergeOutcome> {
    return this.queue.run(this.repoOf(request.agent), () => this.land(request));
  }

  private async land(request: MergeRequest): Promise<MergeOutcome> {
    const { record, tree } = await this.worktree(request.agent);
    const dirty = (await this.deps.changes.changes(tree)).dirty;
    if (request.cleanup && record.status !== 'exited') {
      throw new DevMeshError(
        'CONFLICT',
        `agent ${record.name} is still ${record.status} in ${tree.path}, so its worktree cannot be removed after ` +
          `landing; stop it first (\`devmesh agent stop ${record.name}\`) or land without cleanup`,
      );
    }
    if (request.strategy === 'rebase') this.mayRebase(record, tree);
    if (request.cleanup && dirty && request.commitMessage === undefined) {
      throw new DevMeshError(
        'CONFLICT',
        `${tree.path} has uncommitted changes that cleanup would throw away; give a commit message to land ` +
          'them too (`-m "message"`), or land without cleanup',
      );
    }
    await this.deps.audit.admit(`landing ${tree.branch} of agent ${record.name}`);
    if (dirty && request.commitMessage !== undefined) await this.commitNow(record, tree, request.commitMessage);
    const title = `Landed by DevMesh from agent ${record.name}${record.task ? `: ${oneLine(record.task)}` : ''}`;
    const landing = await this.deps.lander.land(tree, request.strategy, title);
    if (!landing.landed) return { merged: false, conflicts: landing.conflicts };
    // the work is on the base now: whatever befalls its tasks (one completed by the agent meanwhile, an audit
    // chain that refuses), the landing is recorded, cleaned up and answered as one
    let completedTasks: string[] = [];
    let tasksNotCompleted: string | null = null;
    try {
      completedTasks = await this.deps.tasks.landed(
        record.id,
        `its work (${tree.branch}) landed on ${tree.base} at ${landing.head.slice(0, 12)}`,
      );
    } catch (err) {
      tasksNotCompleted = err instanceof Error ? err.message : String(err);
    }
    await this.deps.audit.record({
      actor: 'user',
      kind: 'review.merged',
      subject: record.name,
      data: {
        agentId: record.id,
        branch: tree.branch,
        base: tree.base,
        strategy: request.strategy,
        head: landing.head,
        completedTasks,
        ...(tasksNotCompleted === null ? {} : { tasksNotCompleted: tasksNotCompleted.slice(0, 500) }),
      },
    });
    if (request.cleanup) await this.remove(record, tree, false);
    this.changed(record, tree);
    return { merged: true, strategy: request.strategy, head: landing.head, completedTasks };
  }

  /**
   * A rebase rewrites the branch in the agent's worktree (its files and HEAD): refused while any agent works
   * there, the owner or another started in that folder, so none has its checkout changed under it mid-edit.
   * A fast-forward and a merge commit change only the base checkout and stay allowed.
   */
  private mayRebase(record: AgentRecord, tree: ReviewedWorktree): void {
    const inside = (dir: string) =>
      dir === tree.path || dir.startsWith(tree.path.endsWith(sep) ? tree.path : tree.path + sep);
    const running = [record, ...this.deps.agents.list().filter((a) => a.id !== record.id && inside(a.cwd))].find(
      (a) => a.status !== 'exited',
    );
    if (!running) return;
    throw new DevMeshError(
      'CONFLICT',
      `agent ${running.name} is ${running.status} in ${tree.path}, and a rebase would rewrite ${tree.branch} there ` +
        `under it; stop it first (\`devmesh agent stop ${running.name}\`), or land with a merge commit ` +
        '(without --rebase), which leaves its worktree alone',
    );
  }

  /** Removes the agent's worktree (its uncommitted changes too) and, unless kept, its branch. */
  async discard(agent: string, options: { keepBranch: boolean; force: boolean }): Promise<string> {
    return this.queue.run(this.repoOf(agent), () => this.discardWork(agent, options));
  }

  private async discardWork(agent: string, options: { keepBranch: boolean; force: boolean }): Promise<string> {
    const record = this.deps.agents.get(agent);
    const worktree = AgentReview.worktreeOf(record);
    if (record.status !== 'exited' && !options.force) {
      throw new DevMeshError(
        'CONFLICT',
        `agent ${record.name} is still ${record.status} in ${worktree.path}; stop it first ` +
          `(\`devmesh agent stop ${record.name}\`), or discard with --force to stop it and discard its work`,
      );
    }
    await this.deps.audit.admit(`discarding the work of agent ${record.name}`);
    if (record.status !== 'exited') await this.deps.agents.stop(record.id);
    await this.deps.worktrees.remove({
      repo: worktree.repo,
      path: worktree.path,
      branch: worktree.branch,
      deleteBranch: !options.keepBranch,
      force: true,
    });
    await this.deps.audit.record({
      actor: 'user',
      kind: 'review.discarded',
      subject: record.name,
      data: { agentId: record.id, branch: worktree.branch, path: worktree.path, keptBranch: options.keepBranch },
    });
    this.deps.emit({ type: 'review.changed', ts: this.now(), agentId: record.id, path: worktree.path });
    return record.id;
  }

  private async commitNow(record: AgentRecord, tree: ReviewedWorktree, message: string): Promise<void> {
    const commit = await this.deps.committer.commit(tree, message);
    await this.deps.audit.record({
      actor: 'user',
      kind: 'review.committed',
      subject: record.name,
      data: { agentId: record.id, branch: tree.branch, commit, message: message.slice(0, 200) },
    });
  }

  private async remove(record: AgentRecord, tree: ReviewedWorktree, force: boolean): Promise<void> {
    await this.deps.worktrees.remove({
      repo: tree.repo,
      path: tree.path,
      branch: tree.branch,
      deleteBranch: true,
      force,
    });
    await this.deps.audit.record({
      actor: 'user',
      kind: 'review.discarded',
      subject: record.name,
      data: { agentId: record.id, branch: tree.branch, path: tree.path, keptBranch: false, landed: true },
    });
  }

  private changed(record: AgentRecord, tree: ReviewedWorktree): void {
    this.deps.emit({ type: 'review.changed', ts: this.now(), agentId: record.id, path: tree.path });
  }

  private async worktree(agent: string): Promise<{ record: AgentRecord; tree: ReviewedWorktree }> {
    const record = this.deps.agents.get(agent);
    const worktree = AgentReview.worktreeOf(record);
    if (!existsSync(worktree.path)) {
      throw new DevMeshError(
        'CONFLICT',
        `the worktree of agent ${record.name} (${worktree.path}) is gone; its branch ${worktree.branch} may remain ` +
          `(\`git -C ${worktree.repo} log ${worktree.branch}\`)`,
      );
    }
    const base = await this.deps.base.of(worktree.repo, worktree.branch);
    return { record, tree: { agentId: record.id, ...worktree, base } };
  }

  /** the repository an action on the agent changes (its worktree's); throws as `worktree` does */
  private repoOf(agent: string): string {
    return AgentReview.worktreeOf(this.deps.agents.get(agent)).repo;
  }

  private static worktreeOf(record: AgentRecord): NonNullable<AgentRecord['worktree']> {
    if (record.worktree) return record.worktree;
    throw new DevMeshError(
      'BAD_REQUEST',
      `agent ${record.name} works in ${record.cwd}, not in a worktree of its own, so it has no branch to review; ` +
        'start agents with `--worktree BRANCH` to review and land their work',
    );
  }
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 100 ? `${line.slice(0, 99)}…` : line;
}
