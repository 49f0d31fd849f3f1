// The log of the selected service: newest page first, then live. The lines live in a LogSession outside
// React and arrive here in batches. A search asks the daemon's full-text index (logs.search) and keeps
// following: live lines that match are added, matches are marked, and Enter / Shift+Enter (or F3) jump
// between them. Following sticks to the newest line until the user scrolls up or jumps to a match, and
// comes back when the user scrolls to the bottom or ticks Follow. Only the user's scrolling counts: the
// pane's own moves (following, a jump, the view clamped to a shorter list) fire `scroll` too, and are told
// apart by where they left the view.
import { useEffect, useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { KeyboardEvent } from 'react';
import { useStore } from 'zustand';
import { isEmptyQuery, parseLogQuery, type LogQuery } from '../../shared/log-query.js';
import { LogSession, type LogSearchSpec } from './log-session.js';
import { useApp } from '../shell/app-context.js';
import { LogLineRow } from './log-line-row.js';
import { LogSearchBar } from './log-search-bar.js';
import '../styles/logs.css';

/** how long typing rests before the search is asked */
const SEARCH_DELAY_MS = 250;
const AT_BOTTOM_SLACK_PX = 24;

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

interface Parsed {
  query: LogQuery | null;
  error: string | null;
}

function parse(text: string): Parsed {
  if (text.trim() === '') return { query: null, error: null };
  try {
    const query = parseLogQuery(text);
    return { query: isEmptyQuery(query) ? null : query, error: null };
  } catch (err) {
    return { query: null, error: (err as Error).message };
  }
}

function ServiceLog({ project, name }: { project: string; name: string }) {
  const { client } = useApp();
  const [text, setText] = useState('');
  const [settled, setSettled] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => setSettled(text.trim()), text.trim() === '' ? 0 : SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [text]);
  const typed = useMemo(() => parse(text), [text]);
  // A search with a mistake keeps the last good one on screen while the user fixes it.
  const [active, setActive] = useState<LogSearchSpec | null>(null);
  useEffect(() => {
    const p = parse(settled);
    if (p.error === null) setActive(p.query ? { text: settled, query: p.query } : null);
  }, [settled]);

  const [session, setSession] = useState<LogSession | null>(null);
  useEffect(() => {
    const s = new LogSession(client, project, name, { search: active });
    setSession(s);
    return () => s.dispose();
  }, [client, project, name, active]);
  if (!session) return null;
  return <LogView session={session} search={active} text={text} onText={setText} typed={typed} />;
}

interface LogViewProps {
  session: LogSession;
  search: LogSearchSpec | null;
  text: string;
  onText: (text: string) => void;
  typed: Parsed;
}

function LogView({ session, search, text, onText, typed }: LogViewProps) {
  const snap = useSyncExternalStore(session.subscribe, session.getSnapshot);
  const [follow, setFollow] = useState(true);
  const [currentSeq, setCurrentSeq] = useState<number | null>(null);
  const [jumps, setJumps] = useState(0);
  const scroller = useRef<HTMLDivElement>(null);
  /** scrollHeight before "load older" prepended lines, to keep the view on the same line */
  const anchor = useRef<number | null>(null);
  /** where the pane's own last move left the view: the `scroll` event that reports it is not the user's */
  const ownTop = useRef<number | null>(null);
  const lastHeight = useRef(0);
  const terms = useMemo(() => search?.query.terms.filter((t) => !t.negate) ?? [], [search]);
  const lines = snap.lines;

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    // a shorter list (a new search) clamps the view: reading scrollTop lays out, so it is the clamped one
    const shrank = el.scrollHeight < lastHeight.current;
    if (anchor.current !== null) {
      el.scrollTop += el.scrollHeight - anchor.current;
      anchor.current = null;
      ownTop.current = el.scrollTop;
    } else if (follow) {
      el.scrollTop = el.scrollHeight;
      ownTop.current = el.scrollTop;
    } else if (shrank) {
      ownTop.current = el.scrollTop;
    }
    lastHeight.current = el.scrollHeight;
  }, [lines, follow]);

  const position = currentSeq === null ? 0 : lines.findIndex((l) => l.seq === currentSeq) + 1;

  const jump = (direction: 1 | -1) => {
    if (!search || lines.length === 0) return;
    const at = lines.findIndex((l) => l.seq === currentSeq);
    // the first jump lands on the newest match; then on, around the loaded matches
    const next = at === -1 ? lines.length - 1 : (at + direction + lines.length) % lines.length;
    const seq = lines[next]!.seq;
    setFollow(false);
    setCurrentSeq(seq);
    setJumps((n) => n + 1);
  };

  // after the render that marked it: the current match in the middle of the view
  // The newest match is the last row: centring it scrolls to the bottom, which must not read as the user's.
  useEffect(() => {
    const el = scroller.current;
    if (currentSeq === null || !el) return;
    const row = el.querySelector<HTMLElement>(`[data-seq="${currentSeq}"]`);
    row?.scrollIntoView?.({ block: 'center', behavior: 'instant' });
    ownTop.current = el.scrollTop;
  }, [currentSeq, jumps]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    // One event reports the latest position: if the pane's own move left the view there, nobody else moved it.
    const own = ownTop.current;
    ownTop.current = null;
    if (own !== null && Math.abs(el.scrollTop - own) < 1) return;
    // Scrolling up to read pauses following; scrolling back to the bottom resumes it.
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight <= AT_BOTTOM_SLACK_PX;
    if (atBottom !== follow) setFollow(atBottom);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLElement>) => {
    if (e.key !== 'F3') return;
    e.preventDefault();
    jump(e.shiftKey ? -1 : 1);
  };

  const loadOlder = async () => {
    const before = session.getSnapshot().lines;
    anchor.current = scroller.current?.scrollHeight ?? null;
    await session.loadOlder();
    // Nothing was prepended (an error): a stale anchor would make the next batch jump.
    if (session.getSnapshot().lines === before) anchor.current = null;
  };

  return (
    <section className="log-pane" data-testid="log-pane" aria-label={`Log of ${session.service}`} onKeyDown={onKeyDown}>
      <div className="log-toolbar">
        <h2 className="log-title">
          <span className="muted">Log</span> {session.service}
        </h2>
        <LogSearchBar
          text={text}
          onText={onText}
          query={typed.query}
          error={typed.error}
          position={position}
          matches={search ? lines.length : 0}
          more={snap.hasMore}
          onJump={jump}
        />
        <span className="log-count muted">{`${lines.length}${search ? ' found' : ''}`} lines</span>
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
      <div className="log-lines" ref={scroller} onScroll={onScroll} role="log" aria-live="off" data-testid="log-lines">
        {snap.hasMore && (
          <div className="log-older">
            <button
              type="button"
              className="btn"
              onClick={() => void loadOlder()}
              disabled={snap.loadingOlder || snap.full}
              title={snap.full ? `The log view holds at most ${session.capacity.toLocaleString()} lines` : undefined}
            >
              {snap.loadingOlder
                ? 'Loading…'
                : snap.full
                  ? 'Buffer full'
                  : search
                    ? 'Load older matches'
                    : 'Load older lines'}
            </button>
          </div>
        )}
        {snap.loading && lines.length === 0 && <div className="empty">{search ? 'Searching…' : 'Loading log…'}</div>}
        {snap.error && <div className="log-error">Could not load the log: {snap.error}</div>}
        {!snap.loading && lines.length === 0 && !snap.error && (
          <div className="empty">{search ? 'No line matches the search.' : 'No output yet.'}</div>
        )}
        {lines.map((line) => (
          <LogLineRow key={line.seq} line={line} terms={terms} current={line.seq === currentSeq} />
        ))}
      </div>
    </section>
  );
}
