// The Locks view: every lock space with who holds what and who waits behind whom, live (re-listed shortly
// after each lock.changed event), the locks teammates' machines hold, an alert for each conflict found when a
// partition healed and for each locked file written past its lock, and the box where the human takes a lock.
import { useStore } from 'zustand';
import { useApp } from '../shell/app-context.js';
import { useCoordination } from '../command-center/command-center-syncs.js';
import { LocksSpace } from './locks-space.js';
import { LocksTakeForm } from './locks-take-form.js';
import { LocksConflictAlerts } from './locks-conflict-alerts.js';
import { LocksBypassAlerts } from './locks-bypass-alerts.js';
import { LocksTeammates } from './locks-teammates.js';
import '../styles/coordination.css';

export function LocksView() {
  const { stores } = useApp();
  useCoordination();
  const spaces = useStore(stores.locks, (s) => s.spaces);
  const loaded = useStore(stores.locks, (s) => s.loaded);
  const error = useStore(stores.locks, (s) => s.error);
  return (
    <div className="coord-view locks-view" data-testid="locks-view">
      {error !== null && (
        <div className="banner banner-warn" role="alert">
          {error}
        </div>
      )}
      <LocksConflictAlerts />
      <LocksBypassAlerts />
      <LocksTakeForm />
      <div className="coord-scroll">
        {!loaded && error === null && <div className="empty">Listing the locks…</div>}
        {loaded && spaces.length === 0 && <div className="empty">No lock space yet: locks live per open project.</div>}
        {spaces.map((space) => (
          <LocksSpace key={space.root} space={space} />
        ))}
        <LocksTeammates />
      </div>
    </div>
  );
}
