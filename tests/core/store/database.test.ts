// Database.open on damaged files: a user sees STORE_CORRUPT naming the file and `devmesh doctor`, never a
// raw SqliteError; a store known to have held data is not migrated into a new empty one; a new file is
// created readable by its owner only, and SQLite gives its -wal and -shm the same mode.
import BetterSqlite3 from 'better-sqlite3';
import { statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Database } from '../../../main/core/store/database.js';
import { DevMeshError } from '../../../shared/errors.js';
import { tempDir } from '../../api/test-project.js';

let tmp: { dir: string; dispose: () => void };
let path: string;

function refusal(fn: () => unknown): DevMeshError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DevMeshError);
    return err as DevMeshError;
  }
  throw new Error('expected a refusal');
}

/** a store with a few hundred KB of rows, closed (its WAL checkpointed into the file) */
function filled(): void {
  const db = Database.open(path);
  const insert = db.db.prepare(
    "INSERT INTO log_lines (project, service, stream, ts, text) VALUES ('p', 's', 'stdout', 0, ?)",
  );
  db.db.transaction(() => {
    for (let i = 0; i < 2000; i++) insert.run('x'.repeat(200));
  })();
  db.close();
}

beforeEach(() => {
  tmp = tempDir('devmesh-db-');
  path = join(tmp.dir, 'devmesh.db');
});
afterEach(() => tmp.dispose());

describe('Database.open', () => {
  it('creates a new store 0600, with its -wal and -shm 0600 too, whatever the umask', () => {
    const old = process.umask(0o022);
    try {
      Database.open(path).close();
      const db = Database.open(path);
      for (const f of [path, `${path}-wal`, `${path}-shm`]) expect(statSync(f).mode & 0o777, f).toBe(0o600);
      db.close();
    } finally {
      process.umask(old);
    }
  });

  it('refuses a truncated store with STORE_CORRUPT naming it and `devmesh doctor`', () => {
    filled();
    truncateSync(path, Math.floor(statSync(path).size / 2));
    const err = refusal(() => Database.open(path));
    expect(err.code).toBe('STORE_CORRUPT');
    expect(err.message).toContain(path);
    expect(err.message).toContain('devmesh doctor');
  });

  it('refuses a file that is not a database', () => {
    writeFileSync(path, 'not a database'.repeat(500));
    const err = refusal(() => Database.open(path));
    expect(err.code).toBe('STORE_CORRUPT');
    expect(err.message).toContain('not a database');
  });

  it('refuses a store without tables when it is known to have held data; opens a new one otherwise', () => {
    new BetterSqlite3(path).close();
    const err = refusal(() => Database.open(path, { requireSchema: { why: 'store.json records it' } }));
    expect(err.code).toBe('STORE_CORRUPT');
    expect(err.message).toContain('store.json records it');
    expect(err.message).toContain('--fresh');
    const db = Database.open(path);
    expect(db.schemaVersion).toBeGreaterThan(0);
    db.close();
  });
});
