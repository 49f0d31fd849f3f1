// DevMesh's own rolling backups of the store, in $DEVMESH_HOME/backups: one at start (once the services
// had `startDelayMs`, 10 s, to start) and one every `intervalMs` (6 h) while the daemon runs, the newest
// `keep` (3) kept, each verified before it gets its name (BackupJob). `devmesh doctor` restores the newest
// that still checks out.
//
// A backup that fails (a full disk, a damaged store) never takes the daemon down: it is reported to the
// health ledger (component "store backups", with its rule) and the backups already there are kept. On a
// full disk the free space is checked every `spaceCheckMs` (30 s, a statfs) and the backup is taken again
// once the store fits, so the problem clears soon after space is freed without rewriting a doomed copy
// meanwhile; after another failure the next try comes after `retryMs` (10 min). The first success clears it.
// A daemon restarting in a loop would rotate every good backup out with copies of the last minutes: at
// start, no backup is taken when the newest is younger than `minGapMs`.
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { formatDuration } from '../base/duration.js';
import type { DaemonHealth } from '../health/daemon-health.js';
import * as storageFailure from '../health/storage-failure.js';
import { runBackupJob, type BackupJobResult } from './backup-job.js';

export const BACKUP_COMPONENT = 'store backups';
export const DEFAULT_BACKUP_INTERVAL_MS = 6 * 3_600_000;
export const DEFAULT_BACKUPS_KEPT = 3;
const DEFAULT_RETRY_MS = 10 * 60_000;
const DEFAULT_START_DELAY_MS = 10_000;
const DEFAULT_SPACE_CHECK_MS = 30_000;
/** room wanted beyond the store's own size before a backup is tried again on a disk that was full */
const SPACE_MARGIN_BYTES = 1024 * 1024;
const NAME = /^devmesh-(\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z)(?:-\d+)?\.db$/;

export interface BackupFile {
  path: string;
  /** when it was taken (from its name) */
  takenAt: number;
  bytes: number;
}

export interface StoreBackupsDeps {
  /** the live store */
  databasePath: string;
  /** $DEVMESH_HOME/backups */
  dir: string;
  health: DaemonHealth;
  logger: Logger;
  /** between backups while running; 0: only the one at start */
  intervalMs?: number;
  keep?: number;
  /** after a failed backup, the next try */
  retryMs?: number;
  /** after a backup failed on a full disk, how often the free space is checked */
  spaceCheckMs?: number;
  /** at start, no backup when the newest is younger than this (default: the interval, at most 10 min) */
  minGapMs?: number;
  /** the start's backup waits this long, so it does not compete with the services starting (default 10 s,
   *  at most the interval) */
  startDelayMs?: number;
  now?: () => number;
}

export class StoreBackups {
  private timer: NodeJS.Timeout | null = null;
  private running: { done: Promise<unknown>; cancel: () => Promise<void> } | null = null;
  private disposed = false;
  private readonly intervalMs: number;
  private readonly keep: number;
  private readonly retryMs: number;
  private readonly minGapMs: number;
  private readonly startDelayMs: number;
  private readonly spaceCheckMs: number;
  /** the last backup failed for want of space: wait for room before trying again */
  private waitingForSpace = false;
  private readonly now: () => number;

  constructor(private readonly deps: StoreBackupsDeps) {
    this.intervalMs = deps.intervalMs ?? DEFAULT_BACKUP_INTERVAL_MS;
    this.keep = Math.max(1, deps.keep ?? DEFAULT_BACKUPS_KEPT);
    this.now = deps.now ?? Date.now;
    const period = this.intervalMs > 0 ? this.intervalMs : Number.POSITIVE_INFINITY;
    this.retryMs = Math.min(deps.retryMs ?? DEFAULT_RETRY_MS, period);
    this.minGapMs = deps.minGapMs ?? Math.min(period, DEFAULT_RETRY_MS);
    this.startDelayMs = deps.startDelayMs ?? Math.min(period, DEFAULT_START_DELAY_MS);
    this.spaceCheckMs = deps.spaceCheckMs ?? Math.min(period, DEFAULT_SPACE_CHECK_MS);
  }

  /** The backups in `dir`, newest first. */
  static list(dir: string): BackupFile[] {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return [];
    }
    const files: BackupFile[] = [];
    for (const name of names) {
      const m = NAME.exec(name);
      if (!m) continue;
      const takenAt = Date.parse(m[1]!.replace(/T(\d\d)-(\d\d)-(\d\d)/, 'T$1:$2:$3'));
      try {
        files.push({ path: join(dir, name), takenAt, bytes: statSync(join(dir, name)).size });
      } catch {
        // rotated away meanwhile
      }
    }
    return files.sort((a, b) => b.takenAt - a.takenAt || b.path.localeCompare(a.path));
  }

  /** Takes the start backup (unless a recent one exists) and schedules the periodic ones. */
  start(): void {
    const newest = StoreBackups.list(this.deps.dir)[0];
    if (newest && this.now() - newest.takenAt < this.minGapMs) this.schedule(this.intervalMs);
    else if (this.startDelayMs > 0) this.schedule(this.startDelayMs);
    else void this.backupNow();
  }

  /** Takes a backup now (or waits for the one running). Never rejects: a failure goes to the health ledger. */
  async backupNow(): Promise<BackupFile | null> {
    if (this.disposed) return null;
    if (this.running) {
      await this.running.done.catch(() => undefined);
      if (this.disposed) return null;
    }
    this.clearTimer();
    let result: BackupJobResult | null = null;
    try {
      result = await this.run();
    } catch (err) {
      if (!this.disposed) this.failed(err);
    }
    if (result) this.succeeded(result);
    const next = result ? this.intervalMs : this.waitingForSpace ? this.spaceCheckMs : this.retryMs;
    if (!this.disposed) this.schedule(next);
    return result ? { path: result.target, takenAt: this.takenAtOf(result.target), bytes: result.bytes } : null;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.clearTimer();
    const running = this.running;
    if (running) {
      await running.cancel();
      await running.done.catch(() => undefined);
    }
  }

  private async run(): Promise<BackupJobResult> {
    mkdirSync(this.deps.dir, { recursive: true, mode: 0o700 });
    this.removeLeftovers();
    const stamp = new Date(this.now()).toISOString().replace(/:/g, '-');
    let target = join(this.deps.dir, `devmesh-${stamp}.db`);
    for (let n = 2; StoreBackups.exists(target); n++) target = join(this.deps.dir, `devmesh-${stamp}-${n}.db`);
    const job = runBackupJob({ source: this.deps.databasePath, tmp: `${target}.tmp`, target, dir: this.deps.dir });
    this.running = job;
    try {
      return await job.done;
    } finally {
      this.running = null;
    }
  }

  private takenAtOf(path: string): number {
    return StoreBackups.list(this.deps.dir).find((b) => b.path === path)?.takenAt ?? this.now();
  }

  private succeeded(result: BackupJobResult): void {
    this.waitingForSpace = false;
    if (this.deps.health.has(BACKUP_COMPONENT)) this.deps.health.ok(BACKUP_COMPONENT);
    try {
      for (const old of StoreBackups.list(this.deps.dir).slice(this.keep)) rmSync(old.path, { force: true });
      const { target, bytes, schema, auditHead } = result;
      this.deps.logger.info({ domain: 'store', backup: target, bytes, schema, auditHead }, 'store backed up');
    } catch {
      // an old backup that cannot be removed stays (the next rotation tries again); the log may be on a full disk
    }
  }

  private failed(err: unknown): void {
    const corrupt = /SQLITE_CORRUPT|SQLITE_NOTADB/.test(String((err as { code?: unknown }).code ?? ''));
    this.waitingForSpace = !corrupt && storageFailure.code(err, this.deps.dir) === 'DISK_FULL';
    const next = this.waitingForSpace
      ? `once the disk has room for a copy of the store (checked every ${formatDuration(this.spaceCheckMs)})`
      : `in ${formatDuration(this.retryMs)}`;
    this.deps.health.fail({
      component: BACKUP_COMPONENT,
      error: err,
      // a damaged store is the store's problem, not the backups folder's
      where: corrupt ? this.deps.databasePath : this.deps.dir,
      rule: `the backups in ${this.deps.dir} are kept; DevMesh takes the next one ${next}`,
    });
  }

  /** On a disk that was full: a backup once the store fits (with room to spare), else another look later. */
  private retryWhenRoom(): Promise<unknown> {
    const store = this.deps.databasePath;
    const needed = StoreBackups.size(store) + StoreBackups.size(`${store}-wal`) + SPACE_MARGIN_BYTES;
    if (storageFailure.freeBytes(this.deps.dir) >= needed) return this.backupNow();
    this.schedule(this.spaceCheckMs);
    return Promise.resolve(null);
  }

  private static size(path: string): number {
    try {
      return statSync(path).size;
    } catch {
      return 0;
    }
  }

  private schedule(ms: number): void {
    this.clearTimer();
    if (ms <= 0 || !Number.isFinite(ms) || this.disposed) return;
    // backupNow never rejects; the catch is the seam's guard all the same
    const next = (): Promise<unknown> => (this.waitingForSpace ? this.retryWhenRoom() : this.backupNow());
    this.timer = setTimeout(() => void next().catch(() => undefined), ms);
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** copies a crash or a cancelled job left half-written */
  private removeLeftovers(): void {
    for (const name of readdirSync(this.deps.dir)) {
      if (name.endsWith('.tmp') || name.endsWith('.tmp-journal')) rmSync(join(this.deps.dir, name), { force: true });
    }
  }

  private static exists(path: string): boolean {
    try {
      statSync(path);
      return true;
    } catch {
      return false;
    }
  }
}
