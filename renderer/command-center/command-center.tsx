// The command center: post a task, watch the board move (queued → bidding → claimed → working → finished),
// open a task for its history, bids and locks, and talk with the agents beside it. The New task form is opened
// by its button or the palette's "New task…" (the tasks store says whether it is open).
import { useRef } from 'react';
import { useStore } from 'zustand';
import { useApp } from '../shell/app-context.js';
import { MessagePanel } from '../messages/message-panel.js';
import { RemindersPanel } from '../reminders/reminders-panel.js';
import { TaskBoard } from '../tasks/task-board.js';
import { TaskDetail } from '../tasks/task-detail.js';
import { TaskNewForm } from '../tasks/task-new-form.js';
import '../styles/coordination.css';

export function CommandCenter() {
  const { stores } = useApp();
  const openId = useStore(stores.tasks, (s) => s.openId);
  const error = useStore(stores.tasks, (s) => s.error);
  const loaded = useStore(stores.tasks, (s) => s.loaded);
  // the form takes the board's width: opening it closes the open task's drawer, which would cover half of it
  const composing = useStore(stores.tasks, (s) => s.composing);
  const setComposing = (open: boolean) => stores.tasks.getState().setComposing(open);
  // the button is re-created when the form closes: Escape gives the focus back to the new one
  const newTask = useRef<HTMLButtonElement>(null);
  return (
    <div className="coord-view command-center" data-testid="command-center">
      {error !== null && (
        <div className="banner banner-warn" role="alert">
          {error}
        </div>
      )}
      <div className="command-center-main">
        <div className="command-center-tasks">
          <div className="command-center-scroll">
            <div className="coord-toolbar">
              <h2>Tasks</h2>
              {!composing && (
                <button
                  ref={newTask}
                  type="button"
                  className="btn btn-start"
                  onClick={() => setComposing(true)}
                  data-testid="task-new"
                >
                  New task
                </button>
              )}
              {!loaded && error === null && <span className="muted">listing…</span>}
            </div>
            {composing && <TaskNewForm onDone={() => setComposing(false)} returnFocus={() => newTask.current} />}
            <TaskBoard />
          </div>
          {/* a drawer over the board's right side, so the columns keep their width */}
          {openId !== null && <TaskDetail key={openId} id={openId} />}
        </div>
        <div className="command-center-side">
          <MessagePanel />
          <RemindersPanel />
        </div>
      </div>
    </div>
  );
}
