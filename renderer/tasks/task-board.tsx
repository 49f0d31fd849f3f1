// The board: a column per live state, then the finished tasks folded away until asked for.
import { useMemo, useState } from 'react';
import { useStore } from 'zustand';
import { useApp } from '../shell/app-context.js';
import { useCoordination } from '../command-center/command-center-syncs.js';
import { groupTasks, LIVE_COLUMNS } from './task-board-columns.js';
import { TaskColumn } from './task-column.js';

export function TaskBoard() {
  const { stores } = useApp();
  const { tasks } = useCoordination();
  const byId = useStore(stores.tasks, (s) => s.byId);
  const openId = useStore(stores.tasks, (s) => s.openId);
  const [showDone, setShowDone] = useState(false);
  const columns = useMemo(() => groupTasks(Object.values(byId)), [byId]);
  const onOpen = (id: string) => tasks.open(id === openId ? null : id);
  return (
    <div className="task-board" data-testid="task-board">
      {LIVE_COLUMNS.map((column) => (
        <TaskColumn key={column} column={column} tasks={columns[column]} openId={openId} onOpen={onOpen} />
      ))}
      <TaskColumn
        column="DONE"
        tasks={columns.DONE}
        openId={openId}
        onOpen={onOpen}
        collapsed={!showDone}
        onToggle={() => setShowDone((v) => !v)}
      />
    </div>
  );
}
