// What `when` a reminder was given means: `in 10m` / `in 2h30m` (from now), an ISO time, or a cron
// expression (croner parses and steps it: https://croner.56k.guru/usage/pattern/ and
// https://croner.56k.guru/usage/configuration/ for `timezone`). Errors a user can cause say which forms work.
import { Cron } from 'croner';
import { DevMeshError } from '../../../shared/errors.js';
import type { ReminderSchedule } from '../../../shared/reminder.js';

/** the longest `in …` and the furthest ISO time accepted (a typo such as `in 90d` for `in 90m` is refused) */
export const MAX_AHEAD_MS = 366 * 24 * 3600_000;

export const WHEN_FORMS =
  'use `in 10m`, `in 2h30m`, `in 1d` (units d, h, m, s), an ISO time (2026-12-07T15:30, or with Z or +01:00), ' +
  'or a cron expression of five fields ("0 9 * * 1-5": 9:00 on weekdays; "*/30 * * * *"; @daily, @hourly)';
const CRON_EXAMPLE = 'e.g. "0 9 * * 1-5" (9:00 on weekdays) or "*/15 * * * *" (every 15 minutes)';

const UNIT_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 };
const UNIT_WORDS: [RegExp, string][] = [
  [/^(d|days?)$/, 'd'],
  [/^(h|hrs?|hours?)$/, 'h'],
  [/^(m|mins?|minutes?)$/, 'm'],
  [/^(s|secs?|seconds?)$/, 's'],
];
const RELATIVE = /^in\s+(.+)$/i;
const RELATIVE_PART = /(\d+)\s*([a-z]+)\s*/gy;
const ISO = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?$/i;
const CRON_NICKNAMES = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

/** A schedule for `when`, relative to `now`; throws BAD_REQUEST naming the accepted forms. */
export function parseWhen(when: string, now: number, timezone?: string): ReminderSchedule {
  const text = when.trim();
  const relative = RELATIVE.exec(text);
  if (relative) return { kind: 'once', at: now + relativeMs(relative[1]!, text) };
  if (ISO.test(text)) return { kind: 'once', at: isoTime(text, now) };
  if (text.startsWith('@') || text.split(/\s+/).length >= 5) {
    const schedule: ReminderSchedule = { kind: 'cron', expression: text, timezone: checkZone(timezone) };
    if (nextOccurrence(schedule, now) === null)
      throw bad(`the cron expression "${text}" never fires (no date matches it); ${CRON_EXAMPLE}`);
    return schedule;
  }
  throw bad(`cannot read the time "${text}": ${WHEN_FORMS}`);
}

/** The first occurrence strictly after `after` (ms); null when there is none (a one-time reminder's is its own). */
export function nextOccurrence(schedule: ReminderSchedule, after: number): number | null {
  if (schedule.kind === 'once') return schedule.at > after ? schedule.at : null;
  const next = cronOf(schedule).nextRun(new Date(after));
  return next ? next.getTime() : null;
}

function cronOf(schedule: Extract<ReminderSchedule, { kind: 'cron' }>): Cron {
  const fields = schedule.expression.split(/\s+/).length;
  if (!schedule.expression.startsWith('@') && fields !== 5)
    throw bad(
      `the cron expression "${schedule.expression}" has ${fields} fields; reminders take five ` +
        `(minute hour day-of-month month day-of-week), ${CRON_EXAMPLE}`,
    );
  if (schedule.expression.startsWith('@') && !CRON_NICKNAMES.includes(schedule.expression.toLowerCase()))
    throw bad(`"${schedule.expression}" is not a cron nickname (${CRON_NICKNAMES.join(', ')}); ${CRON_EXAMPLE}`);
  try {
    // no function: croner only evaluates the pattern, it schedules nothing (the scheduler owns the timers)
    const mode = schedule.expression.startsWith('@') ? 'auto' : '5-part';
    return new Cron(schedule.expression, { mode, ...(schedule.timezone ? { timezone: schedule.timezone } : {}) });
  } catch (err) {
    throw bad(`bad cron expression "${schedule.expression}": ${(err as Error).message}; ${CRON_EXAMPLE}`);
  }
}

function relativeMs(span: string, text: string): number {
  let total = 0;
  let end = 0;
  RELATIVE_PART.lastIndex = 0;
  for (let m = RELATIVE_PART.exec(span); m; m = RELATIVE_PART.exec(span)) {
    const word = m[2]!.toLowerCase();
    const unit = UNIT_WORDS.find(([re]) => re.test(word))?.[1];
    if (!unit) throw bad(`"${word}" in "${text}" is not a unit: ${WHEN_FORMS}`);
    total += Number(m[1]) * UNIT_MS[unit]!;
    end = RELATIVE_PART.lastIndex;
  }
  if (end !== span.length || total === 0) throw bad(`cannot read the time "${text}": ${WHEN_FORMS}`);
  if (total > MAX_AHEAD_MS) throw bad(`"${text}" is more than 366 days ahead; ${WHEN_FORMS}`);
  return total;
}

function isoTime(text: string, now: number): number {
  // without Z or an offset, JavaScript reads a date-time as the daemon's local time (ECMA-262 Date.parse)
  const at = Date.parse(text.replace(' ', 'T'));
  if (Number.isNaN(at)) throw bad(`"${text}" is not a valid date and time: ${WHEN_FORMS}`);
  if (at <= now)
    throw bad(`"${text}" is in the past (it is ${new Date(now).toISOString()} now); give a later time, or \`in 10m\``);
  if (at - now > MAX_AHEAD_MS) throw bad(`"${text}" is more than 366 days ahead; ${WHEN_FORMS}`);
  return at;
}

function checkZone(timezone: string | undefined): string | null {
  if (timezone === undefined) return null;
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
  } catch {
    throw bad(`"${timezone}" is not a time zone; give an IANA name such as Europe/Paris or UTC`);
  }
  return timezone;
}

function bad(message: string): DevMeshError {
  return new DevMeshError('BAD_REQUEST', message);
}
