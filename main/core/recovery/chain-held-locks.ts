// Which locks an earlier run still held when it ended, read from the audit chain rather than from a table of
// its own: every lock DevMesh grants is in the chain (lock.granted, with its id, mode, holder and space)
// before the grant is acknowledged, and every way a lock ends is too (lock.released, lock.expired,
// lock.dropped). So the locks held at the end of a run are its grants without an end, found by one indexed
// read of the chain since that run started; a second table written on every grant, release and heartbeat
// could only disagree with the chain. Lock ids carry the run's number, so ids of different runs never meet.
import type { Database } from '../store/database.js';
import type { AuditRow } from '../audit/audit-encoding.js';

export interface ChainLock {
  lockId: string;
  holder: string;
  mode: string;
  /** the audit subject of the grant: the path, `dir/` or the glob */
  subject: string;
  root: string | null;
  project: string | null;
  /** the chain position of its (last) grant */
  seq: number;
  grantedAt: number;
}

type Row = Pick<AuditRow, 'seq' | 'ts' | 'actor' | 'kind' | 'subject' | 'data_json'>;

const KINDS = ['lock.granted', 'lock.released', 'lock.expired', 'lock.dropped'];

export class ChainHeldLocks {
  constructor(private readonly database: Database) {}

  /** Locks granted in (fromSeq, toSeq] and not ended there, in the order they were granted. */
  held(fromSeq: number, toSeq: number): ChainLock[] {
    const rows = this.database.db
      .prepare(
        `SELECT seq, ts, actor, kind, subject, data_json FROM audit_entries
                WHERE kind IN (${KINDS.map(() => '?').join(', ')}) AND seq > ? AND seq <= ? ORDER BY seq`,
      )
      .iterate(...KINDS, fromSeq, toSeq) as IterableIterator<Row>;
    const held = new Map<string, ChainLock>();
    for (const row of rows) {
      const data = ChainHeldLocks.data(row.data_json);
      const lockId = typeof data.lockId === 'string' ? data.lockId : null;
      if (lockId === null) continue;
      if (row.kind !== 'lock.granted') {
        held.delete(lockId);
        continue;
      }
      const before = held.get(lockId);
      held.set(lockId, {
        lockId,
        holder: row.actor,
        mode: typeof data.mode === 'string' ? data.mode : '?',
        subject: row.subject,
        root: typeof data.root === 'string' ? data.root : null,
        project: typeof data.project === 'string' ? data.project : null,
        seq: row.seq,
        // a conversion (READ → WRITE) is granted again under the same id: held since the first grant
        grantedAt: before?.grantedAt ?? row.ts,
      });
    }
    return [...held.values()];
  }

  private static data(json: string): Record<string, unknown> {
    try {
      const v = JSON.parse(json) as unknown;
      return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {};
    } catch {
      return {}; // not ours to judge: audit verify names a damaged entry
    }
  }
}
