// The snapshots teammates published for the project (databases.peerSnapshots): who, which database, name,
// size, when, the engine version, and Pull… (fetched over the authenticated link, checked against its sha256,
// and restored into the local database unless the user unticks it: the dialog says the data is replaced).
import { useState } from 'react';
import { useStore } from 'zustand';
import type { PeerSnapshot } from '../../shared/database.js';
import { formatAgo } from '../common/format-time.js';
import { formatBytes } from '../common/format-traffic.js';
import { useNow } from '../common/use-now.js';
import { useApp } from '../shell/app-context.js';
import { failureText, runCall } from './database-call.js';
import { DatabaseDialog } from './database-dialog.js';

const keyOf = (p: PeerSnapshot) => `${p.peer}/${p.service}/${p.name}`;

export function PeerSnapshots({ projectId }: { projectId: string }) {
  const { client, stores } = useApp();
  const connected = useStore(stores.connection, (s) => s.status.state === 'open');
  const list = useStore(stores.databases, (s) => s.peerSnapshots);
  const now = useNow();
  const [pulling, setPulling] = useState<PeerSnapshot | null>(null);
  const [refreshing, setRefreshing] = useState(false);
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);

  const refresh = async () => {
    setRefreshing(true);
    const out = await runCall(() => client.call('databases.peerSnapshots', { project: projectId }));
    setRefreshing(false);
    if (!out.ok) return setNotice({ kind: 'error', text: `Could not list teammates' snapshots: ${failureText(out)}` });
    stores.databases.getState().replacePeerSnapshots(projectId, out.value);
    setNotice(null);
  };

  return (
    <section className="db-peers" aria-label="Teammates' snapshots" data-testid="db-peer-snapshots">
      <div className="db-head">
        <span className="db-name">Teammates&apos; snapshots</span>
        <span className="muted">published for {projectId}</span>
        <button
          type="button"
          className="btn btn-small"
          aria-label="Refresh teammates' snapshots"
          disabled={!connected || refreshing}
          onClick={() => void refresh()}
        >
          ↻
        </button>
      </div>
      {notice && (
        <div
          className={notice.kind === 'error' ? 'db-error' : 'db-ok'}
          role={notice.kind === 'error' ? 'alert' : 'status'}
        >
          {notice.text}
        </div>
      )}
      {list.length === 0 ? (
        <div className="muted db-none">No teammate has published a snapshot of this project.</div>
      ) : (
        <table className="db-snapshots" aria-label="Snapshots teammates published">
          <thead>
            <tr>
              <th>Teammate</th>
              <th>Database</th>
              <th>Snapshot</th>
              <th className="num">Size</th>
              <th>Taken</th>
              <th>Engine</th>
              <th>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((p) => (
              <tr key={keyOf(p)} data-testid={`peer-snapshot-${keyOf(p)}`}>
                <td>{p.peer}</td>
                <td>{p.service}</td>
                <td className="mono">{p.name}</td>
                <td className="mono num">{formatBytes(p.sizeBytes)}</td>
                <td title={new Date(p.createdAt).toLocaleString()}>{formatAgo(p.createdAt, now)}</td>
                <td className="muted">
                  {p.engine} {p.engineVersion ?? ''}
                </td>
                <td>
                  <button
                    type="button"
                    className="btn btn-small"
                    disabled={!connected}
                    aria-label={`Pull ${p.name} of ${p.service} from ${p.peer}`}
                    onClick={() => setPulling(p)}
                  >
                    Pull…
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {pulling && (
        <PullDialog
          snapshot={pulling}
          projectId={projectId}
          onClose={() => setPulling(null)}
          onPulled={(text) => {
            setPulling(null);
            setNotice({ kind: 'ok', text });
          }}
        />
      )}
    </section>
  );
}

function PullDialog(props: {
  snapshot: PeerSnapshot;
  projectId: string;
  onClose(): void;
  onPulled(text: string): void;
}) {
  const { snapshot: p, projectId, onClose, onPulled } = props;
  const { client, stores } = useApp();
  const [restore, setRestore] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const pull = async () => {
    setBusy(true);
    const out = await runCall(() =>
      client.call('databases.pull', { project: projectId, peer: p.peer, service: p.service, name: p.name, restore }),
    );
    setBusy(false);
    if (!out.ok) return setError(failureText(out));
    stores.databases.getState().upsertSnapshot(out.value.snapshot);
    if (out.value.restored) stores.databases.getState().upsertDatabase(out.value.restored);
    onPulled(
      out.value.restored
        ? `Pulled ${p.name} from ${p.peer} and restored ${p.service} from it.`
        : `Pulled ${p.name} from ${p.peer}: it is among ${p.service}'s snapshots.`,
    );
  };
  return (
    <DatabaseDialog
      title={`Pull ${p.name} from ${p.peer}`}
      confirm={restore ? 'Pull and restore' : 'Pull'}
      danger={restore}
      busy={busy}
      error={error}
      onConfirm={() => void pull()}
      onClose={onClose}
      testId="db-pull"
    >
      <p>
        Fetches {p.peer}&apos;s snapshot {p.name} of {p.service} ({formatBytes(p.sizeBytes)}, {p.format}) over the
        authenticated link and checks it against its sha256.
      </p>
      <label className="db-check">
        <input type="checkbox" checked={restore} disabled={busy} onChange={(e) => setRestore(e.target.checked)} />
        Restore it into {p.service} now
      </label>
      {restore && <p className="db-warning">The current data of {p.service} is replaced by the snapshot&apos;s.</p>}
    </DatabaseDialog>
  );
}
