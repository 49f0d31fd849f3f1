// The Review view: pick an agent (each with its own worktree and branch), see what it changed against its base
// branch (file by file, committed or not), read each file's diff unified or side by side, and land the work:
// commit, merge, keep or discard. Live: a review.changed event for the shown agent fetches it again.
import { useEffect, useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { AgentRecord } from '../../shared/agent.js';
import type { ReviewSummary } from '../../shared/review.js';
import { useApp } from '../shell/app-context.js';
import { ReviewActions, type ReviewNotice } from './review-actions.js';
import { ReviewDiff } from './review-diff.js';
import { ReviewFileList } from './review-file-list.js';
import type { DiffLayout } from './review-store.js';
import { useReview } from './review-syncs.js';
import '../styles/dialog.css';
import '../styles/review.css';

/** the agents that have a worktree of their own, in the strip's order */
function useReviewableAgents(): AgentRecord[] {
  const { stores } = useApp();
  const ids = useStore(stores.agents, (s) => s.ids);
  const byId = useStore(stores.agents, (s) => s.byId);
  return ids.map((id) => byId[id]).filter((r): r is AgentRecord => r?.worktree != null);
}

export function ReviewView() {
  const { stores } = useApp();
  const review = useReview();
  const agents = useReviewableAgents();
  const agentId = useStore(stores.review, (s) => s.agentId);
  const summary = useStore(stores.review, (s) => s.summary);
  const loading = useStore(stores.review, (s) => s.loading);
  const error = useStore(stores.review, (s) => s.error);
  const [notice, setNotice] = useState<ReviewNotice | null>(null);

  useEffect(() => review.attach(), [review]);
  // opened with nothing picked: the first agent with a worktree, once (after a discard the user picks)
  const first = agents[0]?.id ?? null;
  const autoPicked = useRef(false);
  useEffect(() => {
    if (autoPicked.current || first === null) return;
    autoPicked.current = true;
    if (stores.review.getState().agentId === null) review.showAgent(first);
  }, [first, review, stores]);

  return (
    <div className="review-view" data-testid="review-view">
      <div className="review-toolbar">
        <h2>Review</h2>
        <label className="review-picker">
          <span>Agent</span>
          <select
            value={agentId ?? ''}
            onChange={(e) => {
              setNotice(null);
              review.showAgent(e.target.value || null);
            }}
            data-testid="review-agent"
          >
            <option value="">{agents.length ? '(pick an agent)' : '(no agent has a worktree)'}</option>
            {agentId !== null && !agents.some((a) => a.id === agentId) && <option value={agentId}>{agentId}</option>}
            {agents.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name} · {a.worktree?.branch}
              </option>
            ))}
          </select>
        </label>
        {summary && <SummaryFacts summary={summary} />}
        <span className="spacer" />
        {agentId !== null && (
          <button
            type="button"
            className="btn btn-small"
            onClick={() => void review.refresh()}
            disabled={loading}
            data-testid="review-refresh"
          >
            {loading ? 'Reading…' : 'Refresh'}
          </button>
        )}
      </div>
      {notice && (
        <div
          className={notice.kind === 'error' ? 'banner banner-warn' : 'banner banner-info'}
          role={notice.kind === 'error' ? 'alert' : 'status'}
          data-testid="review-notice"
        >
          <span data-testid="review-notice-text">{notice.text}</span>
          <button type="button" className="toast-close" aria-label="Dismiss" onClick={() => setNotice(null)}>
            ×
          </button>
        </div>
      )}
      {error !== null && (
        <div className="banner banner-warn" role="alert" data-testid="review-error">
          {error}
        </div>
      )}
      {agentId === null ? (
        <div className="empty">
          {agents.length ? 'Pick an agent to review its work.' : 'No agent works in a worktree of its own yet.'}
        </div>
      ) : summary === null ? (
        error === null && <div className="empty">Reading the agent’s changes…</div>
      ) : (
        <>
          <ReviewActions summary={summary} onNotice={setNotice} />
          <ReviewBody summary={summary} />
        </>
      )}
    </div>
  );
}

function SummaryFacts({ summary }: { summary: ReviewSummary }) {
  return (
    <span className="review-facts" data-testid="review-facts" title={summary.path}>
      <span className="mono">⎇ {summary.branch}</span> → <span className="mono">{summary.base}</span>
      <span className="muted">
        {' '}
        {summary.ahead} ahead, {summary.behind} behind{summary.dirty ? ', uncommitted changes' : ''}
      </span>
    </span>
  );
}

function ReviewBody({ summary }: { summary: ReviewSummary }) {
  const { stores } = useApp();
  const path = useStore(stores.review, (s) => s.path);
  if (summary.files.length === 0) {
    return (
      <div className="empty" data-testid="review-no-changes">
        No changes against {summary.base}.
      </div>
    );
  }
  return (
    <div className="review-body">
      <ReviewFileList files={summary.files} truncated={summary.truncated} />
      <section className="review-diff-pane" aria-label={path ? `Diff of ${path}` : 'Diff'}>
        {path === null ? <div className="empty">Pick a file to see its diff.</div> : <DiffPane path={path} />}
      </section>
    </div>
  );
}

function DiffPane({ path }: { path: string }) {
  const { stores } = useApp();
  const diff = useStore(stores.review, (s) => s.diff);
  const loading = useStore(stores.review, (s) => s.diffLoading);
  const error = useStore(stores.review, (s) => s.diffError);
  const layout = useStore(stores.review, (s) => s.layout);
  return (
    <>
      <div className="review-diff-head">
        <span className="mono review-diff-path">{path}</span>
        <span className="spacer" />
        <LayoutToggle layout={layout} />
      </div>
      {error !== null ? (
        <div className="banner banner-warn" role="alert" data-testid="review-diff-error">
          {error}
        </div>
      ) : diff === null || diff.path !== path ? (
        <div className="empty">{loading ? 'Reading the diff…' : ''}</div>
      ) : (
        <ReviewDiff diff={diff} layout={layout} />
      )}
    </>
  );
}

function LayoutToggle({ layout }: { layout: DiffLayout }) {
  const { stores } = useApp();
  const option = (value: DiffLayout, label: string) => (
    <button
      type="button"
      className={layout === value ? 'btn btn-small active' : 'btn btn-small'}
      aria-pressed={layout === value}
      onClick={() => stores.review.getState().setLayout(value)}
      data-testid={`review-layout-${value}`}
    >
      {label}
    </button>
  );
  return (
    <span className="review-layout" role="group" aria-label="Diff layout">
      {option('unified', 'Unified')}
      {option('split', 'Side by side')}
    </span>
  );
}
