// One database DevMesh runs for the project: engine and its version here, state, size, the stable address
// and URL the owner is given (each with Copy), why it cannot run (the engine missing, with the package that
// fixes it), and the operator's actions: Snapshot (an optional name), Restore… (pick a snapshot, confirm),
// Reset… (confirm), and its snapshots with a Publish toggle each. Each answer patches the store at once; the
// database.changed event that follows lists everything again.
import { useState, type FormEvent } from 'react';
import { useStore } from 'zustand';
import { SNAPSHOT_NAME_PATTERN, type DatabaseInfo, type SnapshotInfo } from '../../shared/database.js';
import { CopyButton } from '../common/copy-button.js';
import { formatBytes } from '../common/format-traffic.js';
import { useApp } from '../shell/app-context.js';
import { failureText, runCall, type CallOutcome } from './database-call.js';
import { DatabaseDialog } from './database-dialog.js';
import { DatabaseRestoreDialog } from './database-restore-dialog.js';
import { EngineMissingNote } from './engine-missing.js';
import { SnapshotList } from './snapshot-list.js';
import { StateBadge } from './state-badge.js';

const NO_SNAPSHOTS: readonly SnapshotInfo[] = [];
type Busy = 'snapshot' | 'restore' | 'reset' | `publish:${string}` | null;
interface Notice {
  kind: 'ok' | 'error';
  text: string;
}

export function DatabaseCard({ db }: { db: DatabaseInfo }) {
  const { client, stores } = useApp();
  const connected = useStore(stores.connection, (s) => s.status.state === 'open');
  const snapshots = useStore(stores.databases, (s) => s.snapshots[db.service] ?? NO_SNAPSHOTS);
  const [busy, setBusy] = useState<Busy>(null);
  const [open, setOpen] = useState<'restore' | 'reset' | null>(null);
  const [dialogError, setDialogError] = useState<string | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [name, setName] = useState('');
  const [unfolded, setUnfolded] = useState(false);
  // the value a Publish toggle was switched to, shown until the daemon answers (a controlled box would snap back)
  const [publishing, setPublishing] = useState<{ name: string; published: boolean } | null>(null);
  const ref = { project: db.project, service: db.service };
  const nameOk = name === '' || SNAPSHOT_NAME_PATTERN.test(name);

  async function run<T>(what: Exclude<Busy, null>, call: () => Promise<T>): Promise<CallOutcome<T>> {
    setBusy(what);
    setNotice(null);
    const outcome = await runCall(call);
    setBusy(null);
    return outcome;
  }

  const snapshot = async (e: FormEvent) => {
    e.preventDefault();
    if (busy !== null || !nameOk) return;
    const out = await run('snapshot', () =>
      client.call('databases.snapshot', { ...ref, ...(name === '' ? {} : { name }) }),
    );
    if (!out.ok) return setNotice({ kind: 'error', text: `Snapshot of ${db.service} failed: ${failureText(out)}` });
    stores.databases.getState().upsertSnapshot(out.value);
    setName('');
    setNotice({ kind: 'ok', text: `Took snapshot ${out.value.name} (${formatBytes(out.value.sizeBytes)}).` });
  };

  const restore = async (snapshotName: string) => {
    const out = await run('restore', () => client.call('databases.restore', { ...ref, name: snapshotName }));
    if (!out.ok) return setDialogError(failureText(out));
    stores.databases.getState().upsertDatabase(out.value);
    closeDialog();
    setNotice({ kind: 'ok', text: `Restored ${db.service} from ${snapshotName}.` });
  };

  const reset = async () => {
    const out = await run('reset', () => client.call('databases.reset', ref));
    if (!out.ok) return setDialogError(failureText(out));
    stores.databases.getState().upsertDatabase(out.value);
    closeDialog();
    setNotice({ kind: 'ok', text: `Reset ${db.service}: emptied and seeded again.` });
  };

  const publish = async (snapshotName: string, published: boolean) => {
    setPublishing({ name: snapshotName, published });
    const out = await run(`publish:${snapshotName}`, () =>
      client.call('databases.publish', { ...ref, name: snapshotName, published }),
    );
    setPublishing(null);
    if (!out.ok) {
      const verb = published ? 'Publishing' : 'Unpublishing';
      return setNotice({ kind: 'error', text: `${verb} ${snapshotName} failed: ${failureText(out)}` });
    }
    stores.databases.getState().upsertSnapshot(out.value);
  };

  const openDialog = (which: 'restore' | 'reset') => {
    setDialogError(null);
    setOpen(which);
  };
  const closeDialog = () => {
    setOpen(null);
    setDialogError(null);
  };

  const off = !connected || busy !== null;
  return (
    <section className="db-card" aria-label={`Database ${db.service}`} data-testid={`db-${db.service}`}>
      <div className="db-head">
        <span className="db-name">{db.service}</span>
        {db.owner && <span className="muted">database of {db.owner}</span>}
        <StateBadge name={`db-${db.service}`} state={db.state} />
        <span className="tag db-engine" data-testid={`db-engine-${db.service}`}>
          {db.engine} {db.engineVersion ?? (db.engineMissing ? 'not installed' : 'not found')}
        </span>
        {db.range && <span className="muted">needs {db.range}</span>}
        <span className="mono db-size" title="bytes on disk" data-testid={`db-size-${db.service}`}>
          {db.sizeBytes === null ? '—' : formatBytes(db.sizeBytes)}
        </span>
      </div>
      {db.engineMissing && <EngineMissingNote service={db.service} missing={db.engineMissing} />}
      {db.problem && !db.engineMissing && (
        <div className="db-problem" role="alert" data-testid={`db-problem-${db.service}`}>
          {db.problem}
        </div>
      )}
      <dl className="db-facts">
        <Fact label="Address" value={db.address} copyLabel={`Copy the address of ${db.service}`} />
        <Fact label="URL" value={db.url} copyLabel={`Copy the URL of ${db.service}`} />
        <dt>Data</dt>
        <dd className="mono muted" title={db.dataPath}>
          {db.engine === 'sqlite' ? db.dataPath : `${db.name} in ${db.dataPath}`}
        </dd>
      </dl>
      <div className="db-actions" role="group" aria-label={`Actions on ${db.service}`}>
        <form className="db-snapshot-form" onSubmit={(e) => void snapshot(e)}>
          <input
            className="db-snapshot-name mono"
            value={name}
            placeholder="snapshot name (optional)"
            aria-label={`Name of the new snapshot of ${db.service} (optional)`}
            aria-invalid={!nameOk}
            title="letters, digits, '.', '_' and '-', at most 64; empty: the service and the time"
            onChange={(e) => setName(e.target.value)}
          />
          <button type="submit" className="btn" disabled={off || !nameOk}>
            {busy === 'snapshot' ? 'Taking…' : 'Snapshot'}
          </button>
        </form>
        <button type="button" className="btn" disabled={off} onClick={() => openDialog('restore')}>
          Restore…
        </button>
        <button type="button" className="btn btn-stop" disabled={off} onClick={() => openDialog('reset')}>
          Reset…
        </button>
      </div>
      {!nameOk && (
        <div className="db-error">A snapshot name: letters, digits, “.”, “_” and “-”, at most 64, no leading dot.</div>
      )}
      {notice && (
        <div
          className={notice.kind === 'error' ? 'db-error' : 'db-ok'}
          role={notice.kind === 'error' ? 'alert' : 'status'}
          data-testid={`db-notice-${db.service}`}
        >
          {notice.text}
        </div>
      )}
      {/* the list (and its ticking "3m ago") only while unfolded */}
      <details className="db-snapshot-fold" onToggle={(e) => setUnfolded(e.currentTarget.open)}>
        <summary>
          {snapshots.length === 1 ? '1 snapshot' : `${snapshots.length} snapshots`}
          {snapshots.some((s) => s.published) ? ` (${snapshots.filter((s) => s.published).length} published)` : ''}
        </summary>
        {unfolded && (
          <SnapshotList
            service={db.service}
            snapshots={snapshots}
            publishing={publishing}
            disabled={!connected}
            onPublish={(n, p) => void publish(n, p)}
          />
        )}
      </details>
      {open === 'restore' && (
        <DatabaseRestoreDialog
          db={db}
          snapshots={snapshots}
          busy={busy === 'restore'}
          error={dialogError}
          onRestore={(n) => void restore(n)}
          onClose={closeDialog}
        />
      )}
      {open === 'reset' && (
        <DatabaseDialog
          title={`Reset ${db.service}`}
          confirm="Reset"
          danger
          busy={busy === 'reset'}
          error={dialogError}
          onConfirm={() => void reset()}
          onClose={closeDialog}
          testId={`db-reset-${db.service}`}
        >
          <p className="db-warning">
            Empties {db.service} ({db.engine} database {db.name}) and seeds it again: its current data is lost. Take a
            snapshot first to keep it.
          </p>
        </DatabaseDialog>
      )}
    </section>
  );
}

function Fact({ label, value, copyLabel }: { label: string; value: string | null; copyLabel: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>
        {value === null ? (
          <span className="muted">—</span>
        ) : (
          <>
            <span className="mono db-copyable">{value}</span> <CopyButton text={value} label={copyLabel} />
          </>
        )}
      </dd>
    </>
  );
}
