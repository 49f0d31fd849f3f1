// Reading the audit chain back: entries newest first, filtered by actor, kind (a kind names its subtree:
// `lock` is lock.*), time and sequence, in pages of `limit` with the cursor of the next page. Also the
// stored row's columns and the entry the API shows for a row.
import { AuditFilterSchema, type AuditEntry, type AuditFilter, type AuditPage } from '../../../shared/audit.js';
import { DevMeshError } from '../../../shared/errors.js';
import type { Sqlite } from '../store/database.js';
import type { AuditRow } from './audit-encoding.js';

export const AUDIT_COLUMNS = 'seq, ts, actor, kind, subject, data_json, prev_hash, hash';

export function auditEntry(r: AuditRow): AuditEntry {
  return {
    seq: r.seq,
    ts: r.ts,
    actor: r.actor,
    kind: r.kind,
    subject: r.subject,
    data: JSON.parse(r.data_json) as unknown,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

export function listAuditEntries(db: Sqlite, filter: AuditFilter): AuditPage {
  const parsed = AuditFilterSchema.safeParse(filter);
  if (!parsed.success)
    throw new DevMeshError(
      'BAD_REQUEST',
      `bad audit filter: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const f = parsed.data;
  const where: string[] = [];
  const args: Array<string | number> = [];
  if (f.actor !== undefined) {
    where.push('actor = ?');
    args.push(f.actor);
  }
  // `lock` means lock.*: the range [lock., lock/) holds exactly the kinds under it ('/' follows '.'), and uses the index
  if (f.kind !== undefined) {
    where.push('(kind = ? OR (kind >= ? AND kind < ?))');
    args.push(f.kind, `${f.kind}.`, `${f.kind}/`);
  }
  if (f.since !== undefined) {
    where.push('ts >= ?');
    args.push(f.since);
  }
  if (f.until !== undefined) {
    where.push('ts < ?');
    args.push(f.until);
  }
  if (f.before !== undefined) {
    where.push('seq < ?');
    args.push(f.before);
  }
  const sql = `SELECT ${AUDIT_COLUMNS} FROM audit_entries ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`;
  const rows = db.prepare(sql).all(...args, f.limit + 1) as AuditRow[];
  const more = rows.length > f.limit;
  const entries = rows.slice(0, f.limit).map((r) => auditEntry(r));
  return { entries, nextBefore: more ? entries[entries.length - 1]!.seq : null };
}
