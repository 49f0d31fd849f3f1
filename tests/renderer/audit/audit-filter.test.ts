import { describe, expect, it } from 'vitest';
import { auditFilterOf, EMPTY_AUDIT_FORM } from '../../../renderer/audit/audit-filter.js';

const form = (over: Partial<typeof EMPTY_AUDIT_FORM>) => ({ ...EMPTY_AUDIT_FORM, ...over });

describe('the audit filter as typed', () => {
  it('sends nothing for an empty form', () => {
    expect(auditFilterOf(EMPTY_AUDIT_FORM)).toEqual({ ok: true, filter: {} });
  });

  it('takes a kind or the start of kinds, trimmed and lower-cased, a trailing dot dropped', () => {
    expect(auditFilterOf(form({ kind: ' Lock.Granted ' }))).toEqual({ ok: true, filter: { kind: 'lock.granted' } });
    expect(auditFilterOf(form({ kind: 'lock.' }))).toEqual({ ok: true, filter: { kind: 'lock' } });
  });

  it('names the kind field and how to write it when it is not a kind', () => {
    const check = auditFilterOf(form({ kind: 'lock granted' }));
    expect(check).toEqual({ ok: false, field: 'kind', message: expect.stringMatching(/dotted lower-case words/) });
    expect(auditFilterOf(form({ kind: '9lives' }))).toMatchObject({ ok: false, field: 'kind' });
    expect(auditFilterOf(form({ kind: 'a'.repeat(65) }))).toMatchObject({ ok: false, field: 'kind' });
  });

  it('takes an actor as typed (trimmed) and refuses one longer than the chain keeps', () => {
    expect(auditFilterOf(form({ actor: ' fixer ' }))).toEqual({ ok: true, filter: { actor: 'fixer' } });
    expect(auditFilterOf(form({ actor: 'x'.repeat(129) }))).toMatchObject({ ok: false, field: 'actor' });
  });

  it('reads the time range as local time, and refuses one that ends before it starts', () => {
    const since = new Date(2025, 2, 1, 14, 5).getTime();
    const until = new Date(2025, 2, 1, 15, 0).getTime();
    expect(auditFilterOf(form({ since: '2025-03-01T14:05', until: '2025-03-01T15:00' }))).toEqual({
      ok: true,
      filter: { since, until },
    });
    expect(auditFilterOf(form({ since: '2025-03-01T15:00', until: '2025-03-01T14:05' }))).toMatchObject({
      ok: false,
      field: 'until',
      message: expect.stringMatching(/ends before it starts/),
    });
    expect(auditFilterOf(form({ since: 'yesterday' }))).toMatchObject({ ok: false, field: 'since' });
  });
});
