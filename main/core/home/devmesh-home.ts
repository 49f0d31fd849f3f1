// The DevMesh home folder ($DEVMESH_HOME, default ~/.devmesh): the SQLite store, the API token (0600) and
// the running daemon's address file, which the CLI reads to find it.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseDaemonRecord, type DaemonRecord } from './daemon-record.js';

export type { DaemonRecord } from './daemon-record.js';

export class DevMeshHome {
  readonly dir: string;

  constructor(dir?: string) {
    this.dir = resolve(dir ?? process.env.DEVMESH_HOME ?? join(homedir(), '.devmesh'));
  }

  get databasePath(): string {
    return join(this.dir, 'devmesh.db');
  }
  /** the audit chain's JSONL mirror (the chain itself is in the store) */
  get auditMirrorPath(): string {
    return join(this.dir, 'audit.jsonl');
  }
  get tokenPath(): string {
    return join(this.dir, 'token');
  }
  get daemonRecordPath(): string {
    return join(this.dir, 'daemon.json');
  }
  get logDir(): string {
    return join(this.dir, 'logs');
  }
  /** the one-DevMesh-per-home lock (HomeLock) and who holds it */
  get lockPath(): string {
    return join(this.dir, 'daemon.lock');
  }
  get lockHolderPath(): string {
    return join(this.dir, 'daemon.lock.json');
  }
  /** DevMesh's own rolling backups of the store (StoreBackups) */
  get backupsDir(): string {
    return join(this.dir, 'backups');
  }
  /** broken stores `devmesh doctor` set aside, never deleted */
  get brokenDir(): string {
    return join(this.dir, 'broken');
  }
  /** records that the store held data, so an emptied store is refused (StoreMarker) */
  get storeMarkerPath(): string {
    return join(this.dir, 'store.json');
  }
  get recordingsDir(): string {
    return join(this.dir, 'recordings');
  }

  ensure(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    mkdirSync(this.logDir, { recursive: true, mode: 0o700 });
  }

  /** The API token: 256 random bits, created once, readable by this user only. */
  readOrCreateToken(): string {
    this.ensure();
    if (existsSync(this.tokenPath)) {
      const token = readFileSync(this.tokenPath, 'utf8').trim();
      chmodSync(this.tokenPath, 0o600);
      if (/^[0-9a-f]{64}$/.test(token)) return token;
    }
    const token = randomBytes(32).toString('hex');
    this.writeAtomically(this.tokenPath, `${token}\n`);
    return token;
  }

  readToken(): string | null {
    try {
      return readFileSync(this.tokenPath, 'utf8').trim() || null;
    } catch {
      return null;
    }
  }

  writeDaemonRecord(record: DaemonRecord): void {
    this.ensure();
    this.writeAtomically(this.daemonRecordPath, `${JSON.stringify(record)}\n`);
  }

  readDaemonRecord(): DaemonRecord | null {
    let text: string;
    try {
      text = readFileSync(this.daemonRecordPath, 'utf8');
    } catch {
      return null;
    }
    try {
      return parseDaemonRecord(JSON.parse(text));
    } catch {
      return null; // a torn or hand-edited file: treated as no daemon
    }
  }

  /** The daemon record, only when the process it names is still alive (a crashed daemon leaves its file). */
  readLiveDaemonRecord(): DaemonRecord | null {
    const record = this.readDaemonRecord();
    return record && DevMeshHome.isAlive(record.pid) ? record : null;
  }

  /** Does a process with this pid exist (ours or another user's)? */
  static isAlive(pid: number): boolean {
    try {
      process.kill(pid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
  }

  /** Removes the record only if it still describes this process (a newer daemon may have replaced it). */
  clearDaemonRecord(pid: number): void {
    const current = this.readDaemonRecord();
    if (current && current.pid === pid) rmSync(this.daemonRecordPath, { force: true });
  }

  private writeAtomically(path: string, content: string): void {
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, content, { mode: 0o600 });
    renameSync(tmp, path);
  }
}
