// The page's one TerminalRegistry, created the first time the Terminals view is shown (it lives in that
// view's lazily loaded chunk, with xterm) and kept for the life of the page, so terminals survive switching
// views. Every page has a stream now (the daemon's WebSocket, or a MessagePort in the Electron app); the
// null return is kept for the views that still handle it.
import { terminalEndpoint } from '../api/terminal-endpoint.js';
import type { TerminalsStore } from './terminals-store.js';
import { TerminalRegistry } from './terminal-registry.js';

export interface PageTerminals {
  registry: TerminalRegistry;
  /** Ctrl-Shift-F / Cmd-F inside terminal `id`: its pane opens the search box */
  onFind(listener: (id: string) => void): () => void;
}

let page: PageTerminals | undefined;

export function pageTerminals(store: TerminalsStore): PageTerminals {
  if (page !== undefined) return page;
  const endpoint = terminalEndpoint();
  const findListeners = new Set<(id: string) => void>();
  const registry = new TerminalRegistry(endpoint, {
    onInfo: (info) => store.getState().upsert(info),
    onFind: (id) => findListeners.forEach((l) => l(id)),
  });
  // A removed session's terminal (screen, scrollback, socket) goes with it.
  store.subscribe((s, prev) => {
    if (s.ids !== prev.ids) registry.retain(s.ids);
  });
  // Read-only hook for the e2e test and for debugging from the console: the text on each screen.
  (globalThis as Record<string, unknown>)['__devmeshTerminals'] = {
    ids: () => registry.ids(),
    text: (id: string) => registry.text(id),
  };
  page = {
    registry,
    onFind: (listener) => {
      findListeners.add(listener);
      return () => void findListeners.delete(listener);
    },
  };
  return page;
}
