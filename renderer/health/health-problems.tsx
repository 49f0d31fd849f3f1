// The daemon's own problems, in the header: a store failing on a full disk, a damaged file. The pill in
// the top bar says how many; under it each problem says what fails and for how long, what it cost, the
// daemon's message (what, where, how to fix) and what happens to the data meanwhile. It goes away by
// itself when the daemon says the part works again (health.changed).
import { useState } from 'react';
import { useStore } from 'zustand';
import type { HealthProblem } from '../../shared/health.js';
import { useApp } from '../shell/app-context.js';
import { describeHealthProblem } from './describe-health.js';
import { formatClock } from '../common/format-time.js';
import { useNow } from '../common/use-now.js';

/** The top bar's pill: the number of problems; it folds the list away and back. */
export function HealthPill({ open, onToggle }: { open: boolean; onToggle(): void }) {
  const { stores } = useApp();
  const count = useStore(stores.health, (s) => s.problems.length);
  if (count === 0) return null;
  return (
    <button
      type="button"
      className="health-pill"
      data-testid="health-pill"
      aria-expanded={open}
      aria-controls="health-problems"
      onClick={onToggle}
    >
      <span aria-hidden="true">⚠</span> {count === 1 ? '1 problem' : `${count} problems`}
    </button>
  );
}

export function HealthProblems({ open }: { open: boolean }) {
  const { stores } = useApp();
  const problems = useStore(stores.health, (s) => s.problems);
  if (problems.length === 0 || !open) return null;
  return (
    <section
      id="health-problems"
      className="health-problems"
      role="alert"
      data-testid="health-problems"
      aria-label="DevMesh problems"
    >
      {problems.map((p) => (
        <HealthProblemRow key={p.component} problem={p} />
      ))}
    </section>
  );
}

function HealthProblemRow({ problem: p }: { problem: HealthProblem }) {
  const now = useNow();
  const text = describeHealthProblem(p, Math.max(now, p.lastAt));
  return (
    <div className="health-problem" data-testid="health-problem" data-component={p.component} data-code={p.code}>
      <div className="health-problem-head">
        <strong className="health-problem-title">{text.title}</strong>
        <span
          className="muted"
          title={`since ${new Date(p.since).toLocaleString()}; last failure ${formatClock(p.lastAt)}`}
        >
          {text.since}
        </span>
        <span className="muted health-problem-counts" data-testid="health-problem-counts">
          {text.counts}
        </span>
      </div>
      <div className="health-problem-message">{p.message}</div>
      <div className="health-problem-rule muted">
        Meanwhile: {p.rule}
        {p.cause && <span className="health-problem-cause"> ({p.cause})</span>}
      </div>
    </div>
  );
}

/** The pill and the list share whether the list is folded away. */
export function useHealthFold(): [boolean, () => void] {
  const [open, setOpen] = useState(true);
  return [open, () => setOpen((o) => !o)];
}
