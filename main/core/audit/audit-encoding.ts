// The bytes an audit entry is hashed over and the line it is mirrored as, built from a stored row whose
// data is already canonical JSON (so verify does not parse and re-encode every entry's data). Both equal
// canonicalJson() of the same entry, key for key: tests/core/audit/canonical-json.test.ts holds them to it.
import { createHash } from 'node:crypto';

/** an audit entry as stored: `data_json` is canonicalJson(data) */
export interface AuditRow {
  seq: number;
  ts: number;
  actor: string;
  kind: string;
  subject: string;
  data_json: string;
  prev_hash: string;
  hash: string;
}

/** canonicalJson({ seq, ts, actor, kind, subject, data, prevHash }), keys in sorted order */
export function auditHashInput(row: Omit<AuditRow, 'hash'>): string {
  return `{"actor":${JSON.stringify(row.actor)},"data":${row.data_json},"kind":${JSON.stringify(row.kind)},"prevHash":${JSON.stringify(row.prev_hash)},"seq":${row.seq},"subject":${JSON.stringify(row.subject)},"ts":${row.ts}}`;
}

export function auditHash(row: Omit<AuditRow, 'hash'>): string {
  return createHash('sha256').update(auditHashInput(row)).digest('hex');
}

/** canonicalJson of the whole entry, hash included: one line of audit.jsonl (without its newline) */
export function auditMirrorLine(row: AuditRow): string {
  return `{"actor":${JSON.stringify(row.actor)},"data":${row.data_json},"hash":${JSON.stringify(row.hash)},"kind":${JSON.stringify(row.kind)},"prevHash":${JSON.stringify(row.prev_hash)},"seq":${row.seq},"subject":${JSON.stringify(row.subject)},"ts":${row.ts}}`;
}
