// The team as this daemon knows it: its own machine and every teammate's it has heard from (reachable, or
// last seen), with their humans and agents (team.machines). Replaced whole on each listing.
import { createStore } from 'zustand/vanilla';
import type { TeamMachine } from '../../shared/team.js';

export interface TeamState {
  machines: TeamMachine[];
  loaded: boolean;
  /** why the list could not be read, shown above the view */
  error: string | null;
  /** A fresh team.machines answer. */
  replace(machines: TeamMachine[]): void;
  fail(message: string | null): void;
}

export const createTeamStore = () =>
  createStore<TeamState>()((set) => ({
    machines: [],
    loaded: false,
    error: null,
    replace: (machines) => set({ machines, loaded: true, error: null }),
    fail: (message) => set((s) => (s.error === message ? s : { error: message })),
  }));

export type TeamStore = ReturnType<typeof createTeamStore>;
