// The locks teammates' machines hold, as their presence last told this daemon: one row per lock with its
// machine; a machine that is unreachable is dimmed and marked "last seen" (its locks may be gone). A lock on a
// project shared with this machine is honoured here too (the daemon refuses a conflicting lock or edit).
import { useStore } from 'zustand';
import type { TeamLock } from '../../shared/team.js';
import { useApp } from '../shell/app-context.js';
import { formatDuration } from '../common/format-time.js';
import { useNow } from '../common/use-now.js';
import { describeLockTarget } from './locks-target.js';

export function LocksTeammates() {
  const { stores } = useApp();
  const teammates = useStore(stores.locks, (s) => s.teammates);
  const leftOff = useStore(stores.locks, (s) => s.leftOff);
  const teamError = useStore(stores.locks, (s) => s.teamError);
  if (teammates.length === 0 && leftOff.length === 0 && teamError === null) return null;
  return (
    <section className="coord-panel" data-testid="lock-teammates">
      <header className="coord-panel-head">
        <h2>On teammates’ machines</h2>
        <span className="spacer" />
        <span className="muted">{teammates.length} held</span>
      </header>
      {teamError !== null && <div className="empty">{teamError}</div>}
      {teammates.length > 0 && (
        <table className="services coord-table">
          <thead>
            <tr>
              <th>Machine</th>
              <th>Path / pattern</th>
              <th>Mode</th>
              <th>Holder</th>
              <th className="num">Held for</th>
              <th>
                <span className="sr-only">Note</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {teammates.map((lock) => (
              <TeammateRow key={`${lock.machineId}/${lock.id}`} lock={lock} />
            ))}
          </tbody>
        </table>
      )}
      {leftOff.map((cut) => (
        <div key={cut.machine} className="muted lock-left-off">
          {cut.machine} holds {cut.count} more {cut.count === 1 ? 'lock' : 'locks'} than it lists.
        </div>
      ))}
    </section>
  );
}

function TeammateRow({ lock }: { lock: TeamLock }) {
  const now = useNow();
  const target = describeLockTarget(lock.target);
  return (
    <tr
      className={lock.reachable ? 'lock-row' : 'lock-row lock-row-unreachable'}
      data-testid={`team-lock-${lock.machine}-${lock.id}`}
      data-reachable={String(lock.reachable)}
    >
      <td>
        <span className="lock-machine" title={lock.machineId}>
          {lock.machine}
        </span>
        {!lock.reachable && <span className="muted lock-last-seen"> last seen</span>}
      </td>
      <td className="mono lock-target">{target}</td>
      <td>
        <span className={`lock-mode lock-mode-${lock.mode.toLowerCase()}`}>{lock.mode}</span>
      </td>
      <td>
        <span className="holder" title={lock.holder}>
          {lock.holderName}
        </span>
      </td>
      <td className="num">{formatDuration(now - lock.acquiredAt)}</td>
      <td className="muted">
        {lock.partitioned.length > 0 && `granted while ${lock.partitioned.join(', ')} unreachable`}
      </td>
    </tr>
  );
}
