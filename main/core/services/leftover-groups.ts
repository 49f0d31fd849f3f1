// Stops the process groups of services a dead DevMesh left running (its reaper gone too), each the way its
// service asks to be stopped: its own stop signal (postgres's fast shutdown is SIGINT; its SIGTERM waits for
// every client), its own stop time (a database writing its data out must not be killed in the middle), then
// SIGKILL to what is left. The stop time is capped at 60 s, as the reaper caps it: DevMesh's start waits for
// these groups, so that nothing of the old run meets the new one (a port, a data folder's lock).
// A group recorded before DevMesh kept the stop settings gets SIGTERM and 3 s, as it always did.
import { constants } from 'node:os';
import type { StopSettings } from './process-group.js';

export interface LeftoverGroup {
  pgid: number;
  /** how its service asked to be stopped when it started; null: not recorded (an older store) */
  stop: StopSettings | null;
}

export interface LeftoverGroupsDeps {
  isGroupAlive(pgid: number): boolean;
  /** how often the groups are looked at */
  pollMs?: number;
}

/** what a leftover whose stop settings were not recorded gets */
export const UNRECORDED_STOP: StopSettings = { signal: 'SIGTERM', timeoutMs: 3000 };
/** the longest a start waits for one leftover group before SIGKILL */
export const MAX_LEFTOVER_STOP_MS = 60_000;

/** The stop a leftover gets: its recorded one when it names a real signal, bounded; otherwise SIGTERM and 3 s. */
export function leftoverStop(signal: string | null, timeoutMs: number | null): StopSettings {
  if (signal === null || timeoutMs === null || !Number.isFinite(timeoutMs) || !isSignal(signal)) return UNRECORDED_STOP;
  return { signal, timeoutMs: Math.min(MAX_LEFTOVER_STOP_MS, Math.max(0, timeoutMs)) };
}

/**
 * Signals every group at once, then waits for each until its own stop time has passed and SIGKILLs what is
 * still running. Resolves with the groups that needed SIGKILL. Never throws: a group already gone is done.
 */
export async function stopLeftoverGroups(groups: LeftoverGroup[], deps: LeftoverGroupsDeps): Promise<Set<number>> {
  const pollMs = deps.pollMs ?? 100;
  const started = Date.now();
  const pending = new Map<number, StopSettings>();
  for (const { pgid, stop } of groups) {
    const settings = stop ?? UNRECORDED_STOP;
    signalGroup(pgid, settings.signal);
    pending.set(pgid, settings);
  }
  const killed = new Set<number>();
  // Bounded: every group leaves `pending` once it is gone or its (capped) stop time has passed.
  while (pending.size > 0) {
    for (const [pgid, settings] of pending) {
      if (!deps.isGroupAlive(pgid)) pending.delete(pgid);
      else if (Date.now() - started >= settings.timeoutMs) {
        signalGroup(pgid, 'SIGKILL');
        killed.add(pgid);
        pending.delete(pgid);
      }
    }
    if (pending.size > 0) await new Promise((r) => setTimeout(r, pollMs));
  }
  return killed;
}

function isSignal(name: string): name is NodeJS.Signals {
  return /^SIG[A-Z0-9]+$/.test(name) && Object.hasOwn(constants.signals, name);
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: already gone; EPERM: not ours to stop (a reused group id), which is not ours to kill either
  }
}
