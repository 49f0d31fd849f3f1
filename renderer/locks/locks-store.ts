// The lock spaces (one per project root) as the daemon last listed them: who holds what, who waits behind
// whom. Replaced whole on every listing (a lock.changed event triggers one), so the view never has to merge
// the lock manager's own event stream into a picture of its own.
import { createStore } from 'zustand/vanilla';
import type { LockSpaceSnapshot } from '../../shared/lock.js';

export interface LocksState {
  spaces: LockSpaceSnapshot[];
  /** false until the first listing answered */
  loaded: boolean;
  /** why the spaces could not be listed, shown in place of them */
  error: string | null;
  replace(spaces: LockSpaceSnapshot[]): void;
  fail(message: string | null): void;
}

export const createLocksStore = () =>
  createStore<LocksState>()((set) => ({
    spaces: [],
    loaded: false,
    error: null,
    replace: (spaces) => set({ spaces, loaded: true, error: null }),
    fail: (message) => set((s) => (s.error === message ? s : { error: message })),
  }));

export type LocksStore = ReturnType<typeof createLocksStore>;
