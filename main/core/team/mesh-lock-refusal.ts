// What an agent is told when the mesh refuses its lock: who holds (or asked first for) what, on which machine,
// and what to do about it; or that its wait ran out, or that DevMesh is stopping. One message for every way a
// mesh lock is refused (a lock request, an award's INTENT locks, a shared-state claim).
import { DevMeshError } from '../../../shared/errors.js';
import type { LockGateRequest } from '../locks/lock-gate.js';
import type { Blocker } from './lock-messages.js';

/** `busy`: a teammate refused; `timeout`: the wait ran out; `shutdown`: this daemon is closing */
export type MeshRefusal = 'busy' | 'timeout' | 'shutdown';

export interface RefusalNames {
  /** this machine's id (named "this machine") */
  self: string;
  machineName(machineId: string): string;
  holderName(holder: string): string;
}

/** CONFLICT naming the blockers and their machines, TIMEOUT for a wait that ran out, SHUTTING_DOWN */
export function meshLockRefusal(
  names: RefusalNames,
  request: LockGateRequest,
  blockers: readonly Blocker[],
  why: MeshRefusal,
): DevMeshError {
  if (why === 'shutdown')
    return new DevMeshError(
      'SHUTTING_DOWN',
      'DevMesh is shutting down; the lock was not taken. Ask again once it runs',
    );
  const timedOut = why === 'timeout';
  const where = (b: Blocker): string => (b.machine === names.self ? 'this machine' : names.machineName(b.machine));
  const what = (b: Blocker): string => {
    const c = b.claim;
    const target = c.kind === 'state' ? `state ${c.key}` : `${c.mode} on ${c.target.path || '.'}`;
    return `${b.holderName} on ${where(b)} ${b.state === 'held' ? 'holds' : 'asked first for'} ${target}`;
  };
  const wanted = `${request.mode} on ${request.target.path || '.'}`;
  const holders = [...new Set(blockers.map((b) => `${b.holderName} (${where(b)})`))];
  const because = blockers.length > 0 ? blockers.map(what).join('; ') : 'a teammate did not answer in time';
  const who = names.holderName(request.holder);
  const message = timedOut
    ? `${who} waited ${request.waitMs} ms for ${wanted} across the mesh: ${because}. ` +
      `Wait longer (waitMs) or ask ${holders.join(', ') || 'the holder'} to release it`
    : `${who} cannot take ${wanted}: it is locked across the mesh (${because}). ` +
      `Wait and retry, or ask ${holders.join(', ')} to release it`;
  return new DevMeshError(timedOut ? 'TIMEOUT' : 'CONFLICT', message, {
    reason: 'lock-conflict',
    blockedBy: [...new Set(blockers.map((b) => b.holder.slice(0, b.holder.lastIndexOf('@'))))],
    machines: [...new Set(blockers.map((b) => where(b)))],
  });
}
