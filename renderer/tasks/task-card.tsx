// One task on the board: title, priority, who has it, how many bids, and why it is where it is; a teammate's
// task carries its home machine's badge. Opens the task's detail.
import type { TaskInfo } from '../../shared/task.js';
import { HolderName } from '../locks/locks-holder-name.js';
import { TaskStateBadge } from './task-state-badge.js';

/** the machine a teammate's task was posted on (it decides the task), dimmed while it is unreachable */
export function TaskHomeBadge({ home }: { home: NonNullable<TaskInfo['home']> }) {
  return (
    <span
      className={home.reachable ? 'task-home' : 'task-home unreachable'}
      data-testid="task-home"
      title={home.reachable ? `posted on ${home.name}, which decides it` : `${home.name} is unreachable`}
    >
      {home.name}
    </span>
  );
}

/** a teammate's task names its assignee as its home does (`writer@bob`); this machine's resolve the agent */
export function TaskAssignee({ task }: { task: TaskInfo }) {
  if (task.home) return <span>{task.assigneeName ?? task.assigneeId}</span>;
  return <HolderName id={task.assigneeId!} />;
}

export function TaskCard({ task, open, onOpen }: { task: TaskInfo; open: boolean; onOpen(id: string): void }) {
  return (
    <button
      type="button"
      className={open ? 'task-card open' : 'task-card'}
      data-testid={`task-card-${task.id}`}
      data-state={task.state}
      data-title={task.title}
      onClick={() => onOpen(task.id)}
    >
      <span className="task-card-top">
        <span className="task-card-title">{task.title}</span>
        {task.home && <TaskHomeBadge home={task.home} />}
        {task.priority !== 0 && (
          <span className={task.priority > 0 ? 'task-priority high' : 'task-priority low'}>P{task.priority}</span>
        )}
      </span>
      <span className="task-card-meta">
        {task.state === 'ABANDONED' ||
        task.state === 'COMPLETED' ||
        task.state === 'FAILED' ||
        task.state === 'CANCELLED' ? (
          <TaskStateBadge state={task.state} />
        ) : null}
        {task.assigneeId ? <TaskAssignee task={task} /> : <span className="muted">unassigned</span>}
        <span className="muted">
          {task.bidCount} bid{task.bidCount === 1 ? '' : 's'}
        </span>
      </span>
      {task.stateReason && <span className="task-card-reason">{task.stateReason}</span>}
    </button>
  );
}
