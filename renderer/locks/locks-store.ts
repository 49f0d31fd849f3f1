// The lock spaces (one per project root) as the daemon last listed them: who holds what, who waits behind
// whom. Replaced whole on every listing (a lock.changed event triggers one), so the view never has to merge
// the lock manager's own event stream into a picture of its own. Beside them, the locks teammates' machines
// hold (team.locks, re-listed on team.locks events), the conflicts found when a partition healed
// (team.lock-conflict events) and the locked files written past their lock (files.lock-bypassed events),
// each kept until the human dismisses it.
import { createStore } from 'zustand/vanilla';
import type { LockBypassedEvent } from '../../shared/files.js';
import type { LockSpaceSnapshot } from '../../shared/lock.js';
import type { TeamLock, TeamLockConflictEvent, TeamLocks } from '../../shared/team.js';

export interface LocksState {
  spaces: LockSpaceSnapshot[];
  /** false until the first listing answered */
  loaded: boolean;
  /** why the spaces could not be listed, shown in place of them */
  error: string | null;
  /** locks held on teammates' machines (reachable first, then last seen) */
  teammates: TeamLock[];
  /** teammates that hold more locks than their presence lists */
  leftOff: TeamLocks['leftOff'];
  /** why teammates' locks could not be listed */
  teamError: string | null;
  /** conflicting grants raised on this machine, oldest first, until dismissed */
  conflicts: TeamLockConflictEvent[];
  /** locked files changed past their lock (a shell write), oldest first, until dismissed */
  bypasses: LockBypassedEvent[];
  replace(spaces: LockSpaceSnapshot[]): void;
  fail(message: string | null): void;
  replaceTeam(listed: TeamLocks): void;
  failTeam(message: string | null): void;
  raiseConflict(event: TeamLockConflictEvent): void;
  dismissConflict(event: TeamLockConflictEvent): void;
  raiseBypass(event: LockBypassedEvent): void;
  dismissBypass(event: LockBypassedEvent): void;
}

/** alerts kept at most (the oldest go first) */
const MAX_CONFLICTS = 50;

export const createLocksStore = () =>
  createStore<LocksState>()((set) => ({
    spaces: [],
    loaded: false,
    error: null,
    teammates: [],
    leftOff: [],
    teamError: null,
    conflicts: [],
    bypasses: [],
    replace: (spaces) => set({ spaces, loaded: true, error: null }),
    fail: (message) => set((s) => (s.error === message ? s : { error: message })),
    replaceTeam: (listed) =>
      set({
        teammates: listed.locks
          .filter((l) => !l.local)
          .sort((a, b) => Number(b.reachable) - Number(a.reachable) || a.machine.localeCompare(b.machine)),
        leftOff: listed.leftOff,
        teamError: null,
      }),
    failTeam: (message) => set((s) => (s.teamError === message ? s : { teamError: message })),
    raiseConflict: (event) =>
      set((s) =>
        s.conflicts.some((c) => conflictKey(c) === conflictKey(event))
          ? s
          : { conflicts: [...s.conflicts, event].slice(-MAX_CONFLICTS) },
      ),
    dismissConflict: (event) =>
      set((s) => ({ conflicts: s.conflicts.filter((c) => conflictKey(c) !== conflictKey(event)) })),
    raiseBypass: (event) =>
      set((s) =>
        s.bypasses.some((b) => bypassKey(b) === bypassKey(event))
          ? s
          : { bypasses: [...s.bypasses, event].slice(-MAX_CONFLICTS) },
      ),
    dismissBypass: (event) => set((s) => ({ bypasses: s.bypasses.filter((b) => bypassKey(b) !== bypassKey(event)) })),
  }));

/** one alert per write: the file, where it was written and when */
export function bypassKey(e: LockBypassedEvent): string {
  return `${e.root}|${e.path}|${e.where}|${e.ts}`;
}

/** one alert per pair of sides (a heal raises a pair once, but a re-link may raise it again) */
export function conflictKey(e: TeamLockConflictEvent): string {
  const side = (s: TeamLockConflictEvent['mine']) => `${s.machineId}/${s.holder}/${s.what}`;
  return `${e.project}|${side(e.mine)}|${side(e.theirs)}`;
}

export type LocksStore = ReturnType<typeof createLocksStore>;
