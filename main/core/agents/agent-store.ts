// Agent records in SQLite (table `agents`, schema 5; `supervise` and `unattended` since schema 13): what was launched, where, with which task, the last
// known status and the declared resources. They outlive the daemon, so agents can be listed and relaunched
// after a restart.
// Status changes arrive from terminal events: when the store cannot be written (a full disk) the change is
// kept in memory (reads see it) and written once the store takes writes again (AGENT_STORE_RULE), so a
// status update never throws into a terminal's event handler.
import { DevMeshError } from '../../../shared/errors.js';
import type { AgentRecord, AgentStatus } from '../../../shared/agent.js';
import { DaemonHealth } from '../health/daemon-health.js';
import { StoreGuard } from '../health/store-guard.js';
import type { Database } from '../store/database.js';

export const AGENT_STORE_RULE =
  'agents keep running and their status is kept in memory (every face sees it); the records are written ' +
  'again every 5 s until the store takes them';
const RETRY_MS = 5_000;

interface AgentRow {
  id: string;
  name: string;
  profile: string;
  role: string | null;
  cwd: string;
  project: string | null;
  command: string;
  args_json: string;
  worktree_path: string | null;
  worktree_branch: string | null;
  worktree_repo: string | null;
  terminal_id: string | null;
  task: string | null;
  status: AgentStatus;
  status_reason: string | null;
  exit_code: number | null;
  created_at: number;
  updated_at: number;
  ram_gb: number;
  gpus: number;
  supervise: number;
  unattended: number;
}

export type AgentRecordPatch = Partial<
  Pick<AgentRecord, 'terminalId' | 'status' | 'statusReason' | 'exitCode' | 'cwd' | 'worktree' | 'updatedAt'>
>;

export class AgentStore {
  private readonly insertStmt;
  private readonly updateStmt;
  private readonly selectOne;
  private readonly selectByName;
  private readonly selectAll;
  private readonly deleteStmt;
  private readonly guard: StoreGuard;
  /** records whose last change could not be written yet */
  private readonly unwritten = new Map<string, AgentRecord>();
  private retry: NodeJS.Timeout | null = null;

  constructor(database: Database, health?: DaemonHealth) {
    const db = database.db;
    this.guard = new StoreGuard(health ?? DaemonHealth.detached(), {
      component: 'agent records',
      where: db.name,
      rule: AGENT_STORE_RULE,
    });
    this.insertStmt = db.prepare(`
      INSERT INTO agents (id, name, profile, role, cwd, project, command, args_json, worktree_path, worktree_branch, worktree_repo,
        terminal_id, task, status, status_reason, exit_code, created_at, updated_at, ram_gb, gpus, supervise, unattended)
      VALUES (@id, @name, @profile, @role, @cwd, @project, @command, @args_json, @worktree_path, @worktree_branch, @worktree_repo,
        @terminal_id, @task, @status, @status_reason, @exit_code, @created_at, @updated_at, @ram_gb, @gpus, @supervise,
        @unattended)`);
    this.updateStmt = db.prepare(`
      UPDATE agents SET terminal_id = @terminal_id, status = @status, status_reason = @status_reason, exit_code = @exit_code,
        cwd = @cwd, worktree_path = @worktree_path, worktree_branch = @worktree_branch, worktree_repo = @worktree_repo,
        updated_at = @updated_at WHERE id = @id`);
    this.selectOne = db.prepare('SELECT * FROM agents WHERE id = ?');
    this.selectByName = db.prepare('SELECT * FROM agents WHERE name = ?');
    this.selectAll = db.prepare('SELECT * FROM agents ORDER BY created_at, id');
    this.deleteStmt = db.prepare('DELETE FROM agents WHERE id = ?');
  }

  insert(record: AgentRecord): AgentRecord {
    try {
      this.insertStmt.run(AgentStore.toRow(record));
    } catch (err) {
      if (/UNIQUE constraint failed: agents\.name/.test((err as Error).message)) {
        throw new DevMeshError(
          'CONFLICT',
          `an agent named "${record.name}" already exists; pick another name, or remove the old one (devmesh agent rm ${record.name})`,
        );
      }
      throw err;
    }
    return record;
  }

  /** Never throws for a storage failure: the change is kept and written later (see AGENT_STORE_RULE). */
  update(id: string, patch: AgentRecordPatch): AgentRecord {
    const current = this.get(id);
    if (!current)
      throw new DevMeshError('BAD_REQUEST', `no agent with id ${id}; list agents with \`devmesh agent ls\``);
    const next: AgentRecord = { ...current, ...patch, updatedAt: patch.updatedAt ?? Date.now() };
    this.unwritten.set(id, next);
    this.writeUnwritten();
    return next;
  }

  get(id: string): AgentRecord | null {
    const kept = this.unwritten.get(id);
    if (kept) return kept;
    const row = this.selectOne.get(id) as AgentRow | undefined;
    return row ? AgentStore.fromRow(row) : null;
  }

  /** By id, else by name: what the CLI and the UI pass. */
  find(idOrName: string): AgentRecord | null {
    const row = (this.selectOne.get(idOrName) ?? this.selectByName.get(idOrName)) as AgentRow | undefined;
    if (!row) return null;
    return this.unwritten.get(row.id) ?? AgentStore.fromRow(row);
  }

  list(): AgentRecord[] {
    return (this.selectAll.all() as AgentRow[]).map((r) => this.unwritten.get(r.id) ?? AgentStore.fromRow(r));
  }

  delete(id: string): boolean {
    this.unwritten.delete(id);
    return this.deleteStmt.run(id).changes > 0;
  }

  dispose(): void {
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    this.writeUnwritten();
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
  }

  private writeUnwritten(): void {
    if (this.unwritten.size === 0) return;
    const records = [...this.unwritten.values()];
    const ok = this.guard.background(() => {
      for (const r of records) this.updateStmt.run(AgentStore.toRow(r));
    });
    if (ok) {
      for (const r of records) if (this.unwritten.get(r.id) === r) this.unwritten.delete(r.id);
      return;
    }
    this.retry ??= setTimeout(() => {
      this.retry = null;
      this.writeUnwritten();
    }, RETRY_MS);
    this.retry.unref();
  }

  private static toRow(r: AgentRecord): AgentRow {
    return {
      id: r.id,
      name: r.name,
      profile: r.profile,
      role: r.role,
      cwd: r.cwd,
      project: r.project,
      command: r.command,
      args_json: JSON.stringify(r.args),
      worktree_path: r.worktree?.path ?? null,
      worktree_branch: r.worktree?.branch ?? null,
      worktree_repo: r.worktree?.repo ?? null,
      terminal_id: r.terminalId,
      task: r.task,
      status: r.status,
      status_reason: r.statusReason,
      exit_code: r.exitCode,
      created_at: r.createdAt,
      updated_at: r.updatedAt,
      ram_gb: r.resources.ramGb,
      gpus: r.resources.gpus,
      supervise: r.supervise === false ? 0 : 1,
      unattended: r.unattended === true ? 1 : 0,
    };
  }

  private static fromRow(row: AgentRow): AgentRecord {
    return {
      id: row.id,
      name: row.name,
      profile: row.profile,
      role: row.role,
      cwd: row.cwd,
      project: row.project,
      command: row.command,
      args: JSON.parse(row.args_json) as string[],
      worktree:
        row.worktree_path !== null && row.worktree_branch !== null && row.worktree_repo !== null
          ? { path: row.worktree_path, branch: row.worktree_branch, repo: row.worktree_repo }
          : null,
      terminalId: row.terminal_id,
      task: row.task,
      status: row.status,
      statusReason: row.status_reason,
      exitCode: row.exit_code,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      resources: { ramGb: row.ram_gb, gpus: row.gpus },
      supervise: row.supervise !== 0,
      unattended: row.unattended === 1,
    };
  }
}
