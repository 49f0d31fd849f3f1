// The Terminals view's strip: one tab per session (name, running / exited N; for an agent's session, the
// agent's name and status), kill and close on each, and the view's own actions (new shell, new agent, split).
// Clicking a tab shows it in the focused pane.
import { useRef } from 'react';
import { useStore } from 'zustand';
import type { TerminalInfo } from '../../shared/terminal.js';
import { agentForTerminal } from '../agents/agents-store.js';
import { AgentNewDialog } from '../agents/agent-new-dialog.js';
import { AgentStatusBadge } from '../agents/agent-status-badge.js';
import { useApp } from '../shell/app-context.js';

export function TerminalStateBadge({ info }: { info: TerminalInfo }) {
  const exited = info.state === 'exited';
  const label = !exited
    ? 'running'
    : info.exitCode !== null
      ? `exited ${info.exitCode}`
      : `exited ${info.signal ?? ''}`.trim();
  const tone = !exited ? 'running' : info.exitCode === 0 ? 'done' : 'failed';
  return (
    <span
      className={`badge badge-term-${tone}`}
      data-testid={`terminal-state-${info.id}`}
      title={info.exitReason ?? undefined}
    >
      {label}
    </span>
  );
}

export function TerminalTabs() {
  const { stores, terminals } = useApp();
  const ids = useStore(stores.terminals, (s) => s.ids);
  const byId = useStore(stores.terminals, (s) => s.byId);
  const panes = useStore(stores.terminals, (s) => s.panes);
  const split = useStore(stores.terminals, (s) => s.split);
  const agents = useStore(stores.agents, (s) => s.byId);
  const connected = useStore(stores.connection, (s) => s.status.state === 'open');
  // open from its button or from the palette's "Start an agent…"; closed, it gives the focus to the button
  const adding = useStore(stores.agents, (s) => s.startFormOpen);
  const setAdding = (open: boolean) => stores.agents.getState().setStartFormOpen(open);
  const newAgent = useRef<HTMLButtonElement>(null);
  return (
    <div className="terminal-strip">
      <div className="terminal-tabs" role="list" aria-label="Terminals">
        {ids.map((id) => {
          const info = byId[id];
          if (!info) return null;
          const shownIn = panes[0] === id ? 0 : panes[1] === id ? 1 : null;
          const agent = agentForTerminal(agents, id);
          const classes = ['terminal-tab', shownIn !== null && 'active', agent?.status === 'waiting' && 'waiting']
            .filter(Boolean)
            .join(' ');
          return (
            <div
              key={id}
              className={classes}
              role="listitem"
              data-testid={`terminal-tab-${id}`}
              data-agent-id={agent?.id}
            >
              {/* a list of buttons, not ARIA tabs: each tab also holds its kill and close buttons */}
              <button
                type="button"
                aria-current={shownIn !== null ? 'true' : undefined}
                className="terminal-tab-main"
                title={
                  agent
                    ? `${agent.profile} agent${agent.role ? ` (${agent.role})` : ''} in ${agent.cwd}${agent.task ? `: ${agent.task}` : ''}`
                    : `${info.command} ${info.args.join(' ')} in ${info.cwd}`
                }
                onClick={() => stores.terminals.getState().show(id)}
              >
                <span className="terminal-tab-name">{agent?.name ?? info.name}</span>
                {agent ? (
                  <AgentStatusBadge record={agent} testId={`terminal-agent-status-${id}`} />
                ) : (
                  <TerminalStateBadge info={info} />
                )}
              </button>
              {info.state === 'running' && (
                <button
                  type="button"
                  className="terminal-tab-btn"
                  title="Kill (SIGHUP, then SIGKILL)"
                  aria-label={`kill ${info.name}`}
                  data-testid={`terminal-kill-${id}`}
                  disabled={!connected}
                  onClick={() => void terminals.kill(id)}
                >
                  ■
                </button>
              )}
              <button
                type="button"
                className="terminal-tab-btn"
                title={info.state === 'running' ? 'Kill and close' : 'Close'}
                aria-label={`close ${info.name}`}
                data-testid={`terminal-close-${id}`}
                disabled={!connected}
                onClick={() => void terminals.close(id)}
              >
                ×
              </button>
            </div>
          );
        })}
      </div>
      <div className="spacer" />
      <button
        type="button"
        className={split ? 'btn active' : 'btn'}
        aria-pressed={split}
        data-testid="terminal-split"
        onClick={() => stores.terminals.getState().setSplit(!split)}
      >
        Split
      </button>
      <button
        type="button"
        className="btn btn-start"
        data-testid="terminal-new-shell"
        disabled={!connected}
        onClick={() => void terminals.createShell()}
      >
        New shell
      </button>
      <button
        ref={newAgent}
        type="button"
        className="btn btn-start"
        data-testid="terminal-new-agent"
        disabled={!connected}
        onClick={() => setAdding(true)}
      >
        New agent
      </button>
      {adding && (
        <AgentNewDialog
          onClose={() => {
            setAdding(false);
            // opened from the palette, what had the focus before may be a terminal or gone: back to the button
            newAgent.current?.focus({ preventScroll: true });
          }}
        />
      )}
    </div>
  );
}
