// Turns what an agent names (a path or a glob, relative to the project root or absolute) into the one
// normalized, root-relative form locks are compared in, and refuses anything outside the root: a `..`
// escape, an absolute path elsewhere, or a symlink that leads out. Both sides are compared as real paths
// (realPathOf): symlinks inside the root are followed, so `src/link.ts` and the file it points to are one
// lock, and a spelling through an alias of the root (`/proc/self/root/…`, a symlinked checkout) is the same
// path as the real one. Glob syntax that can stand for `..` (`{..}`, `@(..)`, `[.][.]`…) is refused like `..`.
//
// Synchronous on purpose: a realpath is a few syscalls, and resolving in the caller's turn keeps the queue
// in the order requests were made (async realpaths can complete out of order).
import { readlinkSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, matchesGlob, relative, resolve, sep } from 'node:path';
import { DevMeshError } from '../../../shared/errors.js';
import type { LockTarget } from '../../../shared/lock.js';
import * as targetOverlap from './target-overlap.js';
import type { ResolvedTarget } from './target-overlap.js';

export class LockPathResolver {
  readonly root: string;
  private readonly realRoot: string;

  constructor(root: string) {
    this.root = resolve(root);
    try {
      this.realRoot = realpathSync.native(this.root);
    } catch (err) {
      throw new DevMeshError(
        'BAD_REQUEST',
        `the lock root ${this.root} cannot be resolved (${(err as Error).message}); give the project's existing directory`,
      );
    }
  }

  resolve(target: LockTarget): ResolvedTarget {
    if (target.kind === 'glob') return this.resolveGlob(target.pattern);
    const rel = this.confine(target.path, target.path);
    let kind = target.kind;
    // A "file" that is a directory covers what is under it: the conservative reading.
    if (kind === 'file' && (rel === '' || LockPathResolver.isDirectory(resolve(this.realRoot, rel)))) kind = 'dir';
    return LockPathResolver.plain(kind, rel);
  }

  private resolveGlob(raw: string): ResolvedTarget {
    if (raw.includes('\\')) this.refuse(raw, 'a glob uses forward slashes and no escapes');
    const all = raw.split('/');
    const unclosed = all.find((s) => !LockPathResolver.balanced(s));
    if (unclosed !== undefined)
      this.refuse(raw, `\`${unclosed}\`: a {…}, (…) or […] must close before the next \`/\` in a lock glob`);
    if (all.some((s) => s === '..' || LockPathResolver.mayMeanDotDot(s)))
      this.refuse(raw, '`..` is not allowed in a lock glob, nor glob syntax that can mean it ({..}, @(..), [.][.])');
    let pattern = raw;
    if (isAbsolute(pattern)) {
      // the literal directories before the first magic segment are a path: compared as a real path
      const parts = pattern.split('/');
      const magic = parts.findIndex((s) => targetOverlap.isMagic(s));
      const literal = magic < 0 ? pattern : parts.slice(0, magic).join('/') || '/';
      const rel = relative(this.realRoot, LockPathResolver.realPathOf(literal)).split(sep).join('/');
      if (LockPathResolver.escapes(rel)) this.refuse(raw, 'it is outside the project root');
      pattern = [rel, ...(magic < 0 ? [] : parts.slice(magic))].filter((s) => s !== '').join('/');
    }
    const segments = pattern.split('/').filter((s) => s !== '' && s !== '.');
    const firstMagic = segments.findIndex((s) => targetOverlap.isMagic(s));
    if (firstMagic < 0) return this.resolve({ kind: 'file', path: segments.join('/') || '.' });
    const literal = segments.slice(0, firstMagic).join('/');
    const prefix = literal === '' ? '' : this.confine(literal, raw);
    const rest = segments.slice(firstMagic).join('/');
    const normalized = prefix === '' ? rest : `${prefix}/${rest}`;
    return {
      kind: 'glob',
      path: normalized,
      prefix,
      suffix: targetOverlap.literalTail(segments[segments.length - 1] ?? ''),
      key: `glob:${normalized}`,
      shown: { kind: 'glob', pattern: normalized },
    };
  }

  /** the root-relative POSIX real path of `raw`, or a BAD_REQUEST naming `shown` and the root */
  private confine(raw: string, shown: string): string {
    const lexical = resolve(this.root, raw);
    let real: string;
    try {
      real = LockPathResolver.realPathOf(lexical);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      this.refuse(shown, `it cannot be resolved (${code ?? (err as Error).message})`);
    }
    const rel = relative(this.realRoot, real);
    if (LockPathResolver.escapes(rel)) {
      const lexicalOut =
        LockPathResolver.escapes(relative(this.root, lexical)) &&
        LockPathResolver.escapes(relative(this.realRoot, lexical));
      this.refuse(
        shown,
        lexicalOut ? 'it is outside the project root' : `a symlink leads outside the project root (to ${real})`,
      );
    }
    return rel.split(sep).join('/');
  }

  /**
   * The real path of `path` (absolute), also when it does not exist yet: symlinks are followed through the
   * nearest ancestor that exists, and a dangling symlink to its target (writing through it creates the
   * target). Throws for errors other than a missing component (EACCES, ELOOP).
   */
  static realPathOf(path: string): string {
    let current = resolve(path);
    const missing: string[] = [];
    let hops = 0;
    for (;;) {
      try {
        return resolve(realpathSync.native(current), ...missing);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
      }
      const link = LockPathResolver.readLink(current);
      if (link !== null) {
        if (++hops > 40) throw Object.assign(new Error(`too many symlinks at ${current}`), { code: 'ELOOP' });
        current = resolve(dirname(current), link);
        continue;
      }
      const parent = dirname(current);
      if (parent === current) return resolve(current, ...missing);
      missing.unshift(basename(current));
      current = parent;
    }
  }

  private static readLink(path: string): string | null {
    try {
      return readlinkSync(path);
    } catch {
      return null; // not a symlink, or not there: the caller goes up a level
    }
  }

  /** Could this glob segment match `..`? By Node's matcher, or once its syntax is taken away (`{..}`). */
  private static mayMeanDotDot(segment: string): boolean {
    if (!targetOverlap.isMagic(segment)) return false;
    return matchesGlob('..', segment) || segment.replace(/[{}[\]()@!+*?,|]/g, '') === '..';
  }

  /** every {, ( and [ of a segment closes within it: a glob cannot hide a `/` (and so `..`) inside one */
  private static balanced(segment: string): boolean {
    let braces = 0;
    let parens = 0;
    let inClass = false;
    for (const ch of segment) {
      if (inClass) {
        if (ch === ']') inClass = false;
        continue;
      }
      if (ch === '[') inClass = true;
      else if (ch === '{') braces++;
      else if (ch === '}') braces--;
      else if (ch === '(') parens++;
      else if (ch === ')') parens--;
      if (braces < 0 || parens < 0) return false;
    }
    return braces === 0 && parens === 0 && !inClass;
  }

  private refuse(path: string, why: string): never {
    throw new DevMeshError(
      'BAD_REQUEST',
      `cannot lock ${JSON.stringify(path)}: ${why} (root ${this.root}). Name a path inside the project, relative to its root`,
      { reason: 'lock-path-outside-root', path, root: this.root },
    );
  }

  private static plain(kind: 'file' | 'dir', rel: string): ResolvedTarget {
    return {
      kind,
      path: rel,
      prefix: rel,
      suffix: null,
      key: `${kind}:${rel}`,
      shown: { kind, path: rel === '' ? '.' : rel },
    };
  }

  private static escapes(rel: string): boolean {
    return rel === '..' || rel.startsWith(`..${sep}`) || rel.startsWith('../') || isAbsolute(rel);
  }

  private static isDirectory(abs: string): boolean {
    return statSync(abs, { throwIfNoEntry: false })?.isDirectory() ?? false;
  }
}
