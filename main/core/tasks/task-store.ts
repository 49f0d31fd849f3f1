// Tasks in SQLite (schema 7): the task rows, their transition history, the bids of the current round and
// the lock ids an assignee holds for a task. A transition and the row change it makes are written in one
// SQLite transaction, so the history never disagrees with the state.
import type { Bid, TaskDetail, TaskInfo, TaskState, TaskTransition } from '../../../shared/task.js';
import type { Database, Sqlite } from '../store/database.js';

interface TaskRow {
  id: string;
  project: string;
  root: string;
  title: string;
  prompt: string;
  files_json: string;
  capabilities_json: string;
  priority: number;
  depends_on_json: string;
  critic_required: number;
  critic_of: string | null;
  state: TaskState;
  state_reason: string;
  assignee_id: string | null;
  assignee_name: string | null;
  terminal_id: string | null;
  attempts: number;
  note: string | null;
  created_by: string;
  created_at: number;
  updated_at: number;
  bid_count?: number;
}

interface BidRow {
  task: string;
  agent_id: string;
  agent_name: string;
  capabilities_json: string;
  estimate_minutes: number;
  note: string | null;
  match: number;
  load: number;
  score: number;
  at: number;
}

interface TransitionRow {
  from_state: TaskState | null;
  to_state: TaskState;
  by: string;
  why: string;
  at: number;
}

/** the stored part of a task: everything but the computed bid count */
export type TaskFields = Omit<TaskInfo, 'bidCount'>;
export type TaskPatch = Partial<
  Pick<
    TaskFields,
    'state' | 'stateReason' | 'assigneeId' | 'assigneeName' | 'terminalId' | 'attempts' | 'note' | 'updatedAt'
  >
>;

/** what the board orders by: priority first (higher first), then age */
const ORDER = 'ORDER BY priority DESC, created_at, id';
const SELECT = 'SELECT t.*, (SELECT COUNT(*) FROM task_bids b WHERE b.task = t.id) AS bid_count FROM tasks t';

export class TaskStore {
  private readonly db: Sqlite;
  private readonly insertStmt;
  private readonly updateStmt;
  private readonly transitionStmt;
  private readonly selectOne;
  private readonly selectAll;
  private readonly selectIn;
  private readonly historyStmt;
  private readonly putBidStmt;
  private readonly bidsStmt;
  private readonly clearBidsStmt;
  private readonly deleteBidStmt;
  private readonly addLockStmt;
  private readonly locksStmt;
  private readonly clearLocksStmt;
  private readonly deleteLockStmt;
  private readonly lockUsersStmt;
  private readonly loadStmt;

  constructor(database: Database) {
    const db = database.db;
    this.db = db;
    this.insertStmt = db.prepare(`
      INSERT INTO tasks (id, project, root, title, prompt, files_json, capabilities_json, priority, depends_on_json, critic_required,
        critic_of, state, state_reason, assignee_id, assignee_name, terminal_id, attempts, note, created_by, created_at, updated_at)
      VALUES (@id, @project, @root, @title, @prompt, @files_json, @capabilities_json, @priority, @depends_on_json, @critic_required,
        @critic_of, @state, @state_reason, @assignee_id, @assignee_name, @terminal_id, @attempts, @note, @created_by, @created_at, @updated_at)`);
    this.updateStmt = db.prepare(`
      UPDATE tasks SET state = @state, state_reason = @state_reason, assignee_id = @assignee_id, assignee_name = @assignee_name,
        terminal_id = @terminal_id, attempts = @attempts, note = @note, updated_at = @updated_at WHERE id = @id`);
    this.transitionStmt = db.prepare(
      'INSERT INTO task_transitions (task, from_state, to_state, by, why, at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.selectOne = db.prepare(`${SELECT} WHERE t.id = ?`);
    this.selectAll = db.prepare(`${SELECT} ${ORDER}`);
    // by the state index: the open tasks, however many finished ones the history keeps
    this.selectIn = db.prepare(`${SELECT} WHERE t.state IN (SELECT value FROM json_each(?)) ${ORDER}`);
    this.historyStmt = db.prepare(
      'SELECT from_state, to_state, by, why, at FROM task_transitions WHERE task = ? ORDER BY seq',
    );
    this.putBidStmt = db.prepare(`
      INSERT OR REPLACE INTO task_bids (task, agent_id, agent_name, capabilities_json, estimate_minutes, note, match, load, score, at)
      VALUES (@task, @agent_id, @agent_name, @capabilities_json, @estimate_minutes, @note, @match, @load, @score, @at)`);
    this.bidsStmt = db.prepare('SELECT * FROM task_bids WHERE task = ? ORDER BY score DESC, at, agent_id');
    this.clearBidsStmt = db.prepare('DELETE FROM task_bids WHERE task = ?');
    this.deleteBidStmt = db.prepare('DELETE FROM task_bids WHERE task = ? AND agent_id = ?');
    this.addLockStmt = db.prepare('INSERT OR IGNORE INTO task_locks (task, lock_id) VALUES (?, ?)');
    this.locksStmt = db.prepare('SELECT lock_id FROM task_locks WHERE task = ? ORDER BY rowid');
    this.clearLocksStmt = db.prepare('DELETE FROM task_locks WHERE task = ?');
    this.deleteLockStmt = db.prepare(
      'DELETE FROM task_locks WHERE lock_id = ? AND task IN (SELECT id FROM tasks WHERE root = ?)',
    );
    this.lockUsersStmt = db.prepare(
      'SELECT l.task FROM task_locks l JOIN tasks t ON t.id = l.task WHERE l.lock_id = ? AND t.root = ?',
    );
    this.loadStmt = db.prepare(
      "SELECT COUNT(*) AS n FROM tasks WHERE assignee_id = ? AND state IN ('CLAIMED', 'WORKING', 'PAUSED')",
    );
  }

  insert(task: TaskFields, transition: TaskTransition): TaskInfo {
    this.db.transaction(() => {
      this.insertStmt.run(TaskStore.toRow(task));
      this.transitionStmt.run(task.id, transition.from, transition.to, transition.by, transition.why, transition.at);
    })();
    return this.get(task.id)!;
  }

  /** Changes a task's row; with a transition, records it in the same SQLite transaction. */
  update(id: string, patch: TaskPatch, transition: TaskTransition | null = null): TaskInfo {
    this.db.transaction(() => {
      const current = this.get(id);
      if (!current) throw new Error(`task ${id} vanished from the store`);
      this.updateStmt.run(TaskStore.toRow({ ...current, ...patch }));
      if (transition)
        this.transitionStmt.run(id, transition.from, transition.to, transition.by, transition.why, transition.at);
    })();
    return this.get(id)!;
  }

  get(id: string): TaskInfo | null {
    const row = this.selectOne.get(id) as TaskRow | undefined;
    return row ? TaskStore.fromRow(row) : null;
  }

  detail(id: string): TaskDetail | null {
    const task = this.get(id);
    if (!task) return null;
    return { ...task, history: this.history(id), bids: this.bids(id), lockIds: this.lockIds(id) };
  }

  /** every task, priority first (higher first), then oldest first */
  list(): TaskInfo[] {
    return (this.selectAll.all() as TaskRow[]).map((r) => TaskStore.fromRow(r));
  }

  listIn(states: readonly TaskState[]): TaskInfo[] {
    return (this.selectIn.all(JSON.stringify(states)) as TaskRow[]).map((r) => TaskStore.fromRow(r));
  }

  history(id: string): TaskTransition[] {
    return (this.historyStmt.all(id) as TransitionRow[]).map((r) => ({
      from: r.from_state,
      to: r.to_state,
      by: r.by,
      why: r.why,
      at: r.at,
    }));
  }

  /** a second bid of the same agent in the round replaces its first */
  putBid(bid: Bid): void {
    this.putBidStmt.run({
      task: bid.task,
      agent_id: bid.agentId,
      agent_name: bid.agentName,
      capabilities_json: JSON.stringify(bid.capabilities),
      estimate_minutes: bid.estimateMinutes,
      note: bid.note,
      match: bid.match,
      load: bid.load,
      score: bid.score,
      at: bid.at,
    });
  }

  /** best score first, ties to the earlier bid */
  bids(task: string): Bid[] {
    return (this.bidsStmt.all(task) as BidRow[]).map((r) => ({
      task: r.task,
      agentId: r.agent_id,
      agentName: r.agent_name,
      capabilities: JSON.parse(r.capabilities_json) as string[],
      estimateMinutes: r.estimate_minutes,
      note: r.note,
      match: r.match,
      load: r.load,
      score: r.score,
      at: r.at,
    }));
  }

  clearBids(task: string): void {
    this.clearBidsStmt.run(task);
  }

  deleteBid(task: string, agentId: string): boolean {
    return this.deleteBidStmt.run(task, agentId).changes > 0;
  }

  addLocks(task: string, lockIds: readonly string[]): void {
    this.db.transaction(() => {
      for (const id of lockIds) this.addLockStmt.run(task, id);
    })();
  }

  lockIds(task: string): string[] {
    return (this.locksStmt.all(task) as Array<{ lock_id: string }>).map((r) => r.lock_id);
  }

  clearLocks(task: string): void {
    this.clearLocksStmt.run(task);
  }

  /** forgets a lock of the lock space at `root` (it expired or was released by someone else) */
  forgetLock(root: string, lockId: string): void {
    this.deleteLockStmt.run(lockId, root);
  }

  /** tasks in the lock space at `root` that count `lockId` among theirs (one lock may serve two tasks of one agent) */
  lockUsers(root: string, lockId: string): string[] {
    return (this.lockUsersStmt.all(lockId, root) as Array<{ task: string }>).map((r) => r.task);
  }

  /** the agent's load: its tasks in CLAIMED, WORKING or PAUSED */
  load(agentId: string): number {
    return (this.loadStmt.get(agentId) as { n: number }).n;
  }

  private static toRow(t: TaskFields): TaskRow {
    return {
      id: t.id,
      project: t.project,
      root: t.root,
      title: t.title,
      prompt: t.prompt,
      files_json: JSON.stringify(t.files),
      capabilities_json: JSON.stringify(t.capabilities),
      priority: t.priority,
      depends_on_json: JSON.stringify(t.dependsOn),
      critic_required: t.criticRequired ? 1 : 0,
      critic_of: t.criticOf,
      state: t.state,
      state_reason: t.stateReason,
      assignee_id: t.assigneeId,
      assignee_name: t.assigneeName,
      terminal_id: t.terminalId,
      attempts: t.attempts,
      note: t.note,
      created_by: t.createdBy,
      created_at: t.createdAt,
      updated_at: t.updatedAt,
    };
  }

  private static fromRow(r: TaskRow): TaskInfo {
    return {
      id: r.id,
      project: r.project,
      root: r.root,
      title: r.title,
      prompt: r.prompt,
      files: JSON.parse(r.files_json) as string[],
      capabilities: JSON.parse(r.capabilities_json) as string[],
      priority: r.priority,
      dependsOn: JSON.parse(r.depends_on_json) as string[],
      criticRequired: r.critic_required === 1,
      criticOf: r.critic_of,
      state: r.state,
      stateReason: r.state_reason,
      assigneeId: r.assignee_id,
      assigneeName: r.assignee_name,
      terminalId: r.terminal_id,
      attempts: r.attempts,
      bidCount: r.bid_count ?? 0,
      note: r.note,
      createdBy: r.created_by,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }
}
