// The audit log: appends hash-linked entries to SQLite and mirrors each to `.devmesh/audit.jsonl`, lists
// them (newest first, filtered, paged: audit-query.ts) and verifies the chain, its head and its mirror.
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
//
// A full disk (see AuditOutage): an append that cannot be committed throws a DevMeshError and begins an
// outage; Coordination refuses decisions meanwhile (`admit`), and a probe every 2 s closes the outage with
// one `audit.outage` entry once the chain can be written. A mirror write that fails after its commit leaves
// the mirror behind the chain (not tampering): its lines are rewritten from the chain, in order, as soon
// as the disk takes them, recorded as `audit.mirror-restored`. Syncs fdatasync the WAL and the mirror
// directly: a barrier that writes nothing, so it cannot fail for lack of space.
import {
  AUDIT_GENESIS_HASH,
  AUDIT_MAX_DATA_BYTES,
  AuditAppendSchema,
  type AuditAppend,
  type AuditEntry,
  type AuditFilter,
  type AuditPage,
  type VerifyResult,
} from '../../../shared/audit.js';
import { DevMeshError } from '../../../shared/errors.js';
import type { Database } from '../store/database.js';
import { closeSync, fdatasyncSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { DaemonHealth } from '../health/daemon-health.js';
import { StoreGuard } from '../health/store-guard.js';
import { auditHash, type AuditRow } from './audit-encoding.js';
import { AuditMirror } from './audit-mirror.js';
import { AUDIT_COLUMNS, auditEntry, listAuditEntries } from './audit-query.js';
import { AuditMirrorKeeper, type AuditOpenReport } from './audit-mirror-keeper.js';

export type { AuditOpenReport } from './audit-mirror-keeper.js';
import { AUDIT_OUTAGE_RULE, AUDIT_RESERVE_BYTES, AuditOutage } from './audit-outage.js';
import { AuditVerifier } from './audit-verifier.js';
import { canonicalJson } from './canonical-json.js';

export type AuditDurability = 'full' | 'batched' | 'grouped';

export interface AuditLogDeps {
  /** `<project or home>/.devmesh/audit.jsonl` */
  mirrorPath: string;
  durability?: AuditDurability;
  /** 'batched' only: how often the WAL and the mirror are synced */
  flushIntervalMs?: number;
  now?: () => number;
  /** where an outage and a lagging mirror are reported; default: a ledger of its own */
  health?: DaemonHealth;
  /** the folder whose disk must keep the reserve (default: the mirror's) */
  homeDir?: string;
  /** free bytes kept for decisions; below it decisions are refused (default AUDIT_RESERVE_BYTES) */
  reserveBytes?: number;
}

export const AUDIT_MIRROR_RULE =
  "entries are stored in the database as usual; the mirror's missing lines are rewritten from the chain, in " +
  'order, as soon as the disk takes them (DevMesh retries every 2 s), and the repair is recorded in the chain';
const PROBE_MS = 2_000;

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
  private readonly outage: AuditOutage;
  private readonly mirrorGuard: StoreGuard;
  private readonly keeper: AuditMirrorKeeper;
  private probe: NodeJS.Timeout | null = null;
  /** appends that could not be committed, since start (Coordination compares it around a decision) */
  failures = 0;

  constructor(
    private readonly database: Database,
    deps: AuditLogDeps,
  ) {
    const db = database.db;
    this.durability = deps.durability ?? 'full';
    this.now = deps.now ?? Date.now;
    this.insertStmt = db.prepare(
      `INSERT INTO audit_entries (${AUDIT_COLUMNS}) VALUES (@seq, @ts, @actor, @kind, @subject, @data_json, @prev_hash, @hash)`,
    );
    this.headStmt = db.prepare('SELECT seq, hash FROM audit_head WHERE id = 1');
    this.setHeadStmt = db.prepare('UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1');
    this.rangeStmt = db.prepare(
      `SELECT ${AUDIT_COLUMNS} FROM audit_entries WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT 1000`,
    );
    const level = db.pragma('synchronous', { simple: true }) as number;
    this.syncFull = db.prepare('PRAGMA synchronous = FULL');
    this.syncRestore = db.prepare(`PRAGMA synchronous = ${level}`);
    this.appendTx = db.transaction(
      (input: { ts: number; actor: string; kind: string; subject: string; data_json: string }): AuditRow => {
        const head = this.head();
        const unsigned = { ...input, seq: head.seq + 1, prev_hash: head.hash };
        const row: AuditRow = { ...unsigned, hash: auditHash(unsigned) };
        this.insertStmt.run(row);
        this.setHeadStmt.run(row.seq, row.hash);
        return row;
      },
    );
    const health = deps.health ?? DaemonHealth.detached();
    const homeDir = deps.homeDir ?? dirname(deps.mirrorPath);
    const chain = { component: 'audit chain', where: db.name, rule: AUDIT_OUTAGE_RULE };
    this.outage = new AuditOutage(
      new StoreGuard(health, chain),
      homeDir,
      deps.reserveBytes ?? AUDIT_RESERVE_BYTES,
      this.now,
    );
    this.mirrorGuard = new StoreGuard(health, {
      component: 'audit mirror',
      where: deps.mirrorPath,
      rule: AUDIT_MIRROR_RULE,
    });
    this.mirror = new AuditMirror(deps.mirrorPath);
    this.verifier = new AuditVerifier(database, deps.mirrorPath);
    this.keeper = new AuditMirrorKeeper({
      mirror: this.mirror,
      rows: (after, upTo) => this.rangeStmt.all(after, upTo) as AuditRow[],
      headSeq: () => this.head().seq,
      guard: this.mirrorGuard,
      record: (entry) => this.recordQuietly(entry),
      onBehind: () => this.startProbe(),
    });
    this.openReport = this.keeper.restoreAtOpen();
    if (this.durability === 'batched') {
      this.timer = setInterval(() => this.flush(), deps.flushIntervalMs ?? 200);
      this.timer.unref();
    }
  }

  /**
   * Appends one entry; returns once it is durable under the chosen policy. An entry that cannot be stored
   * throws a DevMeshError (DISK_FULL…) and is counted in the outage; it never half-exists.
   */
  append(input: AuditAppend): AuditEntry {
    const parsed = AuditAppendSchema.safeParse(input);
    if (!parsed.success)
      throw new DevMeshError(
        'BAD_REQUEST',
        `an audit entry needs an actor, a dotted kind (lock.granted) and a subject: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    const { actor, kind, subject, data } = parsed.data;
    const dataJson = canonicalJson(data === undefined ? null : data);
    if (Buffer.byteLength(dataJson) > AUDIT_MAX_DATA_BYTES) {
      throw new DevMeshError(
        'MESSAGE_TOO_LARGE',
        `audit data for ${kind} on ${subject} is ${Buffer.byteLength(dataJson)} bytes, over ${AUDIT_MAX_DATA_BYTES}; record a summary or a reference instead`,
      );
    }
    // the outage's own entry goes first, so the chain reads in the order things happened
    if (this.outage.active) this.recover();
    let row: AuditRow;
    try {
      row = this.commit({ ts: this.now(), actor, kind, subject, data_json: dataJson });
    } catch (err) {
      this.failures++;
      this.outage.failed(err, kind);
      this.startProbe();
      throw this.outage.refuse(`recording ${kind} for ${subject}`);
    }
    return auditEntry(row);
  }

  /**
   * Before a decision that must be recorded: throws DISK_FULL (counted as refused) while the chain cannot be
   * written or the disk is nearly full, so nothing is decided that could not be recorded.
   */
  admit(what: string): void {
    if (this.outage.active) this.recover();
    if (!this.outage.active && this.outage.roomLeft()) return;
    this.startProbe();
    throw this.outage.refuse(what);
  }

  /** The error a decision gets when an entry it produced could not be stored (counted as refused). */
  refusal(what: string): DevMeshError {
    return this.outage.refuse(what);
  }

  /** Is the chain failing (an outage)? */
  get failing(): boolean {
    return this.outage.active;
  }

  /** Is the mirror behind the chain? */
  get mirrorBehind(): number {
    return this.keeper.behind;
  }

  private commit(input: { ts: number; actor: string; kind: string; subject: string; data_json: string }): AuditRow {
    const full = this.durability === 'full';
    if (full) this.syncFull.run();
    let row: AuditRow;
    try {
      row = this.appendTx.immediate(input);
    } finally {
      if (full) this.syncRestore.run();
    }
    this.keeper.write([row], full);
    if (!full) this.dirty = true;
    if (this.durability === 'grouped') this.scheduleSync();
    return row;
  }

  /** Closes an outage and catches the mirror up when the disk allows; never throws. */
  private recover(): void {
    if (this.keeper.lags) this.keeper.catchUp();
    if (!this.outage.active || !this.database.db.open) return;
    if (!this.outage.roomLeft()) return;
    try {
      this.commit(this.closingRow());
    } catch (err) {
      this.outage.stillFailing(err);
      return;
    }
    this.outage.ended();
  }

  private closingRow(): { ts: number; actor: string; kind: string; subject: string; data_json: string } {
    const e = this.outage.closingEntry();
    return { ts: this.now(), actor: e.actor, kind: e.kind, subject: e.subject, data_json: canonicalJson(e.data) };
  }

  private recordQuietly(entry: AuditAppend): void {
    try {
      this.commit({
        ts: this.now(),
        actor: entry.actor,
        kind: entry.kind,
        subject: entry.subject,
        data_json: canonicalJson(entry.data),
      });
    } catch (err) {
      this.failures++;
      this.outage.failed(err, entry.kind);
      this.startProbe();
    }
  }

  private startProbe(): void {
    if (this.probe !== null) return;
    this.probe = setInterval(() => {
      try {
        this.recover();
      } catch (err) {
        this.outage.stillFailing(err); // recover never throws; this is the seam's last guard
      }
      if (!this.outage.active && !this.keeper.lags && this.probe !== null) {
        clearInterval(this.probe);
        this.probe = null;
      }
    }, PROBE_MS);
    this.probe.unref();
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
    this.syncWal();
    this.keeper.sync();
  }

  /** fdatasync of the WAL: the committed frames reach the disk, as synchronous=FULL would have done. */
  private syncWal(): void {
    let fd: number;
    try {
      fd = openSync(`${this.database.db.name}-wal`, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // nothing written since the last checkpoint
      throw err;
    }
    try {
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  list(filter: AuditFilter = {}): AuditPage {
    return listAuditEntries(this.database.db, filter);
  }

  /** the last seq and hash, kept apart from the chain */
  head(): { seq: number; hash: string } {
    return (this.headStmt.get() as { seq: number; hash: string } | undefined) ?? { seq: 0, hash: AUDIT_GENESIS_HASH };
  }

  /** Walks the chain and its mirror; an outage still going on is a gap too (seq 0: not in the chain yet). */
  async verify(): Promise<VerifyResult> {
    const result = await this.verifier.verify();
    const ongoing = this.outage.ongoingGap();
    if (ongoing === null) return result;
    return { ...result, ok: false, gaps: [...result.gaps, ongoing] };
  }

  /** 'batched': makes every acknowledged entry durable now (the WAL, then the mirror); never throws */
  flush(): void {
    if (!this.database.db.open) return;
    try {
      this.syncNow();
    } catch (err) {
      this.dirty = true;
      this.mirrorGuard.report(err); // a failed fsync: reported, tried again at the next flush
    }
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.probe) clearInterval(this.probe);
    this.timer = null;
    this.probe = null;
    // one last try to record an outage and complete the mirror before the store closes
    if (this.database.db.open && (this.outage.active || this.keeper.lags)) this.recover();
    this.flush();
    this.mirror.close();
  }
}
