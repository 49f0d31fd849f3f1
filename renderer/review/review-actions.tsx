// What the user may do with the shown agent's work: commit its uncommitted changes with a message; merge its
// branch onto the base (fast-forward, merge commit or rebase, checked for conflicts first: a conflict is shown
// file by file and nothing is merged); discard the worktree and branch; or keep the branch and remove only the
// worktree. The destructive ones ask first, in a dialog. Failures show the daemon's own message.
import { useState } from 'react';
import { useStore } from 'zustand';
import type { MergeConflict, MergeOutcome, ReviewSummary } from '../../shared/review.js';
import { useApp } from '../shell/app-context.js';
import { useReview } from './review-syncs.js';
import { ReviewDialog } from './review-dialog.js';
import type { MergeInput, ReviewResult } from './review-sync.js';

type Strategy = NonNullable<MergeInput['strategy']>;
const STRATEGIES: { value: Strategy; label: string }[] = [
  { value: 'fast-forward', label: 'Fast-forward' },
  { value: 'merge-commit', label: 'Merge commit' },
  { value: 'rebase', label: 'Rebase' },
];

type Open = 'merge' | 'discard' | 'keep' | null;
export interface ReviewNotice {
  kind: 'ok' | 'error';
  text: string;
}

export function ReviewActions({ summary, onNotice }: { summary: ReviewSummary; onNotice(n: ReviewNotice): void }) {
  const review = useReview();
  const [message, setMessage] = useState('');
  const [committing, setCommitting] = useState(false);
  const [open, setOpen] = useState<Open>(null);

  const commit = async () => {
    setCommitting(true);
    const result = await review.commit(message.trim());
    setCommitting(false);
    if (!result.ok) return onNotice({ kind: 'error', text: `could not commit: ${result.message}` });
    setMessage('');
    onNotice({ kind: 'ok', text: `Committed the changes on ${summary.branch}.` });
  };

  return (
    <div className="review-actions" role="group" aria-label="Review actions">
      <form
        className="review-commit"
        onSubmit={(e) => {
          e.preventDefault();
          if (message.trim() !== '' && !committing) void commit();
        }}
      >
        <label className="review-field">
          <span>Commit message</span>
          <textarea
            rows={2}
            value={message}
            placeholder={summary.dirty ? 'what the agent changed' : 'nothing uncommitted'}
            disabled={!summary.dirty}
            onChange={(e) => setMessage(e.target.value)}
            data-testid="review-commit-message"
          />
        </label>
        <button
          type="submit"
          className="btn"
          disabled={!summary.dirty || message.trim() === '' || committing}
          data-testid="review-commit"
        >
          {committing ? 'Committing…' : 'Commit'}
        </button>
      </form>
      <div className="review-action-buttons">
        <button type="button" className="btn btn-start" onClick={() => setOpen('merge')} data-testid="review-merge">
          Merge into {summary.base}…
        </button>
        <button type="button" className="btn" onClick={() => setOpen('keep')} data-testid="review-keep">
          Keep branch…
        </button>
        <button type="button" className="btn btn-stop" onClick={() => setOpen('discard')} data-testid="review-discard">
          Discard…
        </button>
      </div>
      {open === 'merge' && <MergeDialog summary={summary} onClose={() => setOpen(null)} onNotice={onNotice} />}
      {(open === 'discard' || open === 'keep') && (
        <DiscardDialog
          summary={summary}
          keepBranch={open === 'keep'}
          onClose={() => setOpen(null)}
          onNotice={onNotice}
        />
      )}
    </div>
  );
}

function MergeDialog(props: { summary: ReviewSummary; onClose(): void; onNotice(n: ReviewNotice): void }) {
  const { summary, onClose, onNotice } = props;
  const review = useReview();
  const [strategy, setStrategy] = useState<Strategy>('merge-commit');
  const [cleanup, setCleanup] = useState(false);
  const [commitMessage, setCommitMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const [conflicts, setConflicts] = useState<MergeConflict[] | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);

  const merge = async () => {
    setBusy(true);
    setRefusal(null);
    setConflicts(null);
    const input: MergeInput = {
      strategy,
      cleanup,
      ...(commitMessage.trim() ? { commitMessage: commitMessage.trim() } : {}),
    };
    const result: ReviewResult<MergeOutcome> = await review.merge(input);
    setBusy(false);
    if (!result.ok) return setRefusal(result.message);
    if (!result.value.merged) return setConflicts(result.value.conflicts);
    const { head, completedTasks } = result.value;
    const tasks = completedTasks.length ? `; completed ${completedTasks.join(', ')}` : '';
    onNotice({
      kind: 'ok',
      text: `Merged ${summary.branch} into ${summary.base} (${strategy}), now at ${head.slice(0, 10)}${tasks}.`,
    });
    onClose();
  };

  return (
    <ReviewDialog
      title={`Merge ${summary.branch} into ${summary.base}`}
      confirm="Merge"
      busy={busy}
      canConfirm={conflicts === null || conflicts.length === 0}
      onConfirm={() => void merge()}
      onClose={onClose}
      testId="review-merge-dialog"
    >
      <fieldset className="review-strategies" disabled={busy}>
        <legend>Strategy</legend>
        {STRATEGIES.map(({ value, label }) => (
          <label key={value}>
            <input
              type="radio"
              name="review-strategy"
              value={value}
              checked={strategy === value}
              onChange={() => {
                setStrategy(value);
                setConflicts(null);
              }}
            />
            {label}
          </label>
        ))}
      </fieldset>
      {summary.dirty && (
        <label className="review-field">
          <span>Commit the uncommitted changes first, with this message (optional; else they stay behind)</span>
          <input value={commitMessage} onChange={(e) => setCommitMessage(e.target.value)} disabled={busy} />
        </label>
      )}
      <label className="review-check">
        <input type="checkbox" checked={cleanup} onChange={(e) => setCleanup(e.target.checked)} disabled={busy} />
        Then remove the worktree and delete the branch
      </label>
      <p className="muted">Conflicts are checked first; nothing is merged if any file conflicts.</p>
      {refusal !== null && (
        <div className="banner banner-warn" role="alert">
          {refusal}
        </div>
      )}
      {conflicts !== null && conflicts.length > 0 && <ConflictList conflicts={conflicts} base={summary.base} />}
    </ReviewDialog>
  );
}

function ConflictList({ conflicts, base }: { conflicts: MergeConflict[]; base: string }) {
  return (
    <div className="review-conflicts" role="alert" data-testid="review-conflicts">
      <strong>
        Not merged: {conflicts.length} file{conflicts.length === 1 ? '' : 's'} conflict with {base}. Resolve them in the
        worktree (or ask the agent to), then merge again.
      </strong>
      <ul>
        {conflicts.map((c) => (
          <li key={`${c.path}:${c.kind}`} data-testid={`review-conflict-${c.path}`}>
            <span className="mono">{c.path}</span> <span className="tag">{c.kind}</span>
            <div className="muted">{c.message}</div>
          </li>
        ))}
      </ul>
    </div>
  );
}

function DiscardDialog(props: {
  summary: ReviewSummary;
  keepBranch: boolean;
  onClose(): void;
  onNotice(n: ReviewNotice): void;
}) {
  const { summary, keepBranch, onClose, onNotice } = props;
  const review = useReview();
  const { stores } = useApp();
  // the daemon refuses to discard under a running agent unless told to stop it (force)
  const status = useStore(stores.agents, (s) => (summary.agentId ? s.byId[summary.agentId]?.status : undefined));
  const running = status !== undefined && status !== 'exited';
  const [force, setForce] = useState(false);
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const discard = async () => {
    setBusy(true);
    setRefusal(null);
    const result = await review.discard({ keepBranch, force });
    setBusy(false);
    if (!result.ok) return setRefusal(result.message);
    onNotice({
      kind: 'ok',
      text: keepBranch
        ? `Removed the worktree of ${summary.branch}; the branch stays.`
        : `Discarded ${summary.branch} and its worktree.`,
    });
    onClose();
  };
  return (
    <ReviewDialog
      title={keepBranch ? `Keep ${summary.branch}, remove its worktree?` : `Discard ${summary.branch}?`}
      confirm={keepBranch ? 'Remove worktree' : 'Discard'}
      danger
      busy={busy}
      onConfirm={() => void discard()}
      onClose={onClose}
      testId={keepBranch ? 'review-keep-dialog' : 'review-discard-dialog'}
    >
      <p>
        {keepBranch
          ? `The worktree ${summary.path} is removed; the branch ${summary.branch} and its commits stay, to merge later.`
          : `The worktree ${summary.path} and the branch ${summary.branch} are deleted, with ${summary.ahead} commit${
              summary.ahead === 1 ? '' : 's'
            } not on ${summary.base}. This cannot be undone.`}
      </p>
      {summary.dirty && <p>Its uncommitted changes are lost with the worktree.</p>}
      {running && (
        <label className="review-check">
          <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} disabled={busy} />
          Stop the agent first (it is {status})
        </label>
      )}
      {refusal !== null && (
        <div className="banner banner-warn" role="alert">
          {refusal}
        </div>
      )}
    </ReviewDialog>
  );
}
