// Turns the one `path` an AI passes to acquire_lock into a lock target: a glob when it has glob characters,
// a directory when it ends with `/` or names an existing directory, else a file (which may not exist yet:
// an agent locks a file before creating it).
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { LockTarget } from '../../../shared/lock.js';

export type LockKind = LockTarget['kind'];

const GLOB_CHARS = /[*?[\]{}]/;

export class LockTargetParser {
  /** `cwd`: where relative paths are looked up to tell a directory from a file (the agent's folder) */
  constructor(private readonly cwd: string) {}

  parse(path: string, kind?: LockKind): LockTarget {
    const chosen = kind ?? this.detect(path);
    if (chosen === 'glob') return { kind: 'glob', pattern: path };
    if (chosen === 'dir') return { kind: 'dir', path: LockTargetParser.trimSlashes(path) };
    return { kind: 'file', path };
  }

  private detect(path: string): LockKind {
    if (GLOB_CHARS.test(path)) return 'glob';
    if (path.endsWith('/') || path === '.' || path === '..') return 'dir';
    return this.isDirectory(path) ? 'dir' : 'file';
  }

  private isDirectory(path: string): boolean {
    // A missing path is a file to be created: the lock comes before the write.
    return statSync(resolve(this.cwd, path), { throwIfNoEntry: false })?.isDirectory() ?? false;
  }

  private static trimSlashes(path: string): string {
    const trimmed = path.replace(/\/+$/, '');
    return trimmed === '' ? (path.startsWith('/') ? '/' : '.') : trimmed;
  }
}
