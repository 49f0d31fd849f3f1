// The proxy's recent requests for the project on screen: newest first, then live, with filters by
// service, errors only and text. The records live in a RequestSession outside React and arrive here in
// batches; each filter change starts a new session (a fresh page from the daemon with the same filter).
import { useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { useStore } from 'zustand';
import { requestFilterKey, type RequestFilter } from './request-filter.js';
import { RequestSession } from './request-session.js';
import { useApp } from '../shell/app-context.js';
import { RequestRow } from './request-row.js';

const SEARCH_DEBOUNCE_MS = 250;

export function RequestsView() {
  const { stores } = useApp();
  const projectId = useStore(stores.projects, (s) => s.selectedId);
  const loaded = useStore(stores.projects, (s) => s.loaded);
  if (projectId === null) {
    return (
      <section className="requests-view" data-testid="requests-view">
        <div className="empty">
          {loaded ? 'No project is open. Run `devmesh up --project <folder>` to open one.' : 'Loading…'}
        </div>
      </section>
    );
  }
  // A new key per project: filters that named the previous project's services start over.
  return <ProjectRequests key={projectId} projectId={projectId} />;
}

function ProjectRequests({ projectId }: { projectId: string }) {
  const { client, stores } = useApp();
  const names = useStore(stores.services, (s) => s.names);
  const [service, setService] = useState<string>('');
  const [errorsOnly, setErrorsOnly] = useState(false);
  const [search, setSearch] = useState('');
  const [appliedSearch, setAppliedSearch] = useState('');

  useEffect(() => {
    const timer = setTimeout(() => setAppliedSearch(search.trim()), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [search]);

  const filter: RequestFilter = useMemo(
    () => ({ service: service || undefined, errorsOnly, search: appliedSearch }),
    [service, errorsOnly, appliedSearch],
  );
  const key = requestFilterKey(filter);
  const [session, setSession] = useState<RequestSession | null>(null);
  useEffect(() => {
    const s = new RequestSession(client, projectId, filter);
    setSession(s);
    return () => s.dispose();
    // `key` stands for `filter`: a new filter object with the same content is the same session.
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `filter` is represented by `key`, see above
  }, [client, projectId, key]);

  return (
    <section className="requests-view" data-testid="requests-view" aria-label={`Requests to ${projectId}`}>
      <div className="requests-toolbar">
        <h2 className="log-title">
          <span className="muted">Requests</span> {projectId}
        </h2>
        <select
          className="project-picker"
          data-testid="request-filter-service"
          aria-label="Service"
          value={service}
          onChange={(e) => setService(e.target.value)}
        >
          <option value="">All services</option>
          {names.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
        <label className="toggle">
          <input
            type="checkbox"
            checked={errorsOnly}
            onChange={(e) => setErrorsOnly(e.target.checked)}
            data-testid="request-errors-only"
          />
          Errors only
        </label>
        <input
          type="search"
          className="log-search"
          data-testid="request-search"
          placeholder="Filter by host or path…"
          aria-label="Filter by host or path"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          spellCheck={false}
        />
        {session && <RequestCount session={session} />}
      </div>
      {session && <RequestTable session={session} />}
    </section>
  );
}

function RequestCount({ session }: { session: RequestSession }) {
  const snap = useSyncExternalStore(session.subscribe, session.getSnapshot);
  const n = snap.records.length;
  return (
    <span className="log-count muted" data-testid="request-count">
      {n.toLocaleString('en-US')} {n === 1 ? 'request' : 'requests'}
    </span>
  );
}

function RequestTable({ session }: { session: RequestSession }) {
  const snap = useSyncExternalStore(session.subscribe, session.getSnapshot);
  // Newest first: the buffer holds oldest first so merges stay appends.
  const newestFirst = useMemo(() => [...snap.records].reverse(), [snap.records]);
  return (
    <div className="requests-scroll">
      {snap.error && <div className="log-error">Could not load the requests: {snap.error}</div>}
      <table className="services requests">
        <thead>
          <tr>
            <th>Time</th>
            <th>Method</th>
            <th>Host</th>
            <th>Path</th>
            <th>Status</th>
            <th className="num">Bytes</th>
            <th className="num">Duration</th>
            <th>Upstream / error</th>
          </tr>
        </thead>
        <tbody>
          {newestFirst.map((r) => (
            <RequestRow key={r.seq} record={r} />
          ))}
        </tbody>
      </table>
      {snap.loading && snap.records.length === 0 && <div className="empty">Loading requests…</div>}
      {!snap.loading && !snap.error && snap.records.length === 0 && (
        <div className="empty">No request matches yet. Requests to the services' URLs appear here as they happen.</div>
      )}
      {snap.hasMore && (
        <div className="log-older">
          <button
            type="button"
            className="btn"
            data-testid="request-load-older"
            onClick={() => void session.loadOlder()}
            disabled={snap.loadingOlder || snap.full}
            title={
              snap.full ? `The view holds at most ${session.capacity.toLocaleString('en-US')} requests` : undefined
            }
          >
            {snap.loadingOlder ? 'Loading…' : snap.full ? 'Buffer full' : 'Load older requests'}
          </button>
        </div>
      )}
    </div>
  );
}
