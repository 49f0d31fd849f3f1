// What an agent's branch changes against its base: every file, committed on the branch or only in its
// worktree (staged, unstaged, untracked), with lines added and removed. The counts are those of the merge
// base against the worktree's files, which is what landing the work (after a commit) brings to the base.
// Four git calls run side by side: `diff --name-status -z` and `diff --numstat -z` of the merge base against
// the worktree, `diff --name-status -z` of the merge base against HEAD (what is committed), and
// `status --porcelain=v2 -z` (what is not, untracked files included).
import { join } from 'node:path';
import type { ChangedFile, ReviewSummary } from '../../../shared/review.js';
import { DevMeshError } from '../../../shared/errors.js';
import { parseNameStatus, parseNumstat, type NameStatus } from './diff-records.js';
import type { SniffedFile } from './file-sniff.js';
import type { GitRunner } from '../base/git-runner.js';
import { parsePorcelainV2 } from './porcelain-status.js';
import { SniffCache } from './sniff-cache.js';

/** untracked files read at once */
const SNIFF_PARALLEL = 8;

export interface ReviewedWorktree {
  agentId: string | null;
  path: string;
  branch: string;
  repo: string;
  base: string;
}

/** the worktree's changes, the whole list (the summary is a page of it) */
export interface WorktreeChanges {
  mergeBase: string;
  ahead: number;
  behind: number;
  files: ChangedFile[];
  dirty: boolean;
  /** the names and renames of tracked changes, merge base against the worktree (FileDiffReader pairs renames) */
  names: NameStatus[];
}

export class ChangeSummary {
  /** the untracked files' counts, read again only when a file changed */
  private readonly sniffs = new SniffCache();

  constructor(
    private readonly git: GitRunner,
    private readonly now: () => number = Date.now,
  ) {}

  async summary(tree: ReviewedWorktree, limit: number): Promise<ReviewSummary> {
    const changes = await this.changes(tree);
    return {
      agentId: tree.agentId,
      path: tree.path,
      branch: tree.branch,
      base: tree.base,
      mergeBase: changes.mergeBase,
      ahead: changes.ahead,
      behind: changes.behind,
      files: changes.files.slice(0, limit),
      truncated: changes.files.length > limit,
      dirty: changes.dirty,
      at: this.now(),
    };
  }

  async mergeBase(tree: ReviewedWorktree): Promise<string> {
    const r = await this.git.run(tree.path, ['merge-base', `refs/heads/${tree.base}`, 'HEAD']);
    if (r.code !== 0 && !(await this.baseExists(tree))) {
      throw new DevMeshError(
        'CONFLICT',
        `${tree.branch} lands on ${tree.base}, which no longer exists in ${tree.repo}; name another base with ` +
          `\`git -C ${tree.repo} config branch.${tree.branch}.devmeshBase <branch>\``,
      );
    }
    if (r.code !== 0) {
      throw new DevMeshError(
        'CONFLICT',
        `${tree.branch} (in ${tree.path}) shares no history with its base ${tree.base}; ` +
          `compare them yourself with \`git -C ${tree.path} log ${tree.base}...HEAD\``,
      );
    }
    return r.stdout.trim();
  }

  private async baseExists(tree: ReviewedWorktree): Promise<boolean> {
    const r = await this.git.run(tree.repo, ['rev-parse', '--verify', '--quiet', `refs/heads/${tree.base}`]);
    return r.code === 0;
  }

  async changes(tree: ReviewedWorktree): Promise<WorktreeChanges> {
    const cwd = tree.path;
    const baseRef = `refs/heads/${tree.base}`;
    // all at once: `--merge-base <base>` diffs from the merge base of the base and HEAD (git 2.30+), and
    // `<base>...HEAD` is what the branch committed since, so no call waits for `git merge-base`
    const settled = await Promise.allSettled([
      this.mergeBase(tree),
      this.git.out(cwd, ['rev-list', '--left-right', '--count', `${baseRef}...HEAD`]),
      this.git.out(cwd, ['diff', '--no-ext-diff', '--name-status', '-z', '-M', '--merge-base', baseRef]),
      this.git.out(cwd, ['diff', '--no-ext-diff', '--numstat', '-z', '-M', '--merge-base', baseRef]),
      this.git.out(cwd, ['diff', '--no-ext-diff', '--name-status', '-z', '-M', `${baseRef}...HEAD`]),
      this.git.out(cwd, ['status', '--porcelain=v2', '-z', '--untracked-files=all']),
    ]);
    // the merge base's refusal says what is wrong (no base, no shared history); the others' follow from it
    for (const s of settled) if (s.status === 'rejected') throw s.reason;
    const [mergeBase, counts, names, numstat, committed, status] = settled.map(
      (s) => (s as PromiseFulfilledResult<string>).value,
    ) as [string, string, string, string, string, string];
    const [behind = 0, ahead = 0] = counts.trim().split(/\s+/).map(Number);
    const nameList = parseNameStatus(names);
    const lines = new Map(parseNumstat(numstat).map((c) => [c.path, c]));
    const inCommits = new Set(parseNameStatus(committed).flatMap((n) => (n.from ? [n.path, n.from] : [n.path])));
    const entries = parsePorcelainV2(status).entries.filter((e) => e.type !== '!');
    const uncommitted = new Set(entries.flatMap((e) => (e.from ? [e.path, e.from] : [e.path])));
    const where = (n: NameStatus): ChangedFile['where'] => {
      const c = inCommits.has(n.path) || (n.from !== null && inCommits.has(n.from));
      const u = uncommitted.has(n.path) || (n.from !== null && uncommitted.has(n.from));
      return c && u ? 'both' : u ? 'uncommitted' : 'committed';
    };
    const files: ChangedFile[] = nameList.map((n) => {
      const count = lines.get(n.path);
      const binary = count !== undefined && count.added === null;
      return {
        path: n.path,
        from: n.from,
        kind: n.kind,
        added: binary ? null : (count?.added ?? 0),
        removed: binary ? null : (count?.removed ?? 0),
        binary,
        where: where(n),
      };
    });
    const untracked = entries.filter((e) => e.type === '?');
    const sniffed: SniffedFile[] = [];
    for (let i = 0; i < untracked.length; i += SNIFF_PARALLEL)
      sniffed.push(
        ...(await Promise.all(untracked.slice(i, i + SNIFF_PARALLEL).map((e) => this.sniff(join(cwd, e.path))))),
      );
    for (const [n, e] of untracked.entries()) {
      const { lines, binary } = sniffed[n]!;
      files.push({
        path: e.path,
        from: null,
        kind: 'added',
        added: lines,
        removed: binary ? null : 0,
        binary,
        where: 'uncommitted',
      });
    }
    files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return { mergeBase, ahead, behind, files, dirty: entries.length > 0, names: nameList };
  }

  /** an untracked file that vanished (or was swapped for a link) between `git status` and the read: empty text */
  private async sniff(path: string): Promise<SniffedFile> {
    try {
      return await this.sniffs.sniff(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EISDIR' || code === 'ELOOP') return { size: 0, binary: false, lines: 0 };
      throw err;
    }
  }
}
