// The daemon's own problems as the header shows them: a store failing on a full disk, a damaged file. Each
// health.changed carries the whole current list (empty: healthy again), so it replaces what is here.
import { createStore } from 'zustand/vanilla';
import type { HealthProblem } from '../../shared/health.js';

export interface HealthState {
  /** the current problems, in the daemon's order */
  problems: HealthProblem[];
  /** the daemon has been asked once */
  loaded: boolean;
  /** why the daemon could not be asked (an older daemon); the header then shows nothing */
  error: string | null;
  replace(problems: HealthProblem[]): void;
  fail(message: string | null): void;
}

export const createHealthStore = () =>
  createStore<HealthState>()((set) => ({
    problems: [],
    loaded: false,
    error: null,
    replace: (problems) => set({ problems, loaded: true, error: null }),
    fail: (message) => set({ error: message, loaded: true }),
  }));

export type HealthStore = ReturnType<typeof createHealthStore>;
