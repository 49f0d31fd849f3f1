// Walks the whole audit chain and its JSONL mirror side by side, a page of rows at a time (bounded memory,
// and the event loop breathes between pages), and names the first broken entry: a missing seq (deleted), a
// prevHash that does not link to the entry before (reordered, moved, inserted), a hash that does not match
// the contents (edited), a chain that ends before the head (cut tail), or a mirror line that differs.
// Two findings are not tampering but still not "ok": a mirror that is a clean prefix of the chain is
// behind by N entries (a full disk kept their lines from it; DevMesh rewrites them from the chain), and an
// `audit.outage` entry that counts events the chain could not record is a gap, listed with its span.
import { setImmediate as breathe } from 'node:timers/promises';
import {
  AUDIT_GENESIS_HASH,
  AUDIT_OUTAGE_KIND,
  type AuditBreak,
  type AuditGap,
  type VerifyResult,
} from '../../../shared/audit.js';
import type { Database } from '../store/database.js';
import { auditHash, auditMirrorLine, type AuditRow } from './audit-encoding.js';
import { JsonlLineReader } from './jsonl-line-reader.js';

const PAGE = 2000;

export class AuditVerifier {
  private readonly selectPage;
  private readonly selectHead;
  private readonly selectEnd;

  constructor(
    database: Database,
    private readonly mirrorPath: string,
  ) {
    const db = database.db;
    this.selectPage = db.prepare(
      'SELECT seq, ts, actor, kind, subject, data_json, prev_hash, hash FROM audit_entries WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?',
    );
    this.selectHead = db.prepare('SELECT seq, hash FROM audit_head WHERE id = 1');
    this.selectEnd = db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM audit_entries');
  }

  async verify(): Promise<VerifyResult> {
    // Snapshot: what exists now. Entries appended while we walk have larger seqs and are left for next time.
    const head = (this.selectHead.get() as { seq: number; hash: string } | undefined) ?? {
      seq: 0,
      hash: AUDIT_GENESIS_HASH,
    };
    const end = (this.selectEnd.get() as { seq: number }).seq;
    const mirror = new JsonlLineReader(this.mirrorPath);
    let firstBroken: AuditBreak | null = null;
    let mirrorBroken = false;
    /** seq of the first chain entry the mirror ends before (its lines all matched up to there) */
    let mirrorEndedAt: number | null = null;
    const gaps: AuditGap[] = [];
    const breakAt = (seq: number, why: string): void => {
      firstBroken ??= { seq, why };
    };
    let entries = 0;
    let prevSeq = 0;
    let prevHash = AUDIT_GENESIS_HASH;
    try {
      for (;;) {
        const rows = this.selectPage.all(prevSeq, end, PAGE) as AuditRow[];
        for (const row of rows) {
          entries++;
          const expected = prevSeq + 1;
          if (row.seq !== expected) {
            breakAt(
              expected,
              row.seq === expected + 1
                ? `entry ${expected} is missing (deleted): the chain jumps from ${prevSeq} to ${row.seq}`
                : `entries ${expected}..${row.seq - 1} are missing (deleted): the chain jumps from ${prevSeq} to ${row.seq}`,
            );
          } else if (row.prev_hash !== prevHash) {
            breakAt(
              row.seq,
              `link broken at entry ${row.seq}: its prevHash is not the hash of entry ${prevSeq} (reordered, moved or inserted)`,
            );
          } else if (auditHash(row) !== row.hash) {
            breakAt(row.seq, `entry ${row.seq} was edited: its hash does not match its contents`);
          }
          if (row.kind === AUDIT_OUTAGE_KIND) {
            const gap = AuditVerifier.gap(row);
            if (gap !== null) gaps.push(gap);
          }
          if (!mirrorBroken && mirrorEndedAt === null) {
            const line = mirror.next();
            if (line === null) {
              mirrorEndedAt = row.seq;
            } else if (line !== auditMirrorLine(row)) {
              mirrorBroken = true;
              breakAt(
                row.seq,
                `mirror mismatch at line ${mirror.lineNumber}: it differs from entry ${row.seq} in SQLite`,
              );
            }
          }
          prevSeq = row.seq;
          prevHash = row.hash;
        }
        if (rows.length < PAGE) break;
        await breathe();
      }
      if (prevSeq !== head.seq || prevHash !== head.hash) {
        breakAt(
          Math.min(prevSeq, head.seq) + 1,
          prevSeq < head.seq
            ? `the chain ends at entry ${prevSeq} but the head says ${head.seq}: entries ${prevSeq + 1}..${head.seq} were cut off`
            : prevSeq > head.seq
              ? `the chain goes on to entry ${prevSeq} but the head says ${head.seq}: entries past the head were added outside DevMesh`
              : `the last entry ${prevSeq} is not the one the head recorded (its hash differs)`,
        );
      }
      if (!mirrorBroken && mirrorEndedAt === null) {
        const extra = mirror.next();
        // A line past the snapshot is fine when it is an entry appended since the snapshot was taken.
        if (extra !== null && (this.selectHead.get() as { seq: number }).seq === head.seq) {
          mirrorBroken = true;
          breakAt(
            prevSeq + 1,
            `mirror mismatch at line ${mirror.lineNumber}: the mirror goes on past the chain's last entry ${prevSeq}`,
          );
        }
      }
    } finally {
      mirror.close();
    }
    const mirrorBehind = mirrorEndedAt === null ? 0 : prevSeq - mirrorEndedAt + 1;
    const mirrorState = mirrorBroken ? 'mismatch' : mirrorBehind > 0 ? 'behind' : 'ok';
    const ok = firstBroken === null && mirrorState === 'ok' && gaps.length === 0;
    return { ok, entries, firstBroken, headSeq: head.seq, mirror: mirrorState, mirrorBehind, gaps };
  }

  private static gap(row: AuditRow): AuditGap | null {
    try {
      const d = JSON.parse(row.data_json) as { from?: unknown; to?: unknown; unrecorded?: unknown; cause?: unknown };
      const unrecorded = typeof d.unrecorded === 'number' ? d.unrecorded : 0;
      if (unrecorded <= 0) return null;
      const n = (v: unknown): number => (typeof v === 'number' ? v : row.ts);
      return {
        seq: row.seq,
        from: n(d.from),
        to: n(d.to),
        unrecorded,
        cause: typeof d.cause === 'string' ? d.cause : 'unknown',
      };
    } catch {
      return null; // an edited entry: its hash says so
    }
  }
}
