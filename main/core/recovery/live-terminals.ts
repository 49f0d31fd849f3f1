// The terminals running now, written down as they start and forgotten as they exit (live_terminals), so that
// after a crash the next start knows which sessions the dead daemon had: it stops what is left of them (by
// the leader's pid AND start time, never a reused pid) and records that they ended. A write that fails is
// reported to the health ledger and never thrown: a terminal runs whether or not it is written down.
import type { DevMeshEvent } from '../../../shared/events.js';
import type { TerminalInfo } from '../../../shared/terminal.js';
import type { StoreGuard } from '../health/store-guard.js';
import type { Database } from '../store/database.js';
import { TerminalProcessGroup } from '../terminals/terminal-process-group.js';

export interface TerminalRow {
  id: string;
  run: number;
  pid: number;
  pid_start: string | null;
  name: string;
  command: string;
  project: string | null;
  started_at: number;
}

/** how long a leftover session has after SIGHUP before it is killed */
const HANGUP_GRACE_MS = 2000;

export class LiveTerminals {
  constructor(
    private readonly database: Database,
    private readonly guard: StoreGuard,
    private readonly startTime: (pid: number) => string | null,
  ) {}

  /** Keeps the table current from the terminal events of `run`. */
  follow(run: number, event: DevMeshEvent): void {
    if (event.type === 'terminal.started') this.guard.background(() => this.add(run, event.info));
    else if (event.type === 'terminal.exited') this.guard.background(() => this.remove(event.info.id));
  }

  add(run: number, info: TerminalInfo): void {
    if (info.pid === null || !this.database.db.open) return;
    const command = [info.command, ...info.args].join(' ').slice(0, 1000);
    this.database.db
      .prepare(
        `INSERT OR REPLACE INTO live_terminals (id, run, pid, pid_start, name, command, project, started_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(info.id, run, info.pid, this.startTime(info.pid), info.name, command, info.project, info.startedAt);
  }

  remove(id: string): void {
    if (this.database.db.open) this.database.db.prepare('DELETE FROM live_terminals WHERE id = ?').run(id);
  }

  /** the terminals written down by runs other than `run` (they were running when it ended) */
  leftBy(run: number): TerminalRow[] {
    const rows = this.database.db.prepare('SELECT * FROM live_terminals WHERE run <> ? ORDER BY started_at').all(run);
    return rows as TerminalRow[];
  }

  /**
   * Stops what is left of a terminal's session: SIGHUP (as closing its window would), then SIGKILL to what
   * ignored it. Only processes of that session started since its leader (pid AND start time). Answers how
   * many processes were left.
   */
  static async stopLeftovers(row: TerminalRow): Promise<number> {
    const since = Number(row.pid_start);
    if (row.pid_start === null || !Number.isFinite(since)) return 0;
    const left = TerminalProcessGroup.leftovers(row.pid, since) ?? [];
    if (left.length === 0) return 0;
    TerminalProcessGroup.signalEach(left, 'SIGHUP');
    const remaining = (): number[] => TerminalProcessGroup.leftovers(row.pid, since) ?? [];
    const deadline = Date.now() + HANGUP_GRACE_MS;
    while (Date.now() < deadline && remaining().length > 0) await new Promise((r) => setTimeout(r, 50));
    TerminalProcessGroup.signalEach(remaining(), 'SIGKILL');
    return left.length;
  }
}
