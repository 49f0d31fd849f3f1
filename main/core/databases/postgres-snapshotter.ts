// Postgres snapshots: `pg_dump -Fc` (the custom format: compressed, restorable table by table) of the running
// database, read from its stdout so the file stays the daemon's. A restore never loses the current data: it
// goes into a new database `<name>__restore`, and only once pg_restore succeeded are the old database's
// connections ended and the two swapped (https://www.postgresql.org/docs/15/app-pgrestore.html,
// https://www.postgresql.org/docs/15/sql-alterdatabase.html). A failed restore drops the new database only.
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { DevMeshError } from '../../../shared/errors.js';
import type { DatabaseHandle } from './database-handle.js';
import { POSTGRES_USER } from './database-url.js';
import { runEngineTool } from './engine-run.js';
import { DEFAULT_SNAPSHOT_TIMEOUTS, type EngineSnapshotter, type SnapshotterTimeouts } from './engine-snapshotter.js';

/** an identifier quoted for SQL ("a""b") */
function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** a string literal for SQL */
function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

export class PostgresSnapshotter implements EngineSnapshotter {
  readonly ext = 'pgdump';
  readonly format = 'pg_dump custom';

  constructor(private readonly timeouts: SnapshotterTimeouts = DEFAULT_SNAPSHOT_TIMEOUTS) {}

  async dump(db: DatabaseHandle, path: string): Promise<void> {
    await db.ensureRunning();
    const port = PostgresSnapshotter.portOf(db);
    await runEngineTool(
      db.tool('pg_dump'),
      ['-h', '127.0.0.1', '-p', String(port), '-U', POSTGRES_USER, '-Fc', '--no-password', db.config.name],
      {
        stdout: (out) => pipeline(out, createWriteStream(path, { mode: 0o600 })),
        timeoutMs: this.timeouts.dataMs,
        what: `the snapshot of ${db.service}`,
      },
    );
  }

  async restore(db: DatabaseHandle, path: string): Promise<void> {
    await db.ensureRunning();
    const name = db.config.name;
    const staging = `${name}__restore`;
    const old = `${name}__old`;
    // A restore cut short between its two renames (the daemon killed) left the data as `<name>__old`: it is
    // put back first, so the drop of a stale `__old` below never takes the only copy.
    await this.sql(db, [
      `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = ${literal(name)}) AND EXISTS ` +
        `(SELECT 1 FROM pg_database WHERE datname = ${literal(old)}) THEN ALTER DATABASE ${ident(old)} RENAME TO ` +
        `${ident(name)}; ALTER DATABASE ${ident(name)} ALLOW_CONNECTIONS true; END IF; END $$`,
      `DROP DATABASE IF EXISTS ${ident(staging)} WITH (FORCE)`,
      `CREATE DATABASE ${ident(staging)}`,
    ]);
    try {
      await runEngineTool(
        db.tool('pg_restore'),
        [...this.connection(db), '--no-owner', '--no-acl', '--exit-on-error', '-d', staging],
        {
          stdin: createReadStream(path),
          timeoutMs: this.timeouts.dataMs,
          failure: 'SNAPSHOT_CORRUPT',
          what: `the restore of ${db.service} (its data is unchanged)`,
        },
      );
    } catch (err) {
      await this.sql(db, [`DROP DATABASE IF EXISTS ${ident(staging)} WITH (FORCE)`]).catch(() => undefined);
      throw err;
    }
    // The swap: no new connections to the old database, end the ones it has (waiting up to 5 s for each, PG 14+),
    // then both renames in one transaction (the old one aside, the new one in: a daemon killed there leaves one
    // or the other, never neither), then drop the old one.
    const ifExists = (what: string) =>
      `DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_database WHERE datname = ${literal(name)}) THEN ${what}; END IF; END $$`;
    try {
      await this.sql(db, [
        `DROP DATABASE IF EXISTS ${ident(old)} WITH (FORCE)`,
        ifExists(`ALTER DATABASE ${ident(name)} ALLOW_CONNECTIONS false`),
        `SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity WHERE datname = ${literal(name)} ` +
          'AND pid <> pg_backend_pid()',
      ]);
      await this.sql(db, [
        'BEGIN',
        ifExists(`ALTER DATABASE ${ident(name)} RENAME TO ${ident(old)}`),
        `ALTER DATABASE ${ident(staging)} RENAME TO ${ident(name)}`,
        'COMMIT',
      ]);
    } catch (err) {
      // the restore failed, the data must not: the old one as it was, the staging one gone
      await this.sql(db, [
        ifExists(`ALTER DATABASE ${ident(name)} ALLOW_CONNECTIONS true`),
        `DROP DATABASE IF EXISTS ${ident(staging)} WITH (FORCE)`,
      ]).catch(() => undefined);
      throw err;
    }
    await this.sql(db, [`DROP DATABASE IF EXISTS ${ident(old)} WITH (FORCE)`]);
  }

  async reset(db: DatabaseHandle): Promise<void> {
    await db.ensureRunning();
    const name = db.config.name;
    await this.sql(db, [`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`, `CREATE DATABASE ${ident(name)}`]);
    await db.seed();
  }

  /** runs statements one by one (CREATE/DROP DATABASE refuse a transaction block), stopping at the first error */
  private async sql(db: DatabaseHandle, statements: string[]): Promise<void> {
    await runEngineTool(
      db.tool('psql'),
      [...this.connection(db), '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', 'postgres', '-f', '-'],
      {
        stdin: statements.map((s) => `${s};\n`).join(''),
        timeoutMs: this.timeouts.commandMs,
        what: `a command on ${db.service}`,
      },
    );
  }

  private connection(db: DatabaseHandle): string[] {
    return ['-h', '127.0.0.1', '-p', String(PostgresSnapshotter.portOf(db)), '-U', POSTGRES_USER, '--no-password'];
  }

  private static portOf(db: DatabaseHandle): number {
    const port = db.port();
    if (port === null)
      throw new DevMeshError(
        'SERVICE_FAILED',
        `${db.service} is not running: start it with \`devmesh start ${db.service}\``,
      );
    return port;
  }
}
