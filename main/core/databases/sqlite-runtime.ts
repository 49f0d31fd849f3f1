// A SQLite database: a file under $DEVMESH_HOME that the owner's own process opens (DATABASE_URL
// sqlite:///…); no engine runs. The first start of the owner creates it and applies the seed (an .sql file
// run with better-sqlite3's exec, or a database file copied), in a staging file renamed into place once done.
import BetterSqlite3 from 'better-sqlite3';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { delimiter, join } from 'node:path';
import { DevMeshError } from '../../../shared/errors.js';
import type { EngineTool } from './database-handle.js';
import { databaseLabel, RESTORE_UNDONE, type EngineRuntime, type EngineRuntimeContext } from './engine-runtime.js';
import { FileSwap } from './file-swap.js';

let sqliteVersion: string | null = null;

/** the SQLite library's version DevMesh creates files with (better-sqlite3's bundled one) */
export function bundledSqliteVersion(): string {
  if (sqliteVersion === null) {
    const db = new BetterSqlite3(':memory:');
    try {
      sqliteVersion = (db.prepare('select sqlite_version() as v').get() as { v: string }).v;
    } finally {
      db.close();
    }
  }
  return sqliteVersion;
}

export class SqliteRuntime implements EngineRuntime {
  readonly dataPath: string;

  constructor(private readonly c: EngineRuntimeContext) {
    this.dataPath = join(c.dir, `${c.config.name}.db`);
  }

  /** runs in the owner's start: the file ready; the owner's own command is launched as written */
  async prepare(): Promise<null> {
    const files = ['', '-wal', '-shm'].map((suffix) => `${this.dataPath}${suffix}`);
    if (await FileSwap.recover(files)) this.c.log(RESTORE_UNDONE);
    if (!existsSync(this.dataPath)) this.create(true);
    return null;
  }

  async initialize(): Promise<void> {
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${this.dataPath}${suffix}`, { force: true });
    this.create(false);
  }

  async seed(): Promise<void> {
    const file = this.seedFile();
    if (file === null) return;
    if (SqliteRuntime.isDatabaseFile(file)) {
      throw new DevMeshError(
        'CONFLICT',
        `${databaseLabel(this.c)}: a database-file seed (${file}) replaces the file; reset the database to apply it`,
      );
    }
    this.exec(this.dataPath, file);
  }

  tool(name: string): EngineTool {
    const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
    for (const dir of [...dirs, '/usr/bin', '/opt/homebrew/bin', '/usr/local/bin']) {
      if (existsSync(join(dir, name))) return { file: join(dir, name), uid: null, gid: null };
    }
    throw new DevMeshError(
      'ENGINE_MISSING',
      `${name} is not installed (DevMesh itself needs no sqlite program; ${name} is for you): Debian/Ubuntu: ` +
        '`sudo apt install sqlite3`; macOS: ships with the system; Windows: https://sqlite.org/download.html',
    );
  }

  private create(withSeed: boolean): void {
    mkdirSync(this.c.dir, { recursive: true });
    const staging = `${this.dataPath}.staging`;
    rmSync(staging, { force: true });
    try {
      const file = withSeed ? this.seedFile() : null;
      if (file !== null && SqliteRuntime.isDatabaseFile(file)) copyFileSync(file, staging);
      else if (file !== null) this.exec(staging, file);
      else new BetterSqlite3(staging).close();
      renameSync(staging, this.dataPath);
      this.c.log(`created ${this.dataPath}${file ? ` (seeded from ${file})` : ''}`);
    } catch (err) {
      rmSync(staging, { force: true });
      throw new DevMeshError(
        'SERVICE_FAILED',
        `creating the sqlite database of ${databaseLabel(this.c)} failed; nothing was kept: ${(err as Error).message}`,
      );
    }
  }

  private exec(path: string, sqlFile: string): void {
    const db = new BetterSqlite3(path);
    try {
      db.exec(readFileSync(sqlFile, 'utf8'));
    } finally {
      db.close();
    }
  }

  private seedFile(): string | null {
    const seed = this.c.config.seed;
    if (seed === null) return null;
    if (seed.kind === 'file') return seed.path;
    const file = this.c.snapshotFile(seed.name);
    if (file !== null) return file;
    throw new DevMeshError(
      'SNAPSHOT_CORRUPT',
      `${databaseLabel(this.c)}: no snapshot '${seed.name}' to seed from: take it (devmesh db snapshot), pull it ` +
        `from a teammate, or seed from a file`,
    );
  }

  /** a SQLite database file starts with "SQLite format 3\0" */
  private static isDatabaseFile(file: string): boolean {
    const fd = openSync(file, 'r');
    try {
      const head = Buffer.alloc(16);
      readSync(fd, head, 0, 16, 0);
      return head.toString('latin1') === 'SQLite format 3\0';
    } finally {
      closeSync(fd);
    }
  }
}
