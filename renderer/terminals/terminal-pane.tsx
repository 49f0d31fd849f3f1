// One pane of the Terminals view: lends its element to the session's xterm terminal (which lives in the
// registry, outside React), says when the stream is not live, and holds the search box. Only the stream's
// state and the search query are React state here; the terminal's output never is.
import { useEffect, useLayoutEffect, useRef, useState, useSyncExternalStore } from 'react';
import { useStore } from 'zustand';
import type { PageTerminals } from './page-terminals.js';
import { useApp } from '../shell/app-context.js';

interface Props {
  pane: 0 | 1;
  id: string | null;
  page: PageTerminals;
}

export function TerminalPane({ pane, id, page }: Props) {
  const { stores } = useApp();
  const focused = useStore(stores.terminals, (s) => s.focus === pane && s.split);
  const info = useStore(stores.terminals, (s) => (id ? s.byId[id] : undefined));
  const onFocus = () => stores.terminals.getState().setFocus(pane);
  const className = focused ? 'terminal-pane focused' : 'terminal-pane';

  if (id === null || !info) {
    return (
      <section className={className} data-testid={`terminal-pane-${pane}`} onMouseDown={onFocus}>
        <div className="empty">No terminal here: open one with New shell or New agent, or pick a tab.</div>
      </section>
    );
  }
  return <AttachedPane key={id} pane={pane} id={id} page={page} className={className} onFocus={onFocus} />;
}

function AttachedPane({
  pane,
  id,
  page,
  className,
  onFocus,
}: {
  pane: 0 | 1;
  id: string;
  page: PageTerminals;
  className: string;
  onFocus: () => void;
}) {
  const { stores } = useApp();
  const screen = useRef<HTMLDivElement>(null);
  const search = useRef<HTMLInputElement>(null);
  const [query, setQuery] = useState<string | null>(null);
  const [missed, setMissed] = useState(false);
  const { registry } = page;
  const info = useStore(stores.terminals, (s) => s.byId[id]);

  // Layout effect: the terminal exists before the status subscription (a passive effect) asks for it.
  useLayoutEffect(() => {
    const el = screen.current;
    if (!el) return;
    const detach = registry.attach(id, el);
    if (stores.terminals.getState().focus === pane) registry.focus(id);
    return detach;
  }, [registry, id, pane, stores]);

  const status = useSyncExternalStore(
    (cb) => registry.onStatus(id, cb),
    () => registry.status(id),
  );

  useEffect(
    () =>
      page.onFind((target) => {
        if (target !== id) return;
        setQuery((q) => q ?? '');
        requestAnimationFrame(() => search.current?.select());
      }),
    [page, id],
  );

  const find = (direction: 'next' | 'previous', q = query ?? '') =>
    setMissed(q !== '' && !registry.find(id, q, direction));
  const closeSearch = () => {
    setQuery(null);
    setMissed(false);
    registry.clearFind(id);
    registry.focus(id);
  };

  const notice =
    status === null || status.state === 'live' || status.state === 'replaying' || status.state === 'closed'
      ? null
      : status.state === 'exited'
        ? `${info?.exitReason ?? 'the session ended'}`
        : status.state === 'failed'
          ? `cannot attach: ${status.detail ?? 'refused by the daemon'}`
          : status.state === 'reconnecting'
            ? `stream lost, reconnecting… (${status.detail ?? ''})`
            : 'connecting…';

  return (
    <section
      className={className}
      data-testid={`terminal-pane-${pane}`}
      data-terminal-id={id}
      data-stream={status?.state ?? 'none'}
      onMouseDown={onFocus}
    >
      {notice !== null && (
        <div className={`terminal-notice terminal-notice-${status?.state ?? 'none'}`} data-testid="terminal-notice">
          {notice}
        </div>
      )}
      {query !== null && (
        <div className="terminal-search">
          <input
            ref={search}
            className={missed ? 'missed' : undefined}
            value={query}
            placeholder="Find in terminal"
            aria-label="Find in terminal"
            data-testid="terminal-search"
            onChange={(e) => {
              setQuery(e.target.value);
              find('next', e.target.value);
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter') find(e.shiftKey ? 'previous' : 'next');
              else if (e.key === 'Escape') {
                e.preventDefault(); // the search's own Escape: no drawer closes with it
                closeSearch();
              }
            }}
          />
          <button
            type="button"
            className="terminal-tab-btn"
            aria-label="previous match"
            onClick={() => find('previous')}
          >
            ↑
          </button>
          <button type="button" className="terminal-tab-btn" aria-label="next match" onClick={() => find('next')}>
            ↓
          </button>
          <button type="button" className="terminal-tab-btn" aria-label="close search" onClick={closeSearch}>
            ×
          </button>
        </div>
      )}
      <div className="terminal-screen" ref={screen} data-testid="terminal-screen" />
    </section>
  );
}
