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

export class TargetOverlap {
  /** Is `path` the directory `dir` or under it? ('' is the root and holds everything.) */
  static within(path: string, dir: string): boolean {
    return dir === '' || path === dir || (path.startsWith(dir) && path.charCodeAt(dir.length) === 47); /* / */
  }

  static overlaps(a: ResolvedTarget, b: ResolvedTarget): boolean {
    if (a.kind === 'glob' && b.kind === 'glob') {
      const onOneLine = TargetOverlap.within(a.prefix, b.prefix) || TargetOverlap.within(b.prefix, a.prefix);
      return onOneLine && TargetOverlap.suffixesMayMeet(a.suffix, b.suffix);
    }
    if (a.kind === 'glob') return TargetOverlap.globMeets(a, b);
    if (b.kind === 'glob') return TargetOverlap.globMeets(b, a);
    if (a.kind === 'file' && b.kind === 'file') return a.path === b.path;
    if (a.kind === 'dir' && b.kind === 'dir')
      return TargetOverlap.within(a.path, b.path) || TargetOverlap.within(b.path, a.path);
    return a.kind === 'dir' ? TargetOverlap.within(b.path, a.path) : TargetOverlap.within(a.path, b.path);
  }

  private static globMeets(glob: ResolvedTarget, other: ResolvedTarget): boolean {
    if (other.kind === 'file') return other.path !== '' && matchesGlob(other.path, glob.path);
    return TargetOverlap.within(glob.prefix, other.path) || TargetOverlap.within(other.path, glob.prefix);
  }

  private static suffixesMayMeet(a: string | null, b: string | null): boolean {
    if (a === null || b === null) return true;
    return a.endsWith(b) || b.endsWith(a);
  }

  /** a segment that globbing treats specially */
  static isMagic(segment: string): boolean {
    return /[*?[{]/.test(segment) || /[!+@]\(/.test(segment) || segment.startsWith('!');
  }

  /** the literal tail of a glob's last segment (`*.test.ts` → `.test.ts`), null when unsafe to use */
  static literalTail(lastSegment: string): string | null {
    if (lastSegment === '**' || /[[\]{}()!+@\\]/.test(lastSegment)) return null;
    const cut = Math.max(lastSegment.lastIndexOf('*'), lastSegment.lastIndexOf('?'));
    return lastSegment.slice(cut + 1);
  }
}
