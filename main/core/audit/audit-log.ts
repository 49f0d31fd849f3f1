// The audit log: appends hash-linked entries to SQLite and mirrors each to `.devmesh/audit.jsonl`, lists
// them (newest first, filtered, paged) and verifies the chain, its head and its mirror.
//
// Durability ("a crash loses no entry that was acknowledged"): the store runs WAL with synchronous=NORMAL,
// which survives a process crash but may roll back the last commits on a power cut or an OS crash. With
// durability 'full' (the default) each append commits with synchronous=FULL on the connection (the WAL is
// fsynced before append returns; the pragma is set back at once, so the rest of the store keeps NORMAL's
// speed), then writes and fdatasyncs the mirror line: append returns only when both are on disk.
// 'batched' skips both syncs and syncs every `flushIntervalMs` instead: an acknowledged entry survives a
// process crash, but a power cut may lose the last interval's entries.
// 'grouped' (what the daemon uses) is group commit: append writes without syncing and schedules one sync
// for everything appended in the same turn of the event loop; `durable()` resolves once that sync is done
// (a FULL-synchronous commit fsyncs the WAL, which covers the commits before it, then the mirror is
// fdatasynced). The API answers a call only after `durable()`, so an acknowledged decision is on disk as
// with 'full', while concurrent calls share one fsync instead of queueing for one each.
//
// A crash between the SQLite commit and the mirror write leaves the mirror one entry behind (that entry was
// never acknowledged): opening the log restores the missing lines from SQLite and records that it did, in
// the chain itself (kind `audit.mirror-restored`), so the repair cannot hide anything.
import { AUDIT_GENESIS_HASH, AUDIT_MAX_DATA_BYTES, AuditAppendSchema, AuditFilterSchema, type AuditAppend, type AuditEntry, type AuditFilter, type AuditPage, type VerifyResult } from '../../../shared/audit.js';
import { DevMeshError } from '../../../shared/errors.js';
import type { Database } from '../store/database.js';
import { auditHash, auditMirrorLine, type AuditRow } from './audit-encoding.js';
import { AuditMirror } from './audit-mirror.js';
import { AuditVerifier } from './audit-verifier.js';
import { canonicalJson } from './canonical-json.js';

export type AuditDurability = 'full' | 'batched' | 'grouped';

export interface AuditLogOptions {
  /** `<project or home>/.devmesh/audit.jsonl` */
  mirrorPath: string;
  durability?: AuditDurability;
  /** 'batched' only: how often the WAL and the mirror are synced */
  flushIntervalMs?: number;
  now?: () => number;
}

export interface AuditOpenReport {
  /** mirror lines restored from SQLite at open (committed, but the crash came before the mirror write) */
  restoredLines: number;
  /** bytes of a torn last mirror line cut off at open */
  tornBytes: number;
}

const COLUMNS = 'seq, ts, actor, kind, subject, data_json, prev_hash, hash';

export class AuditLog {
  readonly durability: AuditDurability;
  readonly openReport: AuditOpenReport;
  private readonly mirror: AuditMirror;
  private readonly verifier: AuditVerifier;
  private readonly now: () => number;
  private readonly insertStmt;
  private readonly headStmt;
  private readonly setHeadStmt;
  private readonly rangeStmt;
  private readonly syncFull;
  private readonly syncRestore;
  private readonly appendTx;
  private timer: NodeJS.Timeout | null = null;
  private dirty = false;
  /** 'grouped': the sync scheduled for what was appended since the last one */
  private pending: Promise<void> | null = null;
  private readonly syncTx;

  constructor(
    private readonly database: Database,
    options: AuditLogOptions,
  ) {
    const db = database.db;
    this.durability = options.durability ?? 'full';
    this.now = options.now ?? Date.now;
    this.insertStmt = db.prepare(`INSERT INTO audit_entries (${COLUMNS}) VALUES (@seq, @ts, @actor, @kind, @subject, @data_json, @prev_hash, @hash)`);
    this.headStmt = db.prepare('SELECT seq, hash FROM audit_head WHERE id = 1');
    this.setHeadStmt = db.prepare('UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1');
    this.rangeStmt = db.prepare(`SELECT ${COLUMNS} FROM audit_entries WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT 1000`);
    const level = db.pragma('synchronous', { simple: true }) as number;
    this.syncFull = db.prepare('PRAGMA synchronous = FULL');
    this.syncRestore = db.prepare(`PRAGMA synchronous = ${level}`);
    this.appendTx = db.transaction((input: { ts: number; actor: string; kind: string; subject: string; data_json: string }): AuditRow => {
      const head = this.head();
      const unsigned = { ...input, seq: head.seq + 1, prev_hash: head.hash };
      const row: AuditRow = { ...unsigned, hash: auditHash(unsigned) };
      this.insertStmt.run(row);
      this.setHeadStmt.run(row.seq, row.hash);
      return row;
    });
    // a commit that changes nothing but is a commit: under synchronous=FULL it fsyncs the WAL
    this.syncTx = db.transaction(() => db.prepare('UPDATE audit_head SET seq = seq WHERE id = 1').run());
    this.mirror = new AuditMirror(options.mirrorPath);
    this.verifier = new AuditVerifier(database, options.mirrorPath);
    this.openReport = this.restoreMirror();
    if (this.durability === 'batched') {
      this.timer = setInterval(() => this.flush(), options.flushIntervalMs ?? 200);
      this.timer.unref();
    }
  }

  /** Appends one entry; returns once it is durable under the chosen policy. */
  append(input: AuditAppend): AuditEntry {
    const parsed = AuditAppendSchema.safeParse(input);
    if (!parsed.success) throw new DevMeshError('BAD_REQUEST', `an audit entry needs an actor, a dotted kind (lock.granted) and a subject: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const { actor, kind, subject, data } = parsed.data;
    const dataJson = canonicalJson(data === undefined ? null : data);
    if (Buffer.byteLength(dataJson) > AUDIT_MAX_DATA_BYTES) {
      throw new DevMeshError('MESSAGE_TOO_LARGE', `audit data for ${kind} on ${subject} is ${Buffer.byteLength(dataJson)} bytes, over ${AUDIT_MAX_DATA_BYTES}; record a summary or a reference instead`);
    }
    const full = this.durability === 'full';
    if (full) this.syncFull.run();
    let row: AuditRow;
    try {
      row = this.appendTx.immediate({ ts: this.now(), actor, kind, subject, data_json: dataJson });
    } finally {
      if (full) this.syncRestore.run();
    }
    this.mirror.append([auditMirrorLine(row)], full);
    if (!full) this.dirty = true;
    if (this.durability === 'grouped') this.scheduleSync();
    return AuditLog.toEntry(row);
  }

  /** 'grouped': entries appended since the last sync are waiting for the next one */
  get syncPending(): boolean {
    return this.pending !== null;
  }

  /** Resolves once every entry appended so far is on disk ('grouped'; at once for the other policies). */
  durable(): Promise<void> {
    return this.durability === 'grouped' && this.pending !== null ? this.pending : Promise.resolve();
  }

  private scheduleSync(): void {
    this.pending ??= new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        this.pending = null;
        try {
          this.syncNow();
          resolve();
        } catch (err) {
          reject(err);
        }
      });
    });
    // a failed sync is reported to whoever awaits durable(); nobody awaiting must not crash the process
    this.pending.catch(() => undefined);
  }

  private syncNow(): void {
    if (!this.dirty || !this.database.db.open) return;
    this.dirty = false;
    this.syncFull.run();
    try {
      this.syncTx.immediate();
    } finally {
      this.syncRestore.run();
    }
    this.mirror.sync();
  }

  list(filter: AuditFilter = {}): AuditPage {
    const parsed = AuditFilterSchema.safeParse(filter);
    if (!parsed.success) throw new DevMeshError('BAD_REQUEST', `bad audit filter: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const f = parsed.data;
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (f.actor !== undefined) (where.push('actor = ?'), args.push(f.actor));
    // `lock` means lock.*: the range [lock., lock/) holds exactly the kinds under it ('/' follows '.'), and uses the index
    if (f.kind !== undefined) (where.push('(kind = ? OR (kind >= ? AND kind < ?))'), args.push(f.kind, `${f.kind}.`, `${f.kind}/`));
    if (f.since !== undefined) (where.push('ts >= ?'), args.push(f.since));
    if (f.until !== undefined) (where.push('ts < ?'), args.push(f.until));
    if (f.before !== undefined) (where.push('seq < ?'), args.push(f.before));
    const sql = `SELECT ${COLUMNS} FROM audit_entries ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`;
    const rows = this.database.db.prepare(sql).all(...args, f.limit + 1) as AuditRow[];
    const more = rows.length > f.limit;
    const entries = rows.slice(0, f.limit).map((r) => AuditLog.toEntry(r));
    return { entries, nextBefore: more ? entries[entries.length - 1]!.seq : null };
  }

  /** the last seq and hash, kept apart from the chain */
  head(): { seq: number; hash: string } {
    return (this.headStmt.get() as { seq: number; hash: string } | undefined) ?? { seq: 0, hash: AUDIT_GENESIS_HASH };
  }

  verify(): Promise<VerifyResult> {
    return this.verifier.verify();
  }

  /** 'batched': makes every acknowledged entry durable now (a checkpoint fsyncs the WAL, then the mirror) */
  flush(): void {
    if (!this.dirty) return;
    this.dirty = false;
    this.database.db.pragma('wal_checkpoint(PASSIVE)');
    this.mirror.sync();
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.durability === 'grouped') this.syncNow();
    else if (this.database.db.open) this.flush();
    this.mirror.close();
  }

  private restoreMirror(): AuditOpenReport {
    const { lastLine, tornBytes } = this.mirror.repairTail();
    const head = this.head();
    let mirrorSeq = 0;
    if (lastLine !== null) {
      const parsed = AuditLog.lineSeqAndHash(lastLine);
      // A mirror that does not end on an entry of this chain is left for verify to report, never rewritten.
      const row = parsed && (this.rangeStmt.get(parsed.seq - 1, parsed.seq) as AuditRow | undefined);
      if (!parsed || !row || row.hash !== parsed.hash) return { restoredLines: 0, tornBytes };
      mirrorSeq = parsed.seq;
    }
    if (mirrorSeq >= head.seq) return { restoredLines: 0, tornBytes };
    const from = mirrorSeq + 1;
    let at = mirrorSeq;
    for (;;) {
      const rows = this.rangeStmt.all(at, head.seq) as AuditRow[];
      if (rows.length === 0) break;
      this.mirror.append(rows.map((r) => auditMirrorLine(r)), true);
      at = rows[rows.length - 1]!.seq;
    }
    const restoredLines = at - mirrorSeq;
    this.append({ actor: 'devmesh', kind: 'audit.mirror-restored', subject: this.mirror.path, data: { fromSeq: from, toSeq: at, tornBytes } });
    return { restoredLines, tornBytes };
  }

  private static lineSeqAndHash(line: string): { seq: number; hash: string } | null {
    try {
      const v = JSON.parse(line) as { seq?: unknown; hash?: unknown };
      return typeof v.seq === 'number' && typeof v.hash === 'string' ? { seq: v.seq, hash: v.hash } : null;
    } catch {
      return null; // not an entry line: verify names it
    }
  }

  private static toEntry(r: AuditRow): AuditEntry {
    return { seq: r.seq, ts: r.ts, actor: r.actor, kind: r.kind, subject: r.subject, data: JSON.parse(r.data_json) as unknown, prevHash: r.prev_hash, hash: r.hash };
  }
}
