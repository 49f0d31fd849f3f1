// One DevMesh per home: the exclusive hold a daemon, the app or `devmesh doctor` takes on $DEVMESH_HOME
// before anything touches the store (migrations, the registry's reconcile, which stops leftover services).
//
// The hold is a POSIX record lock (fcntl F_SETLK) on `daemon.lock`, taken through SQLite: a dedicated
// connection in `locking_mode=EXCLUSIVE` that opens an exclusive transaction and keeps it. The kernel drops
// such a lock when its process dies, however it dies (`kill -9` included), so a crashed daemon never leaves
// a stale hold behind, unlike a pid file. SQLite takes the lock on Linux and macOS (fcntl) and Windows
// (LockFileEx) alike, and refuses a second connection in the same process too (it tracks locks per inode).
// One POSIX caveat shapes the code: closing ANY descriptor of the file drops the process's locks on it, so
// the lock file is never opened with node:fs here while held (only created with O_EXCL, or chmod-ed by path).
//
// Who holds it is written beside it (`daemon.lock.json`: pid, face, start time, later the API's address),
// since the locked file cannot be read through SQLite by anyone else.
import BetterSqlite3 from 'better-sqlite3';
import { closeSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { DevMeshError } from '../../../shared/errors.js';
import { DevMeshHome } from './devmesh-home.js';

export const HolderSchema = z.object({
  pid: z.number().int(),
  face: z.enum(['daemon', 'electron', 'doctor']),
  startedAt: z.number(),
  /** the API's address, once it listens */
  url: z.string().nullable(),
});
export type Holder = z.infer<typeof HolderSchema>;
export type HolderFace = Holder['face'];

export interface AcquireOptions {
  /** how long to wait for a starting holder to announce its address, for the refusal message */
  announceWaitMs?: number;
  /** what the refused user could run instead, appended to the message */
  hint?: string;
}

const POLL_MS = 50;

export class HomeLock {
  private released = false;

  private constructor(
    private readonly home: DevMeshHome,
    private readonly connection: BetterSqlite3.Database,
    private holder: Holder,
  ) {}

  /** Takes the hold, or returns null when another process (or connection) has it. Never waits. */
  static tryAcquire(home: DevMeshHome, face: HolderFace): HomeLock | null {
    home.ensure();
    const path = home.lockPath;
    try {
      // O_EXCL: never an open() of an existing lock file, which this process might hold (see the top).
      closeSync(openSync(path, 'wx', 0o600));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw HomeLock.cannot(path, err);
    }
    let db: BetterSqlite3.Database;
    try {
      db = new BetterSqlite3(path);
    } catch (err) {
      throw HomeLock.cannot(path, err);
    }
    try {
      db.pragma('busy_timeout = 0');
      db.pragma('locking_mode = EXCLUSIVE');
      // no rollback journal beside the lock file: the transaction never writes
      db.pragma('journal_mode = MEMORY');
      db.exec('BEGIN EXCLUSIVE');
    } catch (err) {
      db.close();
      const code = (err as { code?: string }).code;
      if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return null;
      throw HomeLock.cannot(path, err);
    }
    const lock = new HomeLock(home, db, { pid: process.pid, face, startedAt: Date.now(), url: null });
    lock.writeHolder();
    return lock;
  }

  /**
   * Takes the hold or throws DAEMON_ALREADY_RUNNING naming the holder's pid and address. A holder that is
   * still starting gets `announceWaitMs` to announce its address; one that dies meanwhile frees the hold.
   */
  static async acquire(home: DevMeshHome, face: HolderFace, options: AcquireOptions = {}): Promise<HomeLock> {
    const deadline = Date.now() + (options.announceWaitMs ?? 15_000);
    for (;;) {
      const lock = HomeLock.tryAcquire(home, face);
      if (lock) return lock;
      const holder = HomeLock.readHolder(home);
      if (Date.now() >= deadline || (holder !== null && (holder.url !== null || holder.face === 'doctor'))) {
        throw HomeLock.refusal(home, holder, options.hint);
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  /** Who holds the home now: null when nobody does (or the holder has not written its name yet). */
  static readHolder(home: DevMeshHome): Holder | null {
    let text: string;
    try {
      text = readFileSync(home.lockHolderPath, 'utf8');
    } catch {
      return null;
    }
    try {
      const parsed = HolderSchema.safeParse(JSON.parse(text));
      // a file left by a holder that died: the new holder has not replaced it yet
      return parsed.success && DevMeshHome.isAlive(parsed.data.pid) ? parsed.data : null;
    } catch {
      return null;
    }
  }

  static refusal(home: DevMeshHome, holder: Holder | null, hint?: string): DevMeshError {
    if (holder?.face === 'doctor') {
      return new DevMeshError(
        'DAEMON_ALREADY_RUNNING',
        `\`devmesh doctor\` (pid ${holder.pid}) is checking or repairing the store in ${home.dir}; ` +
          'wait for it to finish, then start DevMesh again.',
        { holder },
      );
    }
    const face = holder?.face === 'electron' ? 'app' : 'daemon';
    const what = holder === null ? 'another DevMesh' : `the DevMesh ${face} (pid ${holder.pid})`;
    const where = holder?.url ? `, at ${holder.url}` : holder ? ' (still starting)' : '';
    return new DevMeshError(
      'DAEMON_ALREADY_RUNNING',
      `DevMesh is already running on ${home.dir}: ${what}${where}. One DevMesh runs per DEVMESH_HOME, and a second ` +
        `would stop the services the first one runs. Use the running one${hint ? ` (${hint})` : ''}, ` +
        'or stop it first with `devmesh down`.',
      { holder },
    );
  }

  get info(): Holder {
    return { ...this.holder };
  }

  /** Records the API's address, so a refused second DevMesh can name it. */
  announce(url: string): void {
    this.holder = { ...this.holder, url };
    this.writeHolder();
  }

  /** Gives the hold up; idempotent. */
  release(): void {
    if (this.released) return;
    this.released = true;
    // the name goes first: a new holder may write its own the moment the lock is free
    const current = HomeLock.readHolder(this.home);
    if (current?.pid === process.pid) rmSync(this.home.lockHolderPath, { force: true });
    this.connection.close();
  }

  private writeHolder(): void {
    const path = this.home.lockHolderPath;
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(this.holder)}\n`, { mode: 0o600 });
    renameSync(tmp, path);
  }

  private static cannot(path: string, err: unknown): DevMeshError {
    return new DevMeshError(
      'STORE_UNAVAILABLE',
      `cannot take DevMesh's lock file ${path}: ${(err as Error).message}. ` +
        "Check the folder's permissions, or set DEVMESH_HOME to another folder.",
    );
  }
}
