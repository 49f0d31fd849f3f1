// Reminders: created, listed and cancelled through the API (audited decisions), fired on their clock as
// messages from `devmesh` through the message board (so agents get them as they get any message: MCP
// read_messages, the context hooks, typed at an idle prompt).
//
// Time: one timer for the soonest reminder, never longer than `maxWaitMs` (60 s): each turn looks at the
// clock again, so a clock set forward or a machine that slept fires what came due on the next turn.
// Exactly once per occurrence: an occurrence is claimed in the store (a compare-and-set on next_at) before its
// message goes, so two turns never send it twice; a crash between the claim and the send loses that one
// message rather than sending it twice.
// After a restart (`start`): a one-time reminder whose time passed while DevMesh was down fires once, marked
// late; a recurring one does not send the occurrences it missed: it waits for its next one.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { DevMeshError } from '../../../shared/errors.js';
import type { DevMeshEvent } from '../../../shared/events.js';
import type { Message } from '../../../shared/message.js';
import type { Reminder } from '../../../shared/reminder.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import type { Disposable } from '../base/disposable.js';
import type { DaemonHealth } from '../health/daemon-health.js';
import type { LockClock, LockTimer } from '../locks/lock-clock.js';
import { nextOccurrence, parseWhen } from './reminder-when.js';
import type { ReminderStore } from './reminder-store.js';

export const REMINDERS_COMPONENT = 'reminders';
const RULE =
  'a reminder that could not be fired is tried again on the next turn (within a minute); the others fire on time';

export interface ReminderSchedulerDeps {
  store: ReminderStore;
  /** the wall clock and its timers (tests drive fake time) */
  clock: LockClock;
  /** the recipient as the message board will address it; throws AGENT_NOT_FOUND for an unknown one */
  resolve(to: string): { id: string; name: string };
  /** sends a message from `devmesh` */
  send(to: string, body: string): Promise<Message>;
  trail: Pick<AuditTrail, 'decide' | 'observe'>;
  /** an agent's id for its name (entries hold ids) */
  idOf(actor: string): string;
  emit(event: DevMeshEvent): void;
  health?: DaemonHealth;
  logger: Logger;
  /** the longest one timer waits before looking at the clock again; default 60 s */
  maxWaitMs?: number;
  /** the file the store is in, for the health ledger */
  where?: string;
}

export class ReminderScheduler implements Disposable {
  private timer: LockTimer | null = null;
  private disposed = false;
  private readonly maxWaitMs: number;

  constructor(private readonly deps: ReminderSchedulerDeps) {
    this.maxWaitMs = deps.maxWaitMs ?? 60_000;
  }

  /** Fires what came due while DevMesh was down (one-time reminders, late), then arms the timer. */
  start(): void {
    const { store, clock } = this.deps;
    const now = clock.now();
    for (const r of store.due(now))
      this.contained(r, () => {
        if (r.schedule.kind === 'once') return this.fire(r, now, true);
        const next = this.nextAfter(r, now);
        if (next === null) return this.fire(r, now, true);
        store.skipTo(r.id, r.nextAt!, next);
        this.changed(r.id);
      });
    this.arm();
  }

  async create(input: { to: string; when: string; body: string; by: string; timezone?: string }): Promise<Reminder> {
    const { store, clock, trail } = this.deps;
    const now = clock.now();
    const schedule = parseWhen(input.when, now, input.timezone);
    const to = this.deps.resolve(input.to);
    const nextAt = nextOccurrence(schedule, now)!;
    const by = this.deps.idOf(input.by);
    const id = `rem-${randomBytes(6).toString('hex')}`;
    const reminder = await trail.decide(
      `a reminder for ${input.to}`,
      () => {
        const r = store.add({ id, to, body: input.body, when: input.when.trim(), schedule, nextAt, by, now });
        trail.observe({
          actor: by,
          kind: 'reminder.created',
          subject: id,
          data: { to: to.id, when: r.when, nextAt, bytes: Buffer.byteLength(input.body) },
        });
        return r;
      },
      () => store.remove(id),
    );
    this.emitChanged(reminder);
    this.arm();
    return reminder;
  }

  list(input: { all: boolean }): Reminder[] {
    return this.deps.store.list(input.all);
  }

  async cancel(input: { id: string; by: string }): Promise<Reminder> {
    const { store, trail } = this.deps;
    const before = store.get(input.id);
    if (!before)
      throw new DevMeshError('BAD_REQUEST', `no reminder ${input.id}; list them with \`devmesh remind ls --all\``);
    if (before.state !== 'scheduled')
      throw new DevMeshError('CONFLICT', `reminder ${input.id} is ${before.state} already; nothing to cancel`);
    const by = this.deps.idOf(input.by);
    await trail.decide(`cancelling reminder ${input.id}`, () => {
      if (!store.cancel(input.id))
        throw new DevMeshError('CONFLICT', `reminder ${input.id} fired or was cancelled meanwhile; nothing to cancel`);
      trail.observe({ actor: by, kind: 'reminder.cancelled', subject: input.id, data: { to: before.to } });
    });
    const after = store.get(input.id)!;
    this.emitChanged(after);
    this.arm();
    return after;
  }

  dispose(): void {
    this.disposed = true;
    this.timer?.cancel();
    this.timer = null;
  }

  /** one timer for the soonest reminder, at most maxWaitMs away (then it looks again) */
  private arm(): void {
    this.timer?.cancel();
    this.timer = null;
    if (this.disposed) return;
    let wait = this.maxWaitMs;
    try {
      const next = this.deps.store.earliest();
      if (next === null) return;
      const now = this.deps.clock.now();
      // one that is due already could not be fired on this turn: try again in a second, not in a tight loop
      wait = next <= now ? 1000 : Math.min(next - now, this.maxWaitMs);
    } catch (err) {
      // the store could not be read: look again on the next turn rather than never
      this.report(err, 'the reminders could not be read');
    }
    this.timer = this.deps.clock.schedule(() => this.turn(), wait);
  }

  private turn(): void {
    this.timer = null;
    try {
      const now = this.deps.clock.now();
      // late: more than one turn after its time (the clock jumped, the machine slept)
      for (const r of this.deps.store.due(now))
        this.contained(r, () => this.fire(r, now, now - r.nextAt! > this.maxWaitMs));
    } finally {
      this.arm();
    }
  }

  /** Claims the occurrence, then sends its message; the message is on this machine's board when it returns. */
  private fire(r: Reminder, now: number, late: boolean): void {
    const due = r.nextAt!;
    const next = r.schedule.kind === 'once' ? null : this.nextAfter(r, Math.max(now, due));
    if (!this.deps.store.claim(r.id, due, next, now)) return;
    const when = new Date(due).toISOString();
    const body = late
      ? `Reminder (late: it was due at ${when}, while DevMesh was not running): ${r.body}`
      : `Reminder: ${r.body}`;
    let sending: Promise<Message>;
    try {
      sending = this.deps.send(r.to, body);
    } catch (err) {
      sending = Promise.reject(err);
    }
    sending.then(
      (message) => this.fired(r, due, late, message.seq, null),
      (err: unknown) =>
        this.fired(r, due, late, null, `not sent to ${r.toName}: ${err instanceof Error ? err.message : String(err)}`),
    );
  }

  private fired(r: Reminder, dueAt: number, late: boolean, messageSeq: number | null, error: string | null): void {
    if (this.disposed) return; // the store is closing; the message went out (or not) all the same
    try {
      this.deps.store.setError(r.id, error);
      this.deps.trail.observe({
        actor: 'devmesh',
        kind: 'reminder.fired',
        subject: r.id,
        data: { to: r.to, dueAt, late, messageSeq, ...(error ? { error: error.slice(0, 500) } : {}) },
      });
      if (error)
        this.deps.logger.warn({ domain: 'reminders', reminder: r.id, to: r.to, err: error }, 'a reminder was not sent');
      this.deps.emit({ type: 'reminder.fired', ts: Date.now(), id: r.id, to: r.to, dueAt, late, messageSeq, error });
      this.changed(r.id);
    } catch (err) {
      this.failed(r, err);
    }
  }

  /** the first occurrence after `after` (never the one just fired again) */
  private nextAfter(r: Reminder, after: number): number | null {
    return nextOccurrence(r.schedule, Math.max(after, r.nextAt ?? after));
  }

  private changed(id: string): void {
    const r = this.deps.store.get(id);
    if (r) this.emitChanged(r);
  }

  private emitChanged(reminder: Reminder): void {
    this.deps.emit({ type: 'reminder.changed', ts: Date.now(), reminder });
  }

  private contained(r: Reminder, fn: () => void): void {
    try {
      fn();
      this.deps.health?.ok(REMINDERS_COMPONENT);
    } catch (err) {
      this.failed(r, err);
    }
  }

  private failed(r: Reminder, err: unknown): void {
    this.report(err, `reminder ${r.id} could not be fired`);
  }

  private report(err: unknown, what: string): void {
    const where = this.deps.where ?? 'the store';
    try {
      this.deps.health?.fail({ component: REMINDERS_COMPONENT, error: err, where, rule: RULE });
      this.deps.logger.error({ domain: 'reminders', err: (err as Error)?.message ?? String(err) }, what);
    } catch (reportErr) {
      process.emitWarning(`devmesh: ${what}, and it could not be reported: ${String(reportErr)}`);
    }
  }
}
