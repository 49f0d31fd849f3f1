// One backup of the store, made and verified off the main thread. SQLite's online backup API (better-sqlite3's
// `db.backup()`) copies the live store page by page from a read-only connection of its own, inside one read
// transaction, so the copy is one consistent snapshot while the daemon keeps writing (WAL readers do not
// block writers, and a snapshot held for the whole copy means writes by the daemon never restart it).
// The copy is then made a self-contained file (journal_mode=DELETE: no -wal beside it), checked with
// PRAGMA integrity_check, fsynced and renamed into place: a backup under its final name is whole and sound.
//
// Checking a 50 MB store takes about a second of CPU, which the proxy and the terminals must not wait for:
// the job runs in a worker thread. Its code is `backupJob` below, sent to the worker as text, so it is
// self-contained: it uses only its arguments.
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';
import type * as Fs from 'node:fs';

export interface BackupJobInput {
  /** the live store */
  source: string;
  /** where the copy is written first (created 0600 by the job) */
  tmp: string;
  /** its final name, once verified */
  target: string;
  /** the folder of both, fsynced after the rename */
  dir: string;
}

export interface BackupJobResult {
  target: string;
  bytes: number;
  /** the copy's schema version and audit chain head (null before the audit schema) */
  schema: number;
  auditHead: number | null;
}

/** What the worker runs. Self-contained: no reference to anything outside its parameters. */
export async function backupJob(
  Sqlite: typeof BetterSqlite3,
  fs: typeof Fs,
  input: BackupJobInput,
): Promise<BackupJobResult> {
  const removeTmp = (): void => {
    for (const p of [input.tmp, `${input.tmp}-journal`]) fs.rmSync(p, { force: true });
  };
  let src: BetterSqlite3.Database | null = null;
  let dst: BetterSqlite3.Database | null = null;
  try {
    src = new Sqlite(input.source, { readonly: true, fileMustExist: true });
    // SQLite would create the copy 0644 (less the umask): make it private first
    fs.closeSync(fs.openSync(input.tmp, 'wx', 0o600));
    src.exec('BEGIN');
    src.prepare('SELECT count(*) FROM sqlite_master').get();
    // 1000 pages (4 MB) a step, all inside the snapshot taken above (so never restarted), and a
    // worker told to stop ends between two steps
    await src.backup(input.tmp, { progress: () => 1000 });
    src.exec('COMMIT');
    src.close();
    src = null;
    dst = new Sqlite(input.tmp);
    dst.pragma('journal_mode = DELETE');
    const rows = dst.pragma('integrity_check(20)') as Array<Record<string, string>>;
    const found = rows.map((r) => Object.values(r)[0] ?? '');
    if (found.length !== 1 || found[0] !== 'ok') {
      const findings = found.slice(0, 5).join('; ');
      const err = new Error(`integrity_check of the new backup found ${findings}: the store copied is damaged`);
      (err as Error & { code: string }).code = 'SQLITE_CORRUPT';
      throw err;
    }
    const schema = dst.pragma('user_version', { simple: true }) as number;
    const hasHead = dst.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_head'").get();
    const headRow = hasHead ? dst.prepare('SELECT seq FROM audit_head WHERE id = 1').get() : undefined;
    const head = headRow as { seq: number } | undefined;
    dst.close();
    dst = null;
    const fd = fs.openSync(input.tmp, 'r+');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(input.tmp, input.target);
    try {
      const dirFd = fs.openSync(input.dir, 'r');
      try {
        fs.fsyncSync(dirFd);
      } finally {
        fs.closeSync(dirFd);
      }
    } catch (err) {
      // Windows cannot fsync a folder; the rename is still atomic there
      if (!['EPERM', 'EISDIR', 'EINVAL'].includes(String((err as { code?: string }).code))) throw err;
    }
    const bytes = fs.statSync(input.target).size;
    return { target: input.target, bytes, schema, auditHead: hasHead ? (head?.seq ?? 0) : null };
  } catch (err) {
    try {
      src?.close();
      dst?.close();
    } finally {
      removeTmp();
    }
    throw err;
  }
}

type WorkerReply = { ok: true; result: BackupJobResult } | { ok: false; error: { message: string; code?: string } };

/** Runs `backupJob` in a worker thread; the promise settles with its result or its error (code kept). */
export function runBackupJob(input: BackupJobInput): { done: Promise<BackupJobResult>; cancel: () => Promise<void> } {
  const code = `
const { parentPort, workerData } = require('node:worker_threads');
const job = (${backupJob.toString()});
job(require(workerData.sqlite), require('node:fs'), workerData.input).then(
  (result) => parentPort.postMessage({ ok: true, result }),
  (err) => parentPort.postMessage({
    ok: false,
    error: { message: String((err && err.message) || err), code: err && err.code },
  }),
);`;
  const worker = new Worker(code, { eval: true, workerData: { sqlite: require.resolve('better-sqlite3'), input } });
  // a process that is exiting does not wait for a copy; a half-written one is removed by the next job
  worker.unref();
  let settled = false;
  const done = new Promise<BackupJobResult>((resolve, reject) => {
    worker.once('message', (m: WorkerReply) => {
      settled = true;
      if (m.ok) resolve(m.result);
      else reject(Object.assign(new Error(m.error.message), { code: m.error.code }));
      void worker.terminate();
    });
    worker.once('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.once('exit', (exitCode) => {
      if (settled) return;
      const err = new Error(`the backup worker stopped (exit code ${exitCode}) before it finished`);
      reject(Object.assign(err, { code: 'BACKUP_CANCELLED' }));
    });
  });
  return {
    done,
    cancel: async () => {
      await worker.terminate();
    },
  };
}
