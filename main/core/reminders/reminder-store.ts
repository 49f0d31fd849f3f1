// The reminders table (migration 011). `claim` moves a reminder past one occurrence with a compare-and-set
// on `next_at`, so an occurrence is claimed once however often the timer runs.
import type { Reminder, ReminderSchedule, ReminderState } from '../../../shared/reminder.js';
import type { Database } from '../store/database.js';

interface ReminderRow {
  id: string;
  recipient: string;
  recipient_name: string;
  body: string;
  when_text: string;
  kind: 'once' | 'cron';
  at: number | null;
  cron: string | null;
  timezone: string | null;
  state: ReminderState;
  next_at: number | null;
  created_by: string;
  created_at: number;
  fired: number;
  last_fired_at: number | null;
  last_error: string | null;
}

export class ReminderStore {
  private readonly insertStmt;
  private readonly byIdStmt;
  private readonly dueStmt;
  private readonly earliestStmt;
  private readonly claimStmt;
  private readonly cancelStmt;
  private readonly errorStmt;

  constructor(private readonly database: Database) {
    const db = database.db;
    this.insertStmt = db.prepare(
      'INSERT INTO reminders (id, recipient, recipient_name, body, when_text, kind, at, cron, timezone, state, ' +
        'next_at, created_by, created_at) VALUES (@id, @recipient, @recipient_name, @body, @when_text, @kind, @at, ' +
        "@cron, @timezone, 'scheduled', @next_at, @created_by, @created_at)",
    );
    this.byIdStmt = db.prepare('SELECT * FROM reminders WHERE id = ?');
    this.dueStmt = db.prepare(
      "SELECT * FROM reminders WHERE state = 'scheduled' AND next_at <= ? ORDER BY next_at, id LIMIT 100",
    );
    this.earliestStmt = db.prepare("SELECT min(next_at) AS at FROM reminders WHERE state = 'scheduled'");
    this.claimStmt = db.prepare(
      'UPDATE reminders SET next_at = @next, state = @state, fired = fired + 1, last_fired_at = @now ' +
        "WHERE id = @id AND state = 'scheduled' AND next_at = @due",
    );
    this.cancelStmt = db.prepare(
      "UPDATE reminders SET state = 'cancelled', next_at = NULL WHERE id = ? AND state = 'scheduled'",
    );
    this.errorStmt = db.prepare('UPDATE reminders SET last_error = ? WHERE id = ?');
  }

  add(r: {
    id: string;
    to: { id: string; name: string };
    body: string;
    when: string;
    schedule: ReminderSchedule;
    nextAt: number;
    by: string;
    now: number;
  }): Reminder {
    const s = r.schedule;
    this.insertStmt.run({
      id: r.id,
      recipient: r.to.id,
      recipient_name: r.to.name,
      body: r.body,
      when_text: r.when,
      kind: s.kind,
      at: s.kind === 'once' ? s.at : null,
      cron: s.kind === 'cron' ? s.expression : null,
      timezone: s.kind === 'cron' ? s.timezone : null,
      next_at: r.nextAt,
      created_by: r.by,
      created_at: r.now,
    });
    return this.get(r.id)!;
  }

  /** taken back (a create whose audit entry could not be stored) */
  remove(id: string): void {
    this.database.db.prepare('DELETE FROM reminders WHERE id = ?').run(id);
  }

  get(id: string): Reminder | null {
    const row = this.byIdStmt.get(id) as ReminderRow | undefined;
    return row ? ReminderStore.toReminder(row) : null;
  }

  /** scheduled ones soonest first; with `all`, then the done and cancelled ones, newest first */
  list(all: boolean): Reminder[] {
    const sql = all
      ? "SELECT * FROM reminders ORDER BY state <> 'scheduled', CASE WHEN state = 'scheduled' THEN next_at " +
        'ELSE -created_at END, id LIMIT 1000'
      : "SELECT * FROM reminders WHERE state = 'scheduled' ORDER BY next_at, id LIMIT 1000";
    return (this.database.db.prepare(sql).all() as ReminderRow[]).map((r) => ReminderStore.toReminder(r));
  }

  /** scheduled reminders whose next time is at or before `now`, soonest first */
  due(now: number): Reminder[] {
    return (this.dueStmt.all(now) as ReminderRow[]).map((r) => ReminderStore.toReminder(r));
  }

  /** the soonest next time of a scheduled reminder; null when none waits */
  earliest(): number | null {
    return (this.earliestStmt.get() as { at: number | null }).at;
  }

  /**
   * Claims the occurrence `due` of reminder `id`: moves it to `next` (null: done). False when it is no longer
   * at that occurrence (claimed already, cancelled).
   */
  claim(id: string, due: number, next: number | null, now: number): boolean {
    const state: ReminderState = next === null ? 'done' : 'scheduled';
    return this.claimStmt.run({ id, due, next, state, now }).changes === 1;
  }

  /** false when it was not scheduled (done or cancelled already) */
  cancel(id: string): boolean {
    return this.cancelStmt.run(id).changes === 1;
  }

  /** a reminder moved past occurrences missed while DevMesh was down (not a firing) */
  skipTo(id: string, due: number, next: number): boolean {
    return (
      this.database.db
        .prepare("UPDATE reminders SET next_at = ? WHERE id = ? AND state = 'scheduled' AND next_at = ?")
        .run(next, id, due).changes === 1
    );
  }

  setError(id: string, error: string | null): void {
    this.errorStmt.run(error, id);
  }

  private static toReminder(r: ReminderRow): Reminder {
    const schedule: ReminderSchedule =
      r.kind === 'once'
        ? { kind: 'once', at: r.at ?? 0 }
        : { kind: 'cron', expression: r.cron ?? '', timezone: r.timezone };
    return {
      id: r.id,
      to: r.recipient,
      toName: r.recipient_name,
      body: r.body,
      when: r.when_text,
      schedule,
      state: r.state,
      nextAt: r.next_at,
      createdBy: r.created_by,
      createdAt: r.created_at,
      fired: r.fired,
      lastFiredAt: r.last_fired_at,
      lastError: r.last_error,
    };
  }
}
