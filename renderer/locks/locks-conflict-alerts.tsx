// Conflicting locks found when a partition healed (team.lock-conflict): both holders, both machines, what each
// holds and what to do. Neither lock was taken away, so the alert stays until the human dismisses it.
import { useStore } from 'zustand';
import type { TeamLockConflictEvent } from '../../shared/team.js';
import { useApp } from '../shell/app-context.js';
import { conflictKey } from './locks-store.js';

export function LocksConflictAlerts() {
  const { stores } = useApp();
  const conflicts = useStore(stores.locks, (s) => s.conflicts);
  if (conflicts.length === 0) return null;
  return (
    <div className="lock-conflicts" data-testid="lock-conflicts">
      {conflicts.map((c) => (
        <ConflictAlert key={conflictKey(c)} conflict={c} onDismiss={() => stores.locks.getState().dismissConflict(c)} />
      ))}
    </div>
  );
}

function ConflictAlert({ conflict, onDismiss }: { conflict: TeamLockConflictEvent; onDismiss: () => void }) {
  const { mine, theirs } = conflict;
  const side = (s: TeamLockConflictEvent['mine']) => `${s.holderName} on ${s.machine}`;
  return (
    <div className="banner banner-error lock-conflict" role="alert" aria-label="Lock conflict">
      <strong>Conflicting locks across the mesh.</strong>
      <span>
        {side(mine)} holds {mine.what}; {side(theirs)} holds {theirs.what}. Both were granted while the two machines
        could not reach each other, and neither was taken away.
      </span>
      <span className="lock-conflict-todo">
        Agree who lets go: message {theirs.holderName}@{theirs.machine} (or {mine.holderName}), then release one of the
        two locks (Release on your own, or <code>devmesh locks release &lt;id&gt; --as {mine.holder}</code>).
      </span>
      <button type="button" className="btn" onClick={onDismiss} aria-label="Dismiss lock conflict">
        Dismiss
      </button>
    </div>
  );
}
