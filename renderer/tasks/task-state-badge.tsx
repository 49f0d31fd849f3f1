// A task's state as a coloured badge, its reason in the tooltip.
import type { TaskState } from '../../shared/task.js';

export function TaskStateBadge({ state, reason, testId }: { state: TaskState; reason?: string; testId?: string }) {
  return (
    <span className={`badge badge-task-${state.toLowerCase()}`} title={reason} data-testid={testId}>
      {state.toLowerCase()}
    </span>
  );
}
