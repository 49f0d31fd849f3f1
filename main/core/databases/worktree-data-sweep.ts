// Removes the database folders of worktree copies whose worktree is gone. A copy of a project in a git worktree
// (an agent's branch) gets databases of its own under `$DEVMESH_HOME/databases/<of>@<label>/`; nothing removed
// them, so every finished branch left its postgres and redis data behind. A folder goes when all of these hold:
//   - its name is a copy's id (`<of>@<label>`, a real folder, not a link): a main checkout's id never holds `@`;
//   - the copy is not open (an open copy's engine may run; its close sweeps it again);
//   - git, asked in the main checkout (`git worktree list --porcelain`), lists no live worktree for it: none on
//     its branch's label nor holding its folder (a worktree git calls prunable, its folder deleted by hand,
//     does not count, unless it is locked: `git worktree lock` keeps one on a drive that is not mounted);
//   - no process works inside the folder (Linux: /proc/<pid>/cwd; an engine's is its data folder).
// Where the main checkout is unknown (no record, and that project is not open) or git cannot answer, the folder
// stays: a folder is never removed on a guess. Snapshots (`<service>/snapshots/`) are kept: they were taken on
// purpose, and a copy of that branch opened again lists them; the rest goes (its data, its record with it).
// When: at start (every copy's folder), and when a copy is closed (`devmesh agent rm --remove-worktree`
// closes the agent's copies once git removed the worktree). Never throws: what fails is logged and kept.
import { lstatSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { join, sep } from 'node:path';
import type { Logger } from 'pino';
import type { GitResult } from '../base/git-runner.js';
import { dnsLabel } from '../projects/worktree-copy.js';
import { COPY_RECORD_FILE, readCopyRecord, type CopyRecord } from './copy-data-record.js';

export interface WorktreeDataSweepDeps {
  /** $DEVMESH_HOME/databases */
  dir: string;
  /** is a project of this id open (a copy's id) */
  isOpen(projectId: string): boolean;
  /** the folder of the open main checkout `of`, for a copy's folder without a record; null when not open */
  mainRootOf(of: string): string | null;
  git: { run(cwd: string, args: string[]): Promise<GitResult> };
  logger: Logger;
  /** how many processes work inside `dir`; null where the OS cannot tell (default: /proc) */
  processesIn?: (dir: string) => number | null;
}

/** what became of one copy's folder */
export type SweepOutcome =
  | 'removed'
  | 'removed, snapshots kept'
  | 'kept: only snapshots'
  | 'kept: open'
  | 'kept: worktree exists'
  | 'kept: unknown'
  | 'kept: in use';

const COPY_FOLDER = /^([a-z0-9][a-z0-9_-]{0,62})@([a-z0-9][a-z0-9-]{0,62})$/;
/** a sweep looks at this many folders at most (a home holding more is looked at again on the next start) */
const MAX_FOLDERS = 1000;

interface ListedWorktree {
  path: string;
  label: string | null;
  /** git would prune it (its folder is gone) and it is not locked */
  prunable: boolean;
}

export class WorktreeDataSweep {
  private readonly processesIn: (dir: string) => number | null;

  constructor(private readonly deps: WorktreeDataSweepDeps) {
    this.processesIn = deps.processesIn ?? WorktreeDataSweep.procCwdCount;
  }

  /** Every copy's folder; resolves with what became of each (by copy id). */
  async sweep(): Promise<Map<string, SweepOutcome>> {
    const outcomes = new Map<string, SweepOutcome>();
    let names: string[];
    try {
      names = readdirSync(this.deps.dir).filter((n) => COPY_FOLDER.test(n));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        this.deps.logger.warn({ err: (err as Error).message, dir: this.deps.dir }, 'cannot list database folders');
      return outcomes;
    }
    const listings = new Map<string, Promise<ListedWorktree[] | null>>();
    for (const name of names.slice(0, MAX_FOLDERS)) {
      const outcome = await this.sweepOne(name, listings);
      if (outcome !== null) outcomes.set(name, outcome);
    }
    return outcomes;
  }

  /** One copy's folder (after the copy closed); null when `copyId` names no copy's folder. */
  sweepCopy(copyId: string): Promise<SweepOutcome | null> {
    return this.sweepOne(copyId, new Map());
  }

  /** `listings`: one `git worktree list` per main checkout for a whole sweep */
  private async sweepOne(
    copyId: string,
    listings: Map<string, Promise<ListedWorktree[] | null>>,
  ): Promise<SweepOutcome | null> {
    const match = COPY_FOLDER.exec(copyId);
    if (match === null) return null; // a main checkout's id (no `@`): never swept
    const [, of, label] = match as unknown as [string, string, string];
    const dir = join(this.deps.dir, copyId);
    try {
      if (!lstatSync(dir).isDirectory()) return null; // a link or a file: not a folder DevMesh made
      if (this.deps.isOpen(copyId)) return 'kept: open';
      const record = readCopyRecord(dir);
      const mainRoot = record?.mainRoot ?? this.deps.mainRootOf(of);
      if (mainRoot === null) return this.kept(copyId, 'kept: unknown', 'its main checkout is not known');
      if (!listings.has(mainRoot)) listings.set(mainRoot, this.worktrees(mainRoot));
      const listed = await listings.get(mainRoot)!;
      if (listed === null) return this.kept(copyId, 'kept: unknown', `git worktree list failed in ${mainRoot}`);
      if (listed.some((w) => !w.prunable && WorktreeDataSweep.holds(w, label, record))) return 'kept: worktree exists';
      const working = this.processesIn(dir);
      if (working !== null && working > 0) return this.kept(copyId, 'kept: in use', `${working} processes work in it`);
      if (this.deps.isOpen(copyId)) return 'kept: open'; // opened while git answered
      const outcome = WorktreeDataSweep.remove(dir);
      if (outcome !== 'kept: only snapshots')
        this.deps.logger.info(
          { copy: copyId, dir, branch: record?.branch, outcome },
          'removed the databases of a worktree copy',
        );
      return outcome;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      this.deps.logger.warn({ copy: copyId, dir, err: (err as Error).message }, 'could not sweep a copy folder');
      return 'kept: unknown';
    }
  }

  /** Removes the folder but its services' snapshots (and, while any is left, the record naming its worktree). */
  private static remove(dir: string): SweepOutcome {
    const snapshots = readdirSync(dir).filter((service) => {
      const folder = join(dir, service, 'snapshots');
      return WorktreeDataSweep.isFolder(folder) && readdirSync(folder).length > 0;
    });
    if (snapshots.length === 0) {
      rmSync(dir, { recursive: true, force: true });
      return 'removed';
    }
    let removed = 0;
    for (const entry of readdirSync(dir)) {
      if (entry === COPY_RECORD_FILE) continue;
      if (!snapshots.includes(entry)) {
        rmSync(join(dir, entry), { recursive: true, force: true });
        removed++;
        continue;
      }
      for (const inner of readdirSync(join(dir, entry)).filter((name) => name !== 'snapshots')) {
        rmSync(join(dir, entry, inner), { recursive: true, force: true });
        removed++;
      }
    }
    return removed > 0 ? 'removed, snapshots kept' : 'kept: only snapshots';
  }

  private static isFolder(path: string): boolean {
    try {
      return lstatSync(path).isDirectory();
    } catch {
      return false;
    }
  }

  private kept(copyId: string, outcome: SweepOutcome, why: string): SweepOutcome {
    this.deps.logger.debug({ copy: copyId, why }, 'kept the databases of a worktree copy');
    return outcome;
  }

  /** the worktrees git lists for the repository of `mainRoot`, or null when it cannot tell */
  private async worktrees(mainRoot: string): Promise<ListedWorktree[] | null> {
    try {
      const out = await this.deps.git.run(mainRoot, ['worktree', 'list', '--porcelain']);
      return out.code === 0 && !out.overflow ? WorktreeDataSweep.parse(out.stdout) : null;
    } catch {
      return null; // git missing, or the main checkout's folder is gone: not known, so kept
    }
  }

  /** Does this worktree stand for the copy: its branch's label, or the copy's folder inside it? */
  private static holds(w: ListedWorktree, label: string, record: CopyRecord | null): boolean {
    if (w.label === label) return true;
    return record !== null && (record.root + sep).startsWith(w.path.replace(/\/+$/, '') + sep);
  }

  /** `git worktree list --porcelain`: blocks of `worktree <path>`, `branch refs/heads/x`, `locked`, `prunable` */
  static parse(porcelain: string): ListedWorktree[] {
    const out: ListedWorktree[] = [];
    for (const block of porcelain.split(/\n\s*\n/)) {
      const lines = block.split('\n');
      const path = lines.find((l) => l.startsWith('worktree '))?.slice('worktree '.length);
      if (path === undefined) continue;
      const branch = lines.find((l) => l.startsWith('branch '))?.slice('branch '.length) ?? null;
      const locked = lines.some((l) => l === 'locked' || l.startsWith('locked '));
      const prunable = !locked && lines.some((l) => l === 'prunable' || l.startsWith('prunable '));
      out.push({ path, label: branch === null ? null : WorktreeDataSweep.label(branch), prunable });
    }
    return out;
  }

  private static label(branch: string): string | null {
    try {
      return dnsLabel(branch.replace(/^refs\/heads\//, ''));
    } catch {
      return null; // no letter or digit: no copy is named by it
    }
  }

  /** processes whose working folder is `dir` or inside it, from /proc; null without /proc */
  private static procCwdCount(dir: string): number | null {
    let entries: string[];
    try {
      entries = readdirSync('/proc');
    } catch {
      return null;
    }
    let count = 0;
    for (const entry of entries) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const cwd = readlinkSync(`/proc/${entry}/cwd`);
        if (cwd === dir || cwd.startsWith(dir + sep)) count++;
      } catch {
        // ended meanwhile, or not ours to read (engines run as the daemon's user, or as postgres under root)
      }
    }
    return count;
  }
}
