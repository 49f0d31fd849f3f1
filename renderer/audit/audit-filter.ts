// The Audit view's filter as typed (kind, actor, a time range as local date-times) checked into the
// `audit.list` filter, or the first field that cannot be sent with what is wrong and how to write it. The
// daemon checks again; this only saves a round trip and says which field.
import { AuditActorSchema, AuditKindSchema, type AuditFilter } from '../../shared/audit.js';

export interface AuditFilterForm {
  /** a kind (`lock.granted`) or the start of kinds (`lock`) */
  kind: string;
  /** an agent's name or id, `user`, `devmesh`, a peer */
  actor: string;
  /** `<input type="datetime-local">` values: `2025-03-01T14:05`, local time; empty: open */
  since: string;
  until: string;
}

export const EMPTY_AUDIT_FORM: AuditFilterForm = { kind: '', actor: '', since: '', until: '' };

export type AuditFilterCheck =
  | { ok: true; filter: Pick<AuditFilter, 'kind' | 'actor' | 'since' | 'until'> }
  | { ok: false; field: keyof AuditFilterForm; message: string };

/** local date-time → ms since the epoch, NaN when it is not one */
const localTime = (value: string): number =>
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) ? new Date(value).getTime() : NaN;

export function auditFilterOf(form: AuditFilterForm): AuditFilterCheck {
  const filter: Pick<AuditFilter, 'kind' | 'actor' | 'since' | 'until'> = {};
  const kind = form.kind.trim().toLowerCase().replace(/\.+$/, '');
  if (kind !== '') {
    if (!AuditKindSchema.safeParse(kind).success)
      return {
        ok: false,
        field: 'kind',
        message: `“${form.kind.trim()}” is not a kind: write dotted lower-case words, as lock.granted or lock`,
      };
    filter.kind = kind;
  }
  const actor = form.actor.trim();
  if (actor !== '') {
    if (!AuditActorSchema.safeParse(actor).success)
      return { ok: false, field: 'actor', message: 'An actor is at most 128 characters: an agent, user, devmesh' };
    filter.actor = actor;
  }
  for (const field of ['since', 'until'] as const) {
    if (form[field] === '') continue;
    const ms = localTime(form[field]);
    if (!Number.isFinite(ms) || ms < 0)
      return { ok: false, field, message: `“${form[field]}” is not a date and time: pick one, as 2025-03-01 14:05` };
    filter[field] = ms;
  }
  if (filter.since !== undefined && filter.until !== undefined && filter.since >= filter.until)
    return { ok: false, field: 'until', message: 'The range ends before it starts: pick an end after the start' };
  return { ok: true, filter };
}

/** the kinds' first words DevMesh records, offered as the kind field's suggestions */
export const AUDIT_KIND_SUGGESTIONS = [
  'agent',
  'audit',
  'daemon',
  'lock',
  'message',
  'reminder',
  'review',
  'service',
  'state',
  'store',
  'task',
  'team',
  'terminal',
  'usage',
] as const;
