// How the board groups tasks: one column per live state (an ABANDONED task is about to be queued again, so it
// shows with the queued ones), the finished ones together in a column that starts collapsed; each column
// highest priority first, then oldest.
import type { TaskInfo, TaskState } from '../../shared/task.js';

export const LIVE_COLUMNS = [
  'QUEUED',
  'BIDDING',
  'CLAIMED',
  'WORKING',
  'PAUSED',
] as const satisfies readonly TaskState[];
export type BoardColumn = (typeof LIVE_COLUMNS)[number] | 'DONE';

export function columnOf(state: TaskState): BoardColumn {
  if (state === 'ABANDONED') return 'QUEUED';
  if (state === 'COMPLETED' || state === 'FAILED' || state === 'CANCELLED') return 'DONE';
  return state;
}

export function groupTasks(tasks: Iterable<TaskInfo>): Record<BoardColumn, TaskInfo[]> {
  const columns: Record<BoardColumn, TaskInfo[]> = {
    QUEUED: [],
    BIDDING: [],
    CLAIMED: [],
    WORKING: [],
    PAUSED: [],
    DONE: [],
  };
  for (const task of tasks) columns[columnOf(task.state)].push(task);
  for (const [column, list] of Object.entries(columns)) {
    // Finished tasks: the most recently finished first; live ones: what should be done next first.
    if (column === 'DONE') list.sort((a, b) => b.updatedAt - a.updatedAt);
    else list.sort((a, b) => b.priority - a.priority || a.createdAt - b.createdAt);
  }
  return columns;
}
