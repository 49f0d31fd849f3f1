// The runs of DevMesh on this home, one row per start (daemon_runs): its number (lock ids carry it, so an id
// never repeats across restarts), its pid, the audit chain's head when it started (its lock grants come
// after), and how it ended: `ended_at` on a clean shutdown, nothing when it died. A run is `settled` once what
// it left behind (locks held, terminals running) is recorded in the audit chain, at its shutdown or by a
// later start.
import type { Database } from '../store/database.js';

export interface RunRow {
  run: number;
  pid: number;
  pid_start: string | null;
  started_at: number;
  audit_seq: number;
  ended_at: number | null;
  settled_at: number | null;
}

export class DaemonRuns {
  constructor(private readonly database: Database) {}

  /** Records this start; answers its row and every earlier run not settled yet (oldest first). */
  begin(pid: number, pidStart: string | null, now: number): { current: RunRow; unsettled: RunRow[] } {
    const db = this.database.db;
    return db
      .transaction(() => {
        const head = db.prepare('SELECT seq FROM audit_head WHERE id = 1').get() as { seq: number } | undefined;
        const info = db
          .prepare('INSERT INTO daemon_runs (pid, pid_start, started_at, audit_seq) VALUES (?, ?, ?, ?)')
          .run(pid, pidStart, now, head?.seq ?? 0);
        const run = Number(info.lastInsertRowid);
        const unsettled = db
          .prepare('SELECT * FROM daemon_runs WHERE settled_at IS NULL AND run < ? ORDER BY run')
          .all(run) as RunRow[];
        return { current: this.get(run)!, unsettled };
      })
      .immediate();
  }

  get(run: number): RunRow | null {
    return (this.database.db.prepare('SELECT * FROM daemon_runs WHERE run = ?').get(run) as RunRow | undefined) ?? null;
  }

  /** every run before `run`, oldest first */
  before(run: number): RunRow[] {
    return this.database.db.prepare('SELECT * FROM daemon_runs WHERE run < ? ORDER BY run').all(run) as RunRow[];
  }

  /** What they left behind is recorded. */
  settle(runs: readonly number[], now: number): void {
    const stmt = this.database.db.prepare('UPDATE daemon_runs SET settled_at = ? WHERE run = ?');
    this.database.db.transaction(() => {
      for (const run of runs) stmt.run(now, run);
    })();
  }

  /** A clean shutdown; `settled` when everything it held was recorded as dropped. */
  end(run: number, now: number, settled: boolean): void {
    this.database.db
      .prepare('UPDATE daemon_runs SET ended_at = ?, settled_at = ? WHERE run = ?')
      .run(now, settled ? now : null, run);
  }

  /** Is the death of `row` already in the audit chain (a start that recorded it died before settling)? */
  deathRecorded(row: RunRow): boolean {
    const found = this.database.db
      .prepare("SELECT 1 FROM audit_entries WHERE kind = 'daemon.died' AND subject = ? AND seq > ? LIMIT 1")
      .get(`pid ${row.pid}`, row.audit_seq);
    return found !== undefined;
  }

  /**
   * The last moment a run is known to have been alive: its newest audit entry or service transition before
   * the next start (`before`), else its start. For a run that died leaving no note of when.
   */
  lastSign(row: RunRow, before: { ts: number; auditSeq: number }): number {
    const db = this.database.db;
    const audit = db
      .prepare('SELECT MAX(ts) AS ts FROM audit_entries WHERE seq > ? AND seq <= ?')
      .get(row.audit_seq, before.auditSeq) as { ts: number | null };
    const service = db
      .prepare('SELECT MAX(ts) AS ts FROM service_events WHERE ts >= ? AND ts < ?')
      .get(row.started_at, before.ts) as { ts: number | null };
    return Math.max(row.started_at, audit.ts ?? 0, service.ts ?? 0);
  }
}
