// The embedded terminals: the agents strip, a strip of sessions (shells and agents) and one or two panes
// side by side, each showing a session's xterm terminal. Loaded as its own chunk (xterm and its addons are large),
// fetched the first time the view is shown.
import { useStore } from 'zustand';
import { pageTerminals } from './page-terminals.js';
import { AgentList } from '../agents/agent-list.js';
import { useApp } from '../shell/app-context.js';
import { TerminalPane } from './terminal-pane.js';
import { TerminalTabs } from './terminal-tabs.js';
import '@xterm/xterm/css/xterm.css';
import '../styles/dialog.css';
import '../styles/terminals.css';

export function TerminalsView() {
  const { stores } = useApp();
  const panes = useStore(stores.terminals, (s) => s.panes);
  const split = useStore(stores.terminals, (s) => s.split);
  const error = useStore(stores.terminals, (s) => s.error);
  const page = pageTerminals(stores.terminals);
  return (
    <div className="terminals-view" data-testid="terminals-view">
      {error !== null && (
        <div className="banner banner-warn" role="alert">
          {error}
        </div>
      )}
      <AgentList />
      <TerminalTabs />
      <div className={split ? 'terminal-panes split' : 'terminal-panes'}>
        <TerminalPane pane={0} id={panes[0]} page={page} />
        {split && <TerminalPane pane={1} id={panes[1]} page={page} />}
      </div>
    </div>
  );
}
