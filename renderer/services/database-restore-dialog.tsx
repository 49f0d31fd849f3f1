// Restore…: pick one of the database's snapshots (size, time, published mark) and confirm that its current
// data is replaced. Nothing is sent until the user confirms a chosen snapshot; a refusal (a corrupt snapshot,
// a missing engine) shows inside the dialog in the daemon's words.
import { useId, useState } from 'react';
import type { DatabaseInfo, SnapshotInfo } from '../../shared/database.js';
import { useNow } from '../common/use-now.js';
import { DatabaseDialog } from './database-dialog.js';
import { snapshotSummary } from './snapshot-list.js';

interface Props {
  db: DatabaseInfo;
  snapshots: readonly SnapshotInfo[];
  busy: boolean;
  error: string | null;
  onRestore(name: string): void;
  onClose(): void;
}

export function DatabaseRestoreDialog({ db, snapshots, busy, error, onRestore, onClose }: Props) {
  const [chosen, setChosen] = useState<string | null>(null);
  const now = useNow();
  const group = useId();
  return (
    <DatabaseDialog
      title={`Restore ${db.service}`}
      confirm={chosen ? `Restore ${chosen}` : 'Restore'}
      danger
      busy={busy}
      canConfirm={chosen !== null}
      error={error}
      onConfirm={() => chosen && onRestore(chosen)}
      onClose={onClose}
      testId={`db-restore-${db.service}`}
    >
      {snapshots.length === 0 ? (
        <p className="muted">{db.service} has no snapshot yet: take one with Snapshot first.</p>
      ) : (
        <fieldset className="db-pick">
          <legend>Snapshot</legend>
          {snapshots.map((s) => (
            <label key={s.name} className="db-pick-option">
              <input
                type="radio"
                name={group}
                value={s.name}
                checked={chosen === s.name}
                onChange={() => setChosen(s.name)}
                disabled={busy}
              />
              <span className="mono">{s.name}</span>
              <span className="muted"> · {snapshotSummary(s, now)}</span>
            </label>
          ))}
        </fieldset>
      )}
      <p className="db-warning" data-testid={`db-restore-${db.service}-warning`}>
        The current data of {db.service} ({db.engine} database {db.name}) is replaced by the snapshot&apos;s. It cannot
        be undone: take a snapshot first to keep it.
      </p>
    </DatabaseDialog>
  );
}
