// Parses what `git diff -z` prints, for the changed-file list: `--name-status -z` (how each file changed, and
// the old path of a rename or copy) and `--numstat -z` (lines added and removed; `-` for a binary file).
// Formats: https://git-scm.com/docs/git-diff#_raw_output_format and `--numstat` in
// https://git-scm.com/docs/git-diff#Documentation/git-diff.txt---numstat ("-z: … the pathname of a renamed
// file is given as `\0old\0new` after an empty path field").
import type { ChangeKind } from '../../../shared/review.js';

export interface NameStatus {
  path: string;
  from: string | null;
  kind: ChangeKind;
}

export interface LineCounts {
  path: string;
  /** null: binary */
  added: number | null;
  removed: number | null;
}

const KINDS: Record<string, ChangeKind> = {
  A: 'added',
  M: 'modified',
  D: 'deleted',
  R: 'renamed',
  C: 'copied',
  T: 'type-changed',
  // an unmerged path (a merge in progress in the worktree) is shown as modified
  U: 'modified',
  X: 'modified',
};

/** `git diff --name-status -z`: `M\0path\0`, `R086\0old\0new\0` */
export function parseNameStatus(out: string): NameStatus[] {
  const fields = out.split('\0');
  const records: NameStatus[] = [];
  for (let i = 0; i + 1 < fields.length;) {
    const status = fields[i]!;
    if (status === '') break;
    const letter = status[0]!;
    if (letter === 'R' || letter === 'C') {
      records.push({ from: fields[i + 1]!, path: fields[i + 2]!, kind: KINDS[letter]! });
      i += 3;
    } else {
      records.push({ from: null, path: fields[i + 1]!, kind: KINDS[letter] ?? 'modified' });
      i += 2;
    }
  }
  return records;
}

/** `git diff --numstat -z`: `3\t1\tpath\0`, `-\t-\tbin\0`, `1\t0\t\0old\0new\0` (a rename) */
export function parseNumstat(out: string): LineCounts[] {
  const fields = out.split('\0');
  const records: LineCounts[] = [];
  for (let i = 0; i < fields.length;) {
    const head = fields[i]!;
    if (head === '') break;
    const [a, r, path = ''] = head.split('\t');
    const counts = { added: a === '-' ? null : Number(a), removed: r === '-' ? null : Number(r) };
    if (path === '') {
      records.push({ path: fields[i + 2]!, ...counts });
      i += 3;
    } else {
      records.push({ path, ...counts });
      i += 1;
    }
  }
  return records;
}

/**
 * `git diff --raw --numstat -z`: both in one call, the raw records first (`:100644 100644 <old> <new> M\0path\0`,
 * `… R086\0old\0new\0`), then the numstat ones. One git process instead of two for a single file's diff.
 */
export function parseRawNumstat(out: string): { names: RawRecord[]; counts: LineCounts[] } {
  const fields = out.split('\0');
  let i = 0;
  const names: RawRecord[] = [];
  while (i < fields.length && fields[i]!.startsWith(':')) {
    const [, , oldBlob = '', , status = 'M'] = fields[i]!.split(' ');
    const two = status[0] === 'R' || status[0] === 'C';
    const [record] = parseNameStatus(`${[status, ...fields.slice(i + 1, i + (two ? 3 : 2))].join('\0')}\0`);
    // an all-zero id: no old blob (an added file)
    if (record) names.push({ ...record, oldBlob: /^0+$/.test(oldBlob) ? null : oldBlob });
    i += two ? 3 : 2;
  }
  return { names, counts: parseNumstat(fields.slice(i).join('\0')) };
}

export interface RawRecord extends NameStatus {
  /** the old side's blob id (abbreviated), null when there is none */
  oldBlob: string | null;
}
