// The open task, beside the board: what it asks, who has it and why it is where it is, its history, the
// bids of this round with their score parts, the locks held for it; Open terminal (the assignee's), Cancel,
// and a bid on behalf of an agent while it is still being offered; links to the assignee's copy of the app
// when its worktree runs one. A drawer: Escape closes it.
import { useRef, useState } from 'react';
import { useStore } from 'zustand';
import { FINAL_TASK_STATES } from '../../shared/task.js';
import { useApp } from '../shell/app-context.js';
import { useCoordination } from '../command-center/command-center-syncs.js';
import { HolderName } from '../locks/locks-holder-name.js';
import { TaskBidForm } from './task-bid-form.js';
import { TaskBids } from './task-bids.js';
import { TaskHistory } from './task-history.js';
import { TaskLocks } from './task-locks.js';
import { TaskAssignee, TaskHomeBadge } from './task-card.js';
import { TaskStateBadge } from './task-state-badge.js';
import { useDrawer } from '../common/use-drawer.js';
import { TaskUsageFigures } from '../usage/usage-figures.js';
import { AgentCopyLinks } from '../services/agent-copy-links.js';

export function TaskDetail({ id }: { id: string }) {
  const { stores, agents } = useApp();
  const { tasks } = useCoordination();
  const info = useStore(stores.tasks, (s) => s.byId[id] ?? null);
  const detail = useStore(stores.tasks, (s) => (s.detail?.id === id ? s.detail : null));
  const detailError = useStore(stores.tasks, (s) => s.detailError);
  const [busy, setBusy] = useState(false);
  const drawer = useRef<HTMLElement>(null);
  useDrawer(() => tasks.open(null), { ref: drawer });
  const task = info ?? detail;
  if (!task) return null;
  const final = FINAL_TASK_STATES.includes(task.state);

  const openTerminal = () => {
    if (!task.terminalId) return;
    stores.view.getState().show('terminals');
    agents.showTerminal(task.terminalId);
  };
  const cancel = async () => {
    setBusy(true);
    const result = await tasks.cancel(task.id, 'cancelled in the command center');
    setBusy(false);
    if (!result.ok) stores.toasts.getState().notify(result.code, `could not cancel ${task.title}: ${result.message}`);
  };

  return (
    <aside
      ref={drawer}
      tabIndex={-1}
      className="task-detail coord-panel"
      data-testid="task-detail"
      data-task-id={task.id}
      aria-label={task.title}
    >
      <header className="coord-panel-head">
        <h2 className="task-detail-title">{task.title}</h2>
        <TaskStateBadge state={task.state} testId="task-detail-state" />
        <span className="spacer" />
        <button type="button" className="toast-close" aria-label="Close" onClick={() => tasks.open(null)}>
          ×
        </button>
      </header>
      <div className="task-detail-body">
        <div className="task-detail-reason">{task.stateReason}</div>
        <dl className="task-facts">
          <dt>Id</dt>
          <dd className="mono">{task.id}</dd>
          <dt>Project</dt>
          <dd>{task.project}</dd>
          {task.home && (
            <>
              <dt>Home</dt>
              <dd>
                <TaskHomeBadge home={task.home} /> <span className="muted">decides it; bids go there</span>
              </dd>
            </>
          )}
          <dt>Assignee</dt>
          <dd>{task.assigneeId ? <TaskAssignee task={task} /> : <span className="muted">nobody yet</span>}</dd>
          {task.assigneeId && <AssigneeCopy agentId={task.assigneeId} />}
          <dt>Cost</dt>
          <dd>
            <TaskUsageFigures taskId={task.id} />
          </dd>
          <dt>Priority</dt>
          <dd>{task.priority}</dd>
          {task.files.length > 0 && (
            <>
              <dt>Files</dt>
              <dd className="mono">{task.files.join(', ')}</dd>
            </>
          )}
          {task.capabilities.length > 0 && (
            <>
              <dt>Needs</dt>
              <dd>{task.capabilities.join(', ')}</dd>
            </>
          )}
          {task.dependsOn.length > 0 && (
            <>
              <dt>After</dt>
              <dd className="mono">{task.dependsOn.join(', ')}</dd>
            </>
          )}
          <dt>Critic</dt>
          <dd>{task.criticOf ? `reviews ${task.criticOf}` : task.criticRequired ? 'required' : 'no'}</dd>
          <dt>Posted by</dt>
          <dd>
            <HolderName id={task.createdBy} />
            {task.attempts > 1 && <span className="muted"> · attempt {task.attempts}</span>}
          </dd>
        </dl>
        {task.note && <div className="task-note">{task.note}</div>}
        <details className="task-prompt">
          <summary>Prompt</summary>
          <pre>{task.prompt}</pre>
        </details>
        <div className="coord-actions">
          <button
            type="button"
            className="btn"
            disabled={!task.terminalId}
            onClick={openTerminal}
            data-testid="task-open-terminal"
          >
            Open terminal
          </button>
          <button
            type="button"
            className="btn btn-stop"
            disabled={final || busy || task.home !== undefined}
            title={task.home ? `cancel it on ${task.home.name}, its home` : undefined}
            onClick={() => void cancel()}
            data-testid="task-cancel"
          >
            Cancel task
          </button>
        </div>
        {(task.state === 'QUEUED' || task.state === 'BIDDING') && (
          <>
            <h3>Bid for an agent</h3>
            <TaskBidForm key={task.id} task={task} />
          </>
        )}
        {detailError && (
          <div className="coord-refusal" role="alert">
            {detailError}
          </div>
        )}
        {detail === null && !detailError && <div className="muted">Reading the task…</div>}
        {detail && (
          <>
            <h3>Bids</h3>
            <TaskBids bids={detail.bids} />
            <h3>Locks</h3>
            <TaskLocks lockIds={detail.lockIds} />
            <h3>History</h3>
            <TaskHistory history={detail.history} />
          </>
        )}
      </div>
    </aside>
  );
}

/** The App row: the assignee's worktree copy of the app, when one is open. */
function AssigneeCopy({ agentId }: { agentId: string }) {
  const { stores } = useApp();
  const open = useStore(stores.projects, (s) => s.projects.some((p) => p.worktree?.agentId === agentId));
  if (!open) return null;
  return (
    <>
      <dt>App</dt>
      <dd>
        <AgentCopyLinks agentId={agentId} />
      </dd>
    </>
  );
}
