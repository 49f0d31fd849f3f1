// When two lock targets could name the same path. A false "overlap" only makes an agent wait; a false
// "disjoint" lets two agents write one file, so every rule here errs toward overlap when unsure.
//
// - file–file: the same path. file–dir: the file is the directory or under it. dir–dir: one is under the other.
// - glob–file: path.matchesGlob(file, pattern), exact.
// - glob–dir: the glob's literal prefix (its directory segments before the first magic one) is under the
//   directory, or the directory is under the prefix (the glob could match something in it).
// - glob–glob: the literal prefixes are on one line (one under the other), unless the last segments end in
//   literal tails of which neither ends the other (`*.ts` vs `*.css`): a path matching both would need a
//   name ending in both. Braces, classes and extglobs in the last segment disable that refinement.
import { matchesGlob } from 'node:path';
import type { LockTarget } from '../../../shared/lock.js';

export interface ResolvedTarget {
  kind: 'file' | 'dir' | 'glob';
  /** root-relative POSIX path ('' is the root), or the normalized pattern for a glob */
  path: string;
  /** file/dir: the path; glob: its literal directory prefix */
  prefix: string;
  /** glob only: the literal tail of the last segment, or null when no refinement is safe */
  suffix: string | null;
  /** `kind:path`: a holder has at most one lock per key */
  key: string;
  /** the normalized target as LockInfo shows it */
  shown: LockTarget;
}

/** Is `path` the directory `dir` or under it? ('' is the root and holds everything.) */
export function within(path: string, dir: string): boolean {
  return dir === '' || path === dir || (path.startsWith(dir) && path.charCodeAt(dir.length) === 47); /* / */
}

export function overlaps(a: ResolvedTarget, b: ResolvedTarget): boolean {
  if (a.kind === 'glob' && b.kind === 'glob') {
    const onOneLine = within(a.prefix, b.prefix) || within(b.prefix, a.prefix);
    return onOneLine && suffixesMayMeet(a.suffix, b.suffix);
  }
  if (a.kind === 'glob') return globMeets(a, b);
  if (b.kind === 'glob') return globMeets(b, a);
  if (a.kind === 'file' && b.kind === 'file') return a.path === b.path;
  if (a.kind === 'dir' && b.kind === 'dir') return within(a.path, b.path) || within(b.path, a.path);
  return a.kind === 'dir' ? within(b.path, a.path) : within(a.path, b.path);
}

function globMeets(glob: ResolvedTarget, other: ResolvedTarget): boolean {
  if (other.kind === 'file') return other.path !== '' && matchesGlob(other.path, glob.path);
  return within(glob.prefix, other.path) || within(other.path, glob.prefix);
}

function suffixesMayMeet(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return true;
  return a.endsWith(b) || b.endsWith(a);
}

/** a segment that globbing treats specially */
export function isMagic(segment: string): boolean {
  return /[*?[{]/.test(segment) || /[!+@]\(/.test(segment) || segment.startsWith('!');
}

/** the literal tail of a glob's last segment (`*.test.ts` → `.test.ts`), null when unsafe to use */
export function literalTail(lastSegment: string): string | null {
  if (lastSegment === '**' || /[[\]{}()!+@\\]/.test(lastSegment)) return null;
  const cut = Math.max(lastSegment.lastIndexOf('*'), lastSegment.lastIndexOf('?'));
  return lastSegment.slice(cut + 1);
}
