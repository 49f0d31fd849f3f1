// What a reminder's `when` means: `in …` spans from now, ISO times (local, Z, offsets), five-field cron
// expressions stepped by croner (in a zone when given), and a clear refusal for what is none of them.
import { describe, expect, it } from 'vitest';
import type { DevMeshError } from '../../../shared/errors.js';
import { nextOccurrence, parseWhen } from '../../../main/core/reminders/reminder-when.js';

const NOW = Date.parse('2026-12-07T10:00:00Z');

function refusal(when: string, timezone?: string): DevMeshError {
  try {
    parseWhen(when, NOW, timezone);
  } catch (err) {
    return err as DevMeshError;
  }
  throw new Error(`"${when}" was accepted`);
}

describe('parseWhen', () => {
  it('reads `in …` spans from now, units combined and spelled out', () => {
    expect(parseWhen('in 10m', NOW)).toEqual({ kind: 'once', at: NOW + 600_000 });
    expect(parseWhen('in 2h30m', NOW)).toEqual({ kind: 'once', at: NOW + 9_000_000 });
    expect(parseWhen('IN 1d 2h', NOW)).toEqual({ kind: 'once', at: NOW + 26 * 3_600_000 });
    expect(parseWhen('in 45 seconds', NOW)).toEqual({ kind: 'once', at: NOW + 45_000 });
    expect(parseWhen('in 3 mins', NOW)).toEqual({ kind: 'once', at: NOW + 180_000 });
  });

  it('reads ISO times with Z, an offset, or none (the local time)', () => {
    expect(parseWhen('2026-12-07T15:30Z', NOW)).toEqual({ kind: 'once', at: Date.parse('2026-12-07T15:30:00Z') });
    expect(parseWhen('2026-12-07T15:30:00+01:00', NOW)).toEqual({
      kind: 'once',
      at: Date.parse('2026-12-07T14:30:00Z'),
    });
    expect(parseWhen('2026-12-08 09:00', NOW)).toEqual({ kind: 'once', at: new Date(2026, 11, 8, 9, 0).getTime() });
  });

  it('reads cron expressions and steps them, in the zone given', () => {
    const weekdays = parseWhen('0 9 * * 1-5', NOW, 'UTC');
    expect(weekdays).toEqual({ kind: 'cron', expression: '0 9 * * 1-5', timezone: 'UTC' });
    // 2026-12-07 is a Monday, 10:00 UTC: the next 9:00 on a weekday is Tuesday's
    expect(nextOccurrence(weekdays, NOW)).toBe(Date.parse('2026-12-08T09:00:00Z'));
    const paris = parseWhen('0 9 * * *', NOW, 'Europe/Paris');
    expect(nextOccurrence(paris, NOW)).toBe(Date.parse('2026-12-08T08:00:00Z'));
    const quarter = parseWhen('*/15 * * * *', NOW, 'UTC');
    expect(nextOccurrence(quarter, NOW)).toBe(NOW + 15 * 60_000);
    expect(nextOccurrence(parseWhen('@hourly', NOW, 'UTC'), NOW)).toBe(NOW + 3_600_000);
  });

  it('refuses what is none of the forms, naming the forms', () => {
    for (const when of ['tomorrow', 'in', 'in 10x', 'in 0m', '10m', 'in 400d']) {
      const err = refusal(when);
      expect(err.code, when).toBe('BAD_REQUEST');
      expect(err.message, when).toMatch(/in 10m|366 days/);
    }
    expect(refusal('soon').message).toContain('cron expression');
  });

  it('refuses a time in the past, saying what time it is', () => {
    const err = refusal('2026-12-07T09:59Z');
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.message).toContain('in the past');
    expect(err.message).toContain('2026-12-07T10:00:00.000Z');
  });

  it("refuses a bad cron expression with croner's reason and an example", () => {
    const err = refusal('61 * * * *');
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.message).toMatch(/^bad cron expression "61 \* \* \* \*": .+; e\.g\. "0 9 \* \* 1-5"/);
    expect(refusal('0 0 9 * * *').message).toContain('has 6 fields; reminders take five');
    expect(refusal('0 0 30 2 *').message).toContain('never fires');
    expect(refusal('@sometimes').message).toContain('not a cron nickname');
    expect(refusal('0 9 * * *', 'Mars/Olympus').message).toContain('not a time zone');
  });
});
