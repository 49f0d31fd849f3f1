// The Terminals view's agents strip: one card per agent (name, profile, status, an "unattended" badge when it
// runs without permission prompts, worktree branch, the start of its task) with Stop while it runs, Relaunch
// and Remove once it has exited. Clicking a card shows the agent's terminal in the focused pane; Review opens
// the work of an agent with a worktree in the Review view; when its worktree's copy of the app runs, links open
// that copy's services.
import { useStore } from 'zustand';
import type { AgentRecord } from '../../shared/agent.js';
import { useApp } from '../shell/app-context.js';
import { AgentStatusBadge } from './agent-status-badge.js';
import { openReview } from '../review/review-syncs.js';
import { AgentUsageLine } from '../usage/usage-figures.js';
import { AgentCopyLinks } from '../services/agent-copy-links.js';
import { ProcessUsageCell } from '../metrics/process-usage.js';
import { ProcessChartPanel } from '../metrics/process-chart.js';

const TASK_EXCERPT = 60;

/** The task's first line, cut to fit a card. */
function excerpt(task: string): string {
  const line = task.trim().split('\n')[0] ?? '';
  return line.length > TASK_EXCERPT || task.trim().includes('\n') ? `${line.slice(0, TASK_EXCERPT).trimEnd()}…` : line;
}

export function AgentList() {
  const { stores } = useApp();
  const ids = useStore(stores.agents, (s) => s.ids);
  const byId = useStore(stores.agents, (s) => s.byId);
  const error = useStore(stores.agents, (s) => s.error);
  if (error !== null) {
    return (
      <div className="banner banner-warn" role="alert">
        {error}
      </div>
    );
  }
  if (ids.length === 0) return null;
  return (
    <>
      <div className="agent-list" role="list" aria-label="Agents" data-testid="agent-list">
        {ids.map((id) => {
          const record = byId[id];
          return record ? <AgentCard key={id} record={record} /> : null;
        })}
      </div>
      <ProcessChartPanel kind="agent" />
    </>
  );
}

function AgentCard({ record }: { record: AgentRecord }) {
  const { client, stores, agents } = useApp();
  const connected = useStore(stores.connection, (s) => s.status.state === 'open');
  const tabOpen = useStore(stores.terminals, (s) => record.terminalId !== null && s.ids.includes(record.terminalId));
  const shown = useStore(stores.terminals, (s) => record.terminalId !== null && s.panes.includes(record.terminalId));
  const exited = record.status === 'exited';
  const classes = ['agent-card', shown && 'active', record.status === 'waiting' && 'waiting'].filter(Boolean).join(' ');
  return (
    <div className={classes} role="listitem" data-testid={`agent-card-${record.id}`}>
      <button
        type="button"
        className="agent-card-main"
        disabled={!tabOpen}
        title={
          tabOpen
            ? `show ${record.name}'s terminal`
            : `${record.name}'s terminal is closed${exited ? '; relaunch it to start it again' : ''}`
        }
        onClick={() => record.terminalId && stores.terminals.getState().show(record.terminalId)}
      >
        <span className="agent-card-head">
          <span className="agent-card-name">{record.name}</span>
          <span className="agent-card-meta">
            {record.profile}
            {record.role ? ` · ${record.role}` : ''}
          </span>
          <AgentStatusBadge record={record} testId={`agent-status-${record.id}`} />
          {record.unattended && (
            <span
              className="badge badge-agent-unattended"
              data-testid={`agent-unattended-${record.id}`}
              title="runs without permission prompts (its CLI's unattended flag), in its own worktree"
            >
              unattended
            </span>
          )}
        </span>
        <AgentUsageLine agentId={record.id} />
        {(record.worktree || record.task) && (
          <span className="agent-card-detail">
            {record.worktree && (
              <span className="agent-card-branch" title={record.worktree.path}>
                ⎇ {record.worktree.branch}
              </span>
            )}
            {record.task && (
              <span className="agent-card-task" title={record.task}>
                {excerpt(record.task)}
              </span>
            )}
          </span>
        )}
      </button>
      {!exited && <ProcessUsageCell usageKey={`agent:${record.id}`} label={record.name} />}
      <span className="agent-card-actions">
        <AgentCopyLinks agentId={record.id} className="agent-card-links" />
        {record.worktree && (
          <button
            type="button"
            className="btn btn-small"
            aria-label={`review ${record.name}'s changes`}
            title={`review and land ${record.worktree.branch}`}
            data-testid={`agent-review-${record.id}`}
            onClick={() => openReview(client, stores, record.id)}
          >
            Review
          </button>
        )}
        {!exited ? (
          <button
            type="button"
            className="btn btn-small"
            disabled={!connected}
            data-testid={`agent-stop-${record.id}`}
            onClick={() => void agents.stop(record.id)}
          >
            Stop
          </button>
        ) : (
          <>
            <button
              type="button"
              className="btn btn-small"
              disabled={!connected}
              data-testid={`agent-relaunch-${record.id}`}
              onClick={() => void agents.relaunch(record.id)}
            >
              Relaunch
            </button>
            <button
              type="button"
              className="terminal-tab-btn"
              aria-label={`remove ${record.name}`}
              title="Remove (its worktree and branch stay)"
              disabled={!connected}
              data-testid={`agent-remove-${record.id}`}
              onClick={() => void agents.remove(record.id)}
            >
              ×
            </button>
          </>
        )}
      </span>
    </div>
  );
}
