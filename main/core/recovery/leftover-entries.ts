// The audit entries a start writes about what an earlier run left behind, and a clean shutdown about the
// locks still held: one shape per kind, so every face (and `devmesh audit ls`) reads them the same way.
//   daemon.died      subject `pid N`          data: run, pid, diedAt (null: not noted), lastSign, terminals, locks
//   service.stopped  subject `project/name`   data: from, to, reason, pid, version, port (as audit-entries.ts')
//   terminal.ended   subject `name (id)`      data: terminalId, name, command, project, pid, startedAt, reason, …
//   lock.dropped     subject the lock target   data: root, project, lockId, mode, holder, heldSince, reason
import type { AuditAppend } from '../../../shared/audit.js';
import type { LockInfo, LockSpaceSnapshot, LockTarget } from '../../../shared/lock.js';
import type { ReconciledService } from '../services/service-registry.js';
import type { ChainLock } from './chain-held-locks.js';
import type { TerminalRow } from './live-terminals.js';
import type { RunEnd } from './run-end.js';

export function died(end: RunEnd, counts: { terminals: number; locks: number }): AuditAppend {
  const data = { run: end.run, pid: end.pid, diedAt: end.at, lastSign: end.lastSign, ...counts };
  return { actor: 'devmesh', kind: 'daemon.died', subject: `pid ${end.pid}`, data };
}

export function service(s: ReconciledService): AuditAppend {
  const data = { from: s.from, to: 'stopped', reason: s.reason, pid: s.pid, version: s.version, port: s.port };
  return { actor: 'devmesh', kind: 'service.stopped', subject: `${s.project}/${s.name}`, data };
}

export function terminal(t: TerminalRow, reason: string, stoppedAtStart: number): AuditAppend {
  const data = {
    terminalId: t.id,
    name: t.name,
    command: t.command,
    project: t.project,
    pid: t.pid,
    startedAt: t.started_at,
    reason,
    processesStoppedAtStart: stoppedAtStart,
  };
  return { actor: 'devmesh', kind: 'terminal.ended', subject: `${t.name} (${t.id})`, data };
}

/** a lock an earlier run held when it ended, read from the chain */
export function lockLeft(lock: ChainLock, reason: string): AuditAppend {
  const { root, project, lockId, mode, holder } = lock;
  const data = { root, project, lockId, mode, holder, heldSince: lock.grantedAt, reason };
  return { actor: 'devmesh', kind: 'lock.dropped', subject: lock.subject, data };
}

/** a lock still held at a clean shutdown */
export function lockAtShutdown(space: LockSpaceSnapshot, l: LockInfo): AuditAppend {
  const { root, project } = space;
  const reason = 'DevMesh shut down';
  const data = { root, project, lockId: l.id, mode: l.mode, holder: l.holder, heldSince: l.acquiredAt, reason };
  return { actor: 'devmesh', kind: 'lock.dropped', subject: subject(l.target), data };
}

/** a lock's target as the audit chain names it (as audit-entries.ts does) */
function subject(t: LockTarget): string {
  return t.kind === 'glob' ? t.pattern : t.kind === 'dir' ? `${t.path}/` : t.path;
}
