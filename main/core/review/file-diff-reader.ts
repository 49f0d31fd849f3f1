// One changed file's diff, as a diff viewer takes it: a unified diff in git's format (with its headers), of
// the merge base against the worktree's file. A binary file gets no patch; neither does a file over the size
// limit (`tooLarge`: the viewer says so instead of freezing on megabytes of text). Only a path the change
// list names can be asked for, so no request reads outside the worktree.
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import type { ChangeKind, FileDiff } from '../../../shared/review.js';
import { DevMeshError } from '../../../shared/errors.js';
import type { ChangeSummary, ReviewedWorktree } from './change-summary.js';
import { parseRawNumstat } from './diff-records.js';
import { sniffFile } from './file-sniff.js';
import type { GitRunner } from '../base/git-runner.js';

/** a file (old or new) over this many bytes gets no patch, unless the caller names its own limit */
export const DEFAULT_MAX_DIFF_BYTES = 1024 * 1024;

interface Located {
  path: string;
  from: string | null;
  kind: ChangeKind;
  untracked: boolean;
  binary: boolean;
  oldBlob: string | null;
}

export class FileDiffReader {
  constructor(
    private readonly git: GitRunner,
    private readonly changes: Pick<ChangeSummary, 'mergeBase'>,
  ) {}

  async diff(tree: ReviewedWorktree, path: string, maxBytes = DEFAULT_MAX_DIFF_BYTES): Promise<FileDiff> {
    const baseRef = `refs/heads/${tree.base}`;
    const file = await this.locate(tree, baseRef, path);
    const paths = file.from ? [file.from, file.path] : [file.path];
    const newSize = file.kind === 'deleted' ? null : FileDiffReader.size(join(tree.path, file.path));
    const oldSize = file.oldBlob === null ? Promise.resolve(null) : this.blobSize(tree.path, file.oldBlob);
    const result = async (patch: string | null, tooLarge: boolean): Promise<FileDiff> => {
      const { path: p, from, kind, binary } = file;
      return { path: p, from, kind, binary, patch, tooLarge, oldSize: await oldSize, newSize };
    };
    if (file.binary) return result(null, false);
    if ((newSize ?? 0) > maxBytes) return result(null, true);
    // the patch is made while the old side's size is read; a file over the limit on either side has none
    const args = file.untracked
      ? ['diff', '--no-ext-diff', '--no-color', '--no-index', '--', '/dev/null', file.path]
      : ['diff', '--no-ext-diff', '--no-color', '-M', '--merge-base', baseRef, '--', ...paths];
    // the patch of a file under the limit is at most a few times its size (both sides, prefixes)
    const r = await this.git.run(tree.path, args, { maxBuffer: maxBytes * 4 + 64 * 1024 });
    if (r.overflow || ((await oldSize) ?? 0) > maxBytes) return result(null, true);
    if (r.code !== 0 && !(file.untracked && r.code === 1)) throw this.failed(tree, file.path, r.stderr);
    return result(r.stdout, false);
  }

  private async locate(tree: ReviewedWorktree, baseRef: string, path: string): Promise<Located> {
    // the whole tree's names (a rename pairs only when both its paths are looked at) and counts, in one call
    const raw = await this.git.run(tree.path, [
      'diff',
      '--no-ext-diff',
      '--raw',
      '--numstat',
      '-z',
      '-M',
      '--merge-base',
      baseRef,
    ]);
    if (raw.code !== 0) {
      await this.changes.mergeBase(tree); // says what is wrong with the base, when that is it
      throw this.failed(tree, path, raw.stderr);
    }
    const { names, counts } = parseRawNumstat(raw.stdout);
    const tracked = names.find((n) => n.path === path) ?? names.find((n) => n.from === path);
    if (tracked) {
      const binary = counts.find((c) => c.path === tracked.path)?.added === null;
      return { ...tracked, untracked: false, binary };
    }
    // a path outside the worktree (`../x`, `/etc/x`) is no change of it: git refuses it, and so does this
    const others = await this.git.run(tree.path, ['ls-files', '--others', '--exclude-standard', '-z', '--', path]);
    if (others.code === 0 && others.stdout.split('\0').includes(path)) {
      const binary = (await sniffFile(join(tree.path, path))).binary;
      return { path, from: null, kind: 'added', untracked: true, binary, oldBlob: null };
    }
    throw new DevMeshError(
      'BAD_REQUEST',
      `${path} is not among the changes of ${tree.branch} (in ${tree.path}) against ${tree.base}; ` +
        'list them with `devmesh agent diff <agent> --stat`',
    );
  }

  private async blobSize(cwd: string, object: string): Promise<number | null> {
    const r = await this.git.run(cwd, ['cat-file', '-s', object]);
    return r.code === 0 ? Number(r.stdout.trim()) : null;
  }

  /** the worktree's side as git sees it: a symlink is its target's path, not the file it points at */
  private static size(path: string): number | null {
    try {
      return lstatSync(path).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  private failed(tree: ReviewedWorktree, path: string, stderr: string): DevMeshError {
    return new DevMeshError(
      'INTERNAL',
      `git diff of ${path} in ${tree.path} failed: ${stderr.trim() || 'no message'}; try \`git -C ${tree.path} diff ${tree.base} -- ${path}\``,
    );
  }
}
