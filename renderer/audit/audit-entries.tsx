// The chain's entries newest first (seq, time, actor, kind, subject), more on request, and the chosen entry
// in full: its data and the hashes that link it to the one before.
import type { AuditEntry } from '../../shared/audit.js';
import type { AuditPages } from './use-audit-pages.js';

const time = (ts: number): string => new Date(ts).toLocaleString('en-GB', { hour12: false });

interface ListProps {
  pages: AuditPages & { loadOlder(): void };
  selected: number | null;
  onSelect(seq: number): void;
}

export function AuditEntryList({ pages, selected, onSelect }: ListProps) {
  return (
    <div className="audit-list">
      {pages.error !== null && (
        <div className="log-error" role="alert">
          {pages.error}
        </div>
      )}
      <table className="services audit-table" aria-label="Audit entries, newest first" data-testid="audit-entries">
        <thead>
          <tr>
            <th className="num">#</th>
            <th>Time</th>
            <th>Actor</th>
            <th>Kind</th>
            <th>Subject</th>
          </tr>
        </thead>
        <tbody>
          {pages.entries.map((e) => (
            <tr
              key={e.seq}
              className={e.seq === selected ? 'audit-row selected' : 'audit-row'}
              aria-selected={e.seq === selected}
              data-testid={`audit-entry-${e.seq}`}
              onClick={() => onSelect(e.seq)}
            >
              <td className="mono num">
                {/* a button so the keyboard can open the entry too; the click bubbles to the row */}
                <button type="button" className="link" aria-label={`Entry ${e.seq}: ${e.kind} by ${e.actor}`}>
                  {e.seq}
                </button>
              </td>
              <td className="mono">{time(e.ts)}</td>
              <td>{e.actor}</td>
              <td className="mono">{e.kind}</td>
              <td className="audit-subject" title={e.subject}>
                {e.subject}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {pages.loading && pages.entries.length === 0 && <div className="empty">Reading the chain…</div>}
      {!pages.loading && pages.error === null && pages.entries.length === 0 && (
        <div className="empty">No entry matches. Decisions DevMesh takes (locks, tasks, agents) appear here.</div>
      )}
      {pages.nextBefore !== null && (
        <div className="log-older">
          <button
            type="button"
            className="btn"
            data-testid="audit-load-older"
            disabled={pages.loadingOlder}
            onClick={pages.loadOlder}
          >
            {pages.loadingOlder ? 'Loading…' : 'Load older entries'}
          </button>
        </div>
      )}
    </div>
  );
}

export function AuditEntryDetail({ entry }: { entry: AuditEntry | undefined }) {
  if (!entry) return <div className="empty">Choose an entry to see its data and hashes.</div>;
  return (
    <section className="audit-detail" aria-label={`Entry ${entry.seq}`} data-testid="audit-detail">
      <h2>
        #{entry.seq} <span className="mono">{entry.kind}</span>
      </h2>
      <dl>
        <dt>When</dt>
        <dd>{time(entry.ts)}</dd>
        <dt>Actor</dt>
        <dd>{entry.actor}</dd>
        <dt>Subject</dt>
        <dd className="mono">{entry.subject || '—'}</dd>
        <dt>Hash</dt>
        <dd className="mono audit-hash">{entry.hash}</dd>
        <dt>Previous</dt>
        <dd className="mono audit-hash">{entry.prevHash}</dd>
      </dl>
      <pre className="audit-data" tabIndex={0} aria-label="Data">
        {JSON.stringify(entry.data, null, 2) ?? 'null'}
      </pre>
    </section>
  );
}
