// A task board on a real SQLite file and a real lock manager over a temporary project root, with fake
// time and a recording agent port (the port is the board's boundary: it types into terminals).
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Logger } from 'pino';
import { join } from 'node:path';
import type { AgentRecord, AgentStatus, AgentStatusEvent } from '../../../shared/agent.js';
import type { AuditAppend } from '../../../shared/audit.js';
import { DevMeshError } from '../../../shared/errors.js';
import { TaskCreateInputSchema, type TaskCreateInput, type TaskEvent } from '../../../shared/task.js';
import { LockManager } from '../../../main/core/locks/lock-manager.js';
import { Database } from '../../../main/core/store/database.js';
import { TaskBoard, type TaskAgentPort, type TaskBoardDeps } from '../../../main/core/tasks/task-board.js';
import { TaskStore } from '../../../main/core/tasks/task-store.js';
import { FakeLockClock } from '../locks/fake-lock-clock.js';
import { agentRecord } from '../agents/agent-record-fixture.js';

/** a logger on a disk that may fill: while `disk.full`, every line it is asked to write fails (ENOSPC) */
export function fullDiskLogger(disk: { full: boolean }): Logger {
  const fail = (): void => {
    if (disk.full) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  };
  const logger = { error: fail, warn: fail, info: fail, debug: fail, trace: fail, fatal: fail } as unknown as Logger;
  (logger as unknown as { child: () => Logger }).child = () => logger;
  return logger;
}

export class RecordingAgents implements TaskAgentPort {
  readonly agents = new Map<string, AgentRecord>();
  readonly delivered: Array<{ agentId: string; text: string }> = [];
  board: TaskBoard | null = null;
  private n = 0;

  constructor(private readonly clock: FakeLockClock) {}

  live(): AgentRecord[] {
    return [...this.agents.values()].filter((a) => a.status !== 'exited');
  }

  find(idOrName: string): AgentRecord | null {
    return this.agents.get(idOrName) ?? [...this.agents.values()].find((a) => a.name === idOrName) ?? null;
  }

  deliver(agentId: string, text: string): boolean {
    if (this.agents.get(agentId)?.status === 'exited') return false;
    this.delivered.push({ agentId, text });
    return true;
  }

  /** a running agent in `cwd` (silently: as if it was running before the board started) */
  add(name: string, cwd: string, status: AgentStatus = 'working', extra: Partial<AgentRecord> = {}): AgentRecord {
    const id = `agent-${name.toLowerCase()}${++this.n}`;
    const now = this.clock.now();
    const record = agentRecord({
      id,
      name,
      profile: 'claude',
      cwd,
      command: 'claude',
      terminalId: `term-${id}`,
      status,
      createdAt: now,
      updatedAt: now,
      ...extra,
    });
    this.agents.set(id, record);
    return record;
  }

  /** changes an agent's status and tells the board, as the agent manager's event would */
  set(agent: AgentRecord | string, to: AgentStatus, reason: string | null = null): void {
    const current = this.agents.get(typeof agent === 'string' ? agent : agent.id)!;
    const record: AgentRecord = { ...current, status: to, statusReason: reason, updatedAt: this.clock.now() };
    this.agents.set(record.id, record);
    const event: AgentStatusEvent = {
      type: 'agent.status',
      ts: this.clock.now(),
      agentId: record.id,
      name: record.name,
      from: current.status,
      to,
      reason,
      record,
    };
    this.board?.agentStatusChanged(event);
  }
}

export interface TaskFixture {
  dir: string;
  root: string;
  clock: FakeLockClock;
  store: TaskStore;
  locks: LockManager;
  agents: RecordingAgents;
  board: TaskBoard;
  events: TaskEvent[];
  audit: AuditAppend[];
  notes: Array<{ agentId: string; body: string; task: string }>;
  /** a new board on the same store, lock space and agents (the old one is disposed): a restart */
  restart(options?: { freshLocks?: boolean }): TaskBoard;
  create(input: Omit<TaskCreateInput, 'prompt'> & { prompt?: string }): ReturnType<TaskBoard['create']>;
  dispose(): void;
}

export function taskFixture(
  options: Partial<Pick<TaskBoardDeps, 'biddingWindowMs' | 'silentAfterMs' | 'acquireAll' | 'logger'>> = {},
): TaskFixture {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'devmesh-tasks-')));
  const root = join(dir, 'repo');
  mkdirSync(join(root, 'src'), { recursive: true });
  for (const f of ['a.ts', 'b.ts', 'c.ts']) writeFileSync(join(root, 'src', f), '// x\n');
  const clock = new FakeLockClock();
  const database = Database.open(join(dir, 'devmesh.db'));
  const store = new TaskStore(database);
  const agents = new RecordingAgents(clock);
  const events: TaskEvent[] = [];
  const audit: AuditAppend[] = [];
  const notes: Array<{ agentId: string; body: string; task: string }> = [];
  const fx = { dir, root, clock, store, agents, events, audit, notes } as TaskFixture;
  fx.locks = new LockManager({ root, clock });
  const make = (): TaskBoard => {
    const board = new TaskBoard({
      store,
      locks: (r) => {
        if (r !== root) throw new DevMeshError('BAD_REQUEST', `no lock space at ${r}`);
        return fx.locks;
      },
      projects: {
        resolve(ref) {
          if (ref === undefined || ref === 'proj' || ref === root) return { id: 'proj', root };
          throw new DevMeshError('PROJECT_NOT_FOUND', `no open project "${ref}"`);
        },
      },
      agents,
      audit: (e) => audit.push(e),
      emit: (e) => events.push(e),
      notify: (agentId, body, task) => notes.push({ agentId, body, task }),
      clock,
      biddingWindowMs: options.biddingWindowMs ?? 5_000,
      silentAfterMs: options.silentAfterMs ?? 600_000,
      ...(options.acquireAll ? { acquireAll: options.acquireAll } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    });
    agents.board = board;
    fx.board = board;
    return board;
  };
  make();
  fx.restart = (o = {}) => {
    fx.board.dispose();
    if (o.freshLocks) {
      fx.locks.dispose();
      fx.locks = new LockManager({ root, clock });
    }
    return make();
  };
  fx.create = (input) => fx.board.create(TaskCreateInputSchema.parse({ prompt: 'do it', ...input }));
  fx.dispose = () => {
    fx.board.dispose();
    fx.locks.dispose();
    database.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return fx;
}
