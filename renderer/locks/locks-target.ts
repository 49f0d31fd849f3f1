// What the Locks view's "take a lock" box means by the text typed into it: a glob when it has a pattern
// character, a directory (and everything under it) when it ends in a slash, else one file.
import type { LockTarget } from '../../shared/lock.js';

const GLOB_CHARS = /[*?[\]{}]/;

export function lockTargetOf(text: string): LockTarget | null {
  const path = text.trim();
  if (path === '' || path.includes('\0')) return null;
  if (GLOB_CHARS.test(path)) return { kind: 'glob', pattern: path };
  if (path.endsWith('/') && path !== '/') return { kind: 'dir', path: path.replace(/\/+$/, '') };
  return { kind: 'file', path };
}

/** How a target reads in a row: `src/a.ts`, `src/auth/` (a directory), `src/**\/*.ts` (a pattern). */
export function describeLockTarget(target: LockTarget): string {
  if (target.kind === 'glob') return target.pattern;
  if (target.kind === 'dir') return target.path === '.' ? './' : `${target.path}/`;
  return target.path;
}
