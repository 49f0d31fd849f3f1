// The held locks, indexed so that "what overlaps this target?" looks at the target's ancestors, its
// subtree and the globs, not at every lock: a file's depth is small, the number of locks is not.
import type { LockInfo, LockMode } from '../../../shared/lock.js';
import * as targetOverlap from './target-overlap.js';
import type { ResolvedTarget } from './target-overlap.js';

export interface HeldLock {
  id: string;
  holder: string;
  /** changes when its holder converts it (READ→WRITE…) */
  mode: LockMode;
  target: ResolvedTarget;
  acquiredAt: number;
  expiresAt: number;
  ttlMs: number;
  /** who took it within its holder: MCP session ids, and HOLDER_TAKER for the holder itself (CLI, UI, a task) */
  takers: Set<string>;
}

/** the taker of a request that names no session */
export const HOLDER_TAKER = '';

/** what the API shows of a held lock: its takers that are sessions, not the holder itself */
export function lockInfo(l: HeldLock): LockInfo {
  const sessions = [...l.takers].filter((t) => t !== HOLDER_TAKER);
  return {
    id: l.id,
    holder: l.holder,
    mode: l.mode,
    target: l.target.shown,
    acquiredAt: l.acquiredAt,
    expiresAt: l.expiresAt,
    ttlMs: l.ttlMs,
    sessions,
  };
}

export class LockIndex {
  private readonly byId = new Map<string, HeldLock>();
  private readonly byHolder = new Map<string, Map<string, HeldLock>>();
  /** file and dir locks by their exact path */
  private readonly exact = new Map<string, Set<HeldLock>>();
  /** file and dir locks at or under each directory ('' holds them all) */
  private readonly subtree = new Map<string, Set<HeldLock>>();
  private readonly globs = new Set<HeldLock>();

  get size(): number {
    return this.byId.size;
  }

  get(id: string): HeldLock | undefined {
    return this.byId.get(id);
  }

  all(): IterableIterator<HeldLock> {
    return this.byId.values();
  }

  /** the holder's lock on exactly this target, if any */
  find(holder: string, key: string): HeldLock | undefined {
    return this.byHolder.get(holder)?.get(key);
  }

  ofHolder(holder: string): HeldLock[] {
    return [...(this.byHolder.get(holder)?.values() ?? [])];
  }

  add(lock: HeldLock): void {
    this.byId.set(lock.id, lock);
    let mine = this.byHolder.get(lock.holder);
    if (!mine) this.byHolder.set(lock.holder, (mine = new Map<string, HeldLock>()));
    mine.set(lock.target.key, lock);
    if (lock.target.kind === 'glob') {
      this.globs.add(lock);
      return;
    }
    LockIndex.put(this.exact, lock.target.path, lock);
    for (const dir of LockIndex.ancestors(lock.target.path, true)) LockIndex.put(this.subtree, dir, lock);
  }

  remove(lock: HeldLock): void {
    if (!this.byId.delete(lock.id)) return;
    const mine = this.byHolder.get(lock.holder);
    mine?.delete(lock.target.key);
    if (mine?.size === 0) this.byHolder.delete(lock.holder);
    if (lock.target.kind === 'glob') {
      this.globs.delete(lock);
      return;
    }
    LockIndex.take(this.exact, lock.target.path, lock);
    for (const dir of LockIndex.ancestors(lock.target.path, true)) LockIndex.take(this.subtree, dir, lock);
  }

  /** every held lock whose target overlaps `target` (any holder) */
  overlapping(target: ResolvedTarget): HeldLock[] {
    const out: HeldLock[] = [];
    const consider = (set: Set<HeldLock> | undefined, check: boolean): void => {
      if (!set) return;
      for (const l of set) if (!check || targetOverlap.overlaps(l.target, target)) out.push(l);
    };
    // Locks on a strict ancestor of the target (or of a glob's prefix): only directories can cover it,
    // or for a glob a file that the pattern happens to match.
    for (const dir of LockIndex.ancestors(target.prefix, false)) consider(this.exact.get(dir), true);
    if (target.kind === 'file') consider(this.exact.get(target.path), false);
    else consider(this.subtree.get(target.prefix), target.kind === 'glob');
    consider(this.globs, true);
    return out;
  }

  /** '' and each directory above `path`, and `path` itself when `inclusive` */
  private static ancestors(path: string, inclusive: boolean): string[] {
    if (path === '') return inclusive ? [''] : [];
    const out = [''];
    for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) out.push(path.slice(0, i));
    if (inclusive) out.push(path);
    return out;
  }

  private static put(map: Map<string, Set<HeldLock>>, key: string, lock: HeldLock): void {
    let set = map.get(key);
    if (!set) map.set(key, (set = new Set()));
    set.add(lock);
  }

  private static take(map: Map<string, Set<HeldLock>>, key: string, lock: HeldLock): void {
    const set = map.get(key);
    set?.delete(lock);
    if (set?.size === 0) map.delete(key);
  }
}
