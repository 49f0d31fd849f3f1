// A database's snapshots, newest first: name, size, when taken, format, where it came from, and whether
// teammates may pull it (the Publish toggle sends databases.publish; publishing is never automatic).
import type { SnapshotInfo } from '../../shared/database.js';
import { formatAgo } from '../common/format-time.js';
import { formatBytes } from '../common/format-traffic.js';
import { useNow } from '../common/use-now.js';

interface Props {
  service: string;
  snapshots: readonly SnapshotInfo[];
  /** the snapshot whose publish call is in flight, and the value asked for (shown until the answer) */
  publishing: { name: string; published: boolean } | null;
  disabled: boolean;
  onPublish(name: string, published: boolean): void;
}

export function SnapshotList({ service, snapshots, publishing, disabled, onPublish }: Props) {
  const now = useNow();
  if (snapshots.length === 0) return <div className="muted db-none">No snapshot of {service} yet.</div>;
  return (
    <table className="db-snapshots" aria-label={`Snapshots of ${service}`}>
      <thead>
        <tr>
          <th>Snapshot</th>
          <th className="num">Size</th>
          <th>Taken</th>
          <th>Format</th>
          <th>From</th>
          <th>Teammates</th>
        </tr>
      </thead>
      <tbody>
        {snapshots.map((s) => {
          const pending = publishing?.name === s.name ? publishing.published : null;
          return (
            <tr key={s.name} data-testid={`snapshot-${service}-${s.name}`}>
              <td className="mono">{s.name}</td>
              <td className="mono num">{formatBytes(s.sizeBytes)}</td>
              <td title={new Date(s.createdAt).toLocaleString()}>{formatAgo(s.createdAt, now)}</td>
              <td className="muted">{s.format}</td>
              <td className="muted">{s.source ?? 'here'}</td>
              <td>
                <label className="db-publish">
                  <input
                    type="checkbox"
                    checked={pending ?? s.published}
                    disabled={disabled || pending !== null}
                    onChange={(e) => onPublish(s.name, e.target.checked)}
                    aria-label={`Publish ${s.name} to teammates`}
                  />
                  {pending === null
                    ? s.published
                      ? 'published'
                      : 'private'
                    : pending
                      ? 'publishing…'
                      : 'unpublishing…'}
                </label>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** One line of a snapshot for a picker: "nightly · 12 MB · 3h ago · published" */
export function snapshotSummary(s: SnapshotInfo, now: number): string {
  const parts = [formatBytes(s.sizeBytes), formatAgo(s.createdAt, now)];
  if (s.published) parts.push('published');
  if (s.source) parts.push(`from ${s.source}`);
  return parts.join(' · ');
}
