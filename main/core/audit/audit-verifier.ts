// Walks the whole audit chain and its JSONL mirror side by side, a page of rows at a time (bounded memory,
// and the event loop breathes between pages), and names the first broken entry: a missing seq (deleted), a
// prevHash that does not link to the entry before (reordered, moved, inserted), a hash that does not match
// the contents (edited), a chain that ends before the head (cut tail), or a mirror line that differs.
import { setImmediate as breathe } from 'node:timers/promises';
import { AUDIT_GENESIS_HASH, type AuditBreak, type VerifyResult } from '../../../shared/audit.js';
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
    this.selectPage = db.prepare('SELECT seq, ts, actor, kind, subject, data_json, prev_hash, hash FROM audit_entries WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?');
    this.selectHead = db.prepare('SELECT seq, hash FROM audit_head WHERE id = 1');
    this.selectEnd = db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM audit_entries');
  }

  async verify(): Promise<VerifyResult> {
    // Snapshot: what exists now. Entries appended while we walk have larger seqs and are left for next time.
    const head = (this.selectHead.get() as { seq: number; hash: string } | undefined) ?? { seq: 0, hash: AUDIT_GENESIS_HASH };
    const end = (this.selectEnd.get() as { seq: number }).seq;
    const mirror = new JsonlLineReader(this.mirrorPath);
    let firstBroken: AuditBreak | null = null;
    let mirrorBroken = false;
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
            breakAt(expected, row.seq === expected + 1
              ? `entry ${expected} is missing (deleted): the chain jumps from ${prevSeq} to ${row.seq}`
              : `entries ${expected}..${row.seq - 1} are missing (deleted): the chain jumps from ${prevSeq} to ${row.seq}`);
          } else if (row.prev_hash !== prevHash) {
            breakAt(row.seq, `link broken at entry ${row.seq}: its prevHash is not the hash of entry ${prevSeq} (reordered, moved or inserted)`);
          } else if (auditHash(row) !== row.hash) {
            breakAt(row.seq, `entry ${row.seq} was edited: its hash does not match its contents`);
          }
          if (!mirrorBroken) {
            const line = mirror.next();
            if (line === null) {
              mirrorBroken = true;
              breakAt(row.seq, `mirror mismatch at line ${mirror.lineNumber + 1}: the mirror ends there but the chain goes on to entry ${end}`);
            } else if (line !== auditMirrorLine(row)) {
              mirrorBroken = true;
              breakAt(row.seq, `mirror mismatch at line ${mirror.lineNumber}: it differs from entry ${row.seq} in SQLite`);
            }
          }
          prevSeq = row.seq;
          prevHash = row.hash;
        }
        if (rows.length < PAGE) break;
        await breathe();
      }
      if (prevSeq !== head.seq || prevHash !== head.hash) {
        breakAt(Math.min(prevSeq, head.seq) + 1, prevSeq < head.seq
          ? `the chain ends at entry ${prevSeq} but the head says ${head.seq}: entries ${prevSeq + 1}..${head.seq} were cut off`
          : prevSeq > head.seq
            ? `the chain goes on to entry ${prevSeq} but the head says ${head.seq}: entries past the head were added outside DevMesh`
            : `the last entry ${prevSeq} is not the one the head recorded (its hash differs)`);
      }
      if (!mirrorBroken) {
        const extra = mirror.next();
        // A line past the snapshot is fine when it is an entry appended since the snapshot was taken.
        if (extra !== null && (this.selectHead.get() as { seq: number }).seq === head.seq) {
          mirrorBroken = true;
          breakAt(prevSeq + 1, `mirror mismatch at line ${mirror.lineNumber}: the mirror goes on past the chain's last entry ${prevSeq}`);
        }
      }
    } finally {
      mirror.close();
    }
    return { ok: firstBroken === null, entries, firstBroken, headSeq: head.seq, mirror: mirrorBroken ? 'mismatch' : 'ok' };
  }
}
