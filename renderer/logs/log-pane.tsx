// The log of the selected service: newest page first, then live. The lines live in a LogSession outside
// React and arrive here in batches; search filters what is shown, "load older" pages back in time.
import { useDeferredValue, useEffect, useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { useStore } from 'zustand';
import { LogSession } from './log-session.js';
import { useApp } from '../shell/app-context.js';
import { LogLineRow } from './log-line-row.js';

export function LogPane() {
  const { stores } = useApp();
  const project = useStore(stores.services, (s) => s.projectId);
  const name = useStore(stores.services, (s) => s.selectedName);
  if (project === null || name === null) {
    return (
      <section className="log-pane" data-testid="log-pane">
        <div className="empty">Select a service to see its log.</div>
      </section>
    );
  }
  // A new key per service: a fresh session, scroll position and search for each.
  return <ServiceLog key={`${project}\u0000${name}`} project={project} name={name} />;
}

function ServiceLog({ project, name }: { project: string; name: string }) {
  const { client } = useApp();
  const [session, setSession] = useState<LogSession | null>(null);
  useEffect(() => {
    const s = new LogSession(client, project, name);
    setSession(s);
    return () => s.dispose();
  }, [client, project, name]);
  return session ? <LogView session={session} /> : null;
}

const AT_BOTTOM_SLACK_PX = 24;

function LogView({ session }: { session: LogSession }) {
  const snap = useSyncExternalStore(session.subscribe, session.getSnapshot);
  const [search, setSearch] = useState('');
  const [follow, setFollow] = useState(true);
  const query = useDeferredValue(search.trim().toLowerCase());
  const scroller = useRef<HTMLDivElement>(null);
  /** scrollHeight before "load older" prepended lines, to keep the view on the same line */
  const anchor = useRef<number | null>(null);

  const shown = useMemo(
    () => (query ? snap.lines.filter((l) => l.text.toLowerCase().includes(query)) : snap.lines),
    [snap.lines, query],
  );

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    if (anchor.current !== null) {
      el.scrollTop += el.scrollHeight - anchor.current;
      anchor.current = null;
    } else if (follow) {
      el.scrollTop = el.scrollHeight;
    }
  }, [shown, follow]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    // Scrolling up to read pauses following; scrolling back to the bottom resumes it.
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight <= AT_BOTTOM_SLACK_PX;
    if (atBottom !== follow) setFollow(atBottom);
  };

  const loadOlder = async () => {
    const before = session.getSnapshot().lines;
    anchor.current = scroller.current?.scrollHeight ?? null;
    await session.loadOlder();
    // Nothing was prepended (an error): a stale anchor would make the next batch jump.
    if (session.getSnapshot().lines === before) anchor.current = null;
  };

  return (
    <section className="log-pane" data-testid="log-pane" aria-label={`Log of ${session.service}`}>
      <div className="log-toolbar">
        <h2 className="log-title">
          <span className="muted">Log</span> {session.service}
        </h2>
        <input
          type="search"
          className="log-search"
          data-testid="log-search"
          placeholder="Filter lines…"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          spellCheck={false}
        />
        <span className="log-count muted">
          {query ? `${shown.length} of ${snap.lines.length}` : `${snap.lines.length}`} lines
        </span>
        <label className="toggle">
          <input
            type="checkbox"
            checked={follow}
            onChange={(e) => setFollow(e.target.checked)}
            data-testid="log-follow"
          />
          Follow
        </label>
      </div>
      <div className="log-lines" ref={scroller} onScroll={onScroll} role="log" aria-live="off">
        {snap.hasMore && (
          <div className="log-older">
            <button
              type="button"
              className="btn"
              onClick={() => void loadOlder()}
              disabled={snap.loadingOlder || snap.full}
              title={snap.full ? `The log view holds at most ${session.capacity.toLocaleString()} lines` : undefined}
            >
              {snap.loadingOlder ? 'Loading…' : snap.full ? 'Buffer full' : 'Load older lines'}
            </button>
          </div>
        )}
        {snap.loading && snap.lines.length === 0 && <div className="empty">Loading log…</div>}
        {snap.error && <div className="log-error">Could not load the log: {snap.error}</div>}
        {!snap.loading && shown.length === 0 && !snap.error && (
          <div className="empty">{query ? 'No line matches the filter.' : 'No output yet.'}</div>
        )}
        {shown.map((line) => (
          <LogLineRow key={line.seq} line={line} />
        ))}
      </div>
    </section>
  );
}
