// Turns what an agent names (a path or a glob, relative to the project root or absolute) into the one
// normalized, root-relative form locks are compared in, and refuses anything outside the root: a `..`
// escape, an absolute path elsewhere, or a symlink that leads out. Symlinks inside the root are followed,
// so `src/link.ts` and the file it points to are one lock.
//
// Synchronous on purpose: a realpath is a few syscalls, and resolving in the caller's turn keeps the queue
// in the order requests were made (async realpaths can complete out of order).
import { realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { DevMeshError } from '../../../shared/errors.js';
import type { LockTarget } from '../../../shared/lock.js';
import { TargetOverlap, type ResolvedTarget } from './target-overlap.js';

export class LockPathResolver {
  readonly root: string;
  private readonly realRoot: string;

  constructor(root: string) {
    this.root = resolve(root);
    try {
      this.realRoot = realpathSync.native(this.root);
    } catch (err) {
      throw new DevMeshError('BAD_REQUEST', `the lock root ${this.root} cannot be resolved (${(err as Error).message}); give the project's existing directory`);
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
    let pattern = raw;
    if (isAbsolute(pattern)) {
      const inRoot = [this.root, this.realRoot].map((r) => relative(r, pattern).split(sep).join('/')).find((r) => !LockPathResolver.escapes(r));
      if (inRoot === undefined) this.refuse(raw, 'it is outside the project root');
      pattern = inRoot;
    }
    const segments = pattern.split('/').filter((s) => s !== '' && s !== '.');
    if (segments.includes('..')) this.refuse(raw, '`..` is not allowed in a lock glob');
    const firstMagic = segments.findIndex((s) => TargetOverlap.isMagic(s));
    if (firstMagic < 0) return this.resolve({ kind: 'file', path: segments.join('/') || '.' });
    const literal = segments.slice(0, firstMagic).join('/');
    const prefix = literal === '' ? '' : this.confine(literal, raw);
    const rest = segments.slice(firstMagic).join('/');
    const normalized = prefix === '' ? rest : `${prefix}/${rest}`;
    return {
      kind: 'glob',
      path: normalized,
      prefix,
      suffix: TargetOverlap.literalTail(segments[segments.length - 1] ?? ''),
      key: `glob:${normalized}`,
      shown: { kind: 'glob', pattern: normalized },
    };
  }

  /** the root-relative POSIX real path of `raw`, or a BAD_REQUEST naming `shown` and the root */
  private confine(raw: string, shown: string): string {
    const lexical = resolve(this.root, raw);
    if (LockPathResolver.escapes(relative(this.root, lexical)) && LockPathResolver.escapes(relative(this.realRoot, lexical))) {
      this.refuse(shown, 'it is outside the project root');
    }
    // Follow symlinks through the nearest ancestor that exists; the rest of the path does not exist yet.
    let existing = lexical;
    const missing: string[] = [];
    let real: string | null = null;
    while (real === null) {
      try {
        real = realpathSync.native(existing);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' && code !== 'ENOTDIR') this.refuse(shown, `it cannot be resolved (${code ?? (err as Error).message})`);
        const parent = dirname(existing);
        if (parent === existing) this.refuse(shown, 'no part of it exists');
        missing.unshift(basename(existing));
        existing = parent;
      }
    }
    const rel = relative(this.realRoot, resolve(real, ...missing));
    if (LockPathResolver.escapes(rel)) this.refuse(shown, `a symlink leads outside the project root (to ${resolve(real, ...missing)})`);
    return rel.split(sep).join('/');
  }

  private refuse(path: string, why: string): never {
    throw new DevMeshError(
      'BAD_REQUEST',
      `cannot lock ${JSON.stringify(path)}: ${why} (root ${this.root}). Name a path inside the project, relative to its root`,
      { reason: 'lock-path-outside-root', path, root: this.root },
    );
  }

  private static plain(kind: 'file' | 'dir', rel: string): ResolvedTarget {
    return { kind, path: rel, prefix: rel, suffix: null, key: `${kind}:${rel}`, shown: { kind, path: rel === '' ? '.' : rel } };
  }

  private static escapes(rel: string): boolean {
    return rel === '..' || rel.startsWith(`..${sep}`) || rel.startsWith('../') || isAbsolute(rel);
  }

  private static isDirectory(abs: string): boolean {
    return statSync(abs, { throwIfNoEntry: false })?.isDirectory() ?? false;
  }
}
