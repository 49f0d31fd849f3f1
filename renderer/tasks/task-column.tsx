// One column of the board: its state, how many tasks, their cards. The finished column folds away.
import type { TaskInfo } from '../../shared/task.js';
import type { BoardColumn } from './task-board-columns.js';
import { TaskCard } from './task-card.js';

const LABELS: Record<BoardColumn, string> = {
  QUEUED: 'Queued',
  BIDDING: 'Bidding',
  CLAIMED: 'Claimed',
  WORKING: 'Working',
  PAUSED: 'Paused',
  DONE: 'Finished',
};

interface TaskColumnProps {
  column: BoardColumn;
  tasks: TaskInfo[];
  openId: string | null;
  onOpen(id: string): void;
  collapsed?: boolean;
  onToggle?(): void;
}

export function TaskColumn({ column, tasks, openId, onOpen, collapsed = false, onToggle }: TaskColumnProps) {
  return (
    <section className={collapsed ? 'task-column collapsed' : 'task-column'} data-testid={`task-column-${column}`}>
      <header className="task-column-head">
        {onToggle ? (
          <button
            type="button"
            className="task-column-toggle"
            onClick={onToggle}
            aria-expanded={!collapsed}
            data-testid={`task-column-toggle-${column}`}
          >
            {collapsed ? '▸' : '▾'} {LABELS[column]}
          </button>
        ) : (
          <span>{LABELS[column]}</span>
        )}
        <span className="task-column-count">{tasks.length}</span>
      </header>
      {!collapsed && (
        <div className="task-column-cards">
          {tasks.map((task) => (
            <TaskCard key={task.id} task={task} open={task.id === openId} onOpen={onOpen} />
          ))}
        </div>
      )}
    </section>
  );
}
