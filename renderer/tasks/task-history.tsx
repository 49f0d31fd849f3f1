// A task's transitions, oldest first: from → to, who moved it, why, and when.
import type { TaskTransition } from '../../shared/task.js';
import { formatAgo } from '../common/format-time.js';
import { HolderName } from '../locks/locks-holder-name.js';
import { TaskStateBadge } from './task-state-badge.js';
import { useNow } from '../common/use-now.js';

export function TaskHistory({ history }: { history: TaskTransition[] }) {
  const now = useNow();
  if (history.length === 0) return <div className="muted">No transitions yet.</div>;
  return (
    <ol className="task-history" data-testid="task-history">
      {history.map((t, i) => (
        <li key={i}>
          <span className="task-history-states">
            {t.from ? <TaskStateBadge state={t.from} /> : <span className="muted">new</span>} →{' '}
            <TaskStateBadge state={t.to} />
          </span>
          <span className="task-history-why">
            <HolderName id={t.by} />: {t.why}
          </span>
          <time className="muted" dateTime={new Date(t.at).toISOString()} title={new Date(t.at).toLocaleString()}>
            {formatAgo(t.at, now)}
          </time>
        </li>
      ))}
    </ol>
  );
}
