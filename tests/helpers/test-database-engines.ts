// Real postgres, redis-server and SQLite databases for tests of the snapshot code, each behind the
// DatabaseHandle interface (main/core/databases/database-handle.ts). A stand-in for the DatabaseManager while
// it is built in parallel: the engines are the machine's own (Debian's postgresql-15 and redis-server), run
// the way DevMesh runs them (as the `postgres` user when the test runs as root: postgres and initdb refuse
// root; on loopback, on a free port; data in a temp folder the engine's user owns). Tests can later point at
// the real manager instead; everything they use is the interface.
//
//   const engines = new TestDatabaseEngines(home);   afterEach(() => engines.stopAll());
//   const pg = await engines.postgres({ project: 'shop', service: 'api-db', owner: 'api', seedSql: '…' });
import { chmodSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { EngineTool } from '../../main/core/databases/database-handle.js';
import { DevMeshError } from '../../shared/errors.js';
import { engineUser, TestDatabase, type EngineOptions } from './test-database.js';
import { TestPostgres, TestRedis } from './test-engine-servers.js';

export { enginesMissing, engineUser, freePort, TestDatabase } from './test-database.js';
export { TestPostgres, TestRedis } from './test-engine-servers.js';

export class TestSqlite extends TestDatabase {
  readonly engineVersion = '3';

  constructor(options: EngineOptions, dataPath: string) {
    super(options, 'sqlite', dataPath, null);
  }

  port(): number | null {
    return null;
  }

  tool(name: string): EngineTool {
    throw new DevMeshError('ENGINE_MISSING', `sqlite has no tool ${name}`);
  }

  async ensureRunning(): Promise<void> {
    if (!existsSync(this.dataPath)) {
      await this.initialize();
      await this.seed();
    }
  }

  async stop(): Promise<void> {}

  async initialize(): Promise<void> {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${this.dataPath}${suffix}`, { force: true });
    mkdirSync(join(this.dataPath, '..'), { recursive: true });
    new BetterSqlite3(this.dataPath).close();
  }

  async seed(): Promise<void> {
    if (this.seedText !== null) this.exec(this.seedText);
  }

  exec(sql: string): void {
    const db = new BetterSqlite3(this.dataPath);
    try {
      db.pragma('journal_mode = WAL');
      db.exec(sql);
    } finally {
      db.close();
    }
  }

  all(sql: string): unknown[] {
    const db = new BetterSqlite3(this.dataPath, { readonly: true });
    try {
      return db.prepare(sql).all();
    } finally {
      db.close();
    }
  }
}

/** the engines one test started; `stopAll` in afterEach stops every one, also after a failure */
export class TestDatabaseEngines {
  private readonly started: TestDatabase[] = [];
  readonly user = engineUser();

  /** `home` is the test's $DEVMESH_HOME; the engine's user must be able to reach its data folders */
  constructor(private readonly home: string) {
    mkdirSync(home, { recursive: true });
    for (let dir = home; dir !== '/' && dir.startsWith(tmpdir()) && dir !== tmpdir(); dir = join(dir, '..'))
      if ((statSync(dir).mode & 0o011) !== 0o011) chmodSync(dir, statSync(dir).mode | 0o711);
  }

  async postgres(options: EngineOptions): Promise<TestPostgres> {
    const db = new TestPostgres(options, this.dataFolder(options), this.user);
    this.started.push(db);
    await db.ensureRunning();
    return db;
  }

  async redis(options: EngineOptions): Promise<TestRedis> {
    const db = new TestRedis(options, this.dataFolder(options), this.user);
    this.started.push(db);
    await db.ensureRunning();
    return db;
  }

  async sqlite(options: EngineOptions): Promise<TestSqlite> {
    const dir = join(this.home, 'databases', options.project, options.service);
    const db = new TestSqlite(options, join(dir, 'data', `${options.name ?? options.project}.db`));
    this.started.push(db);
    await db.ensureRunning();
    return db;
  }

  async stopAll(): Promise<void> {
    await Promise.allSettled(this.started.map((db) => db.stop()));
    this.started.length = 0;
  }

  private dataFolder(options: EngineOptions): string {
    const dir = join(this.home, 'databases', options.project, options.service);
    mkdirSync(dir, { recursive: true, mode: 0o711 });
    for (const d of [join(this.home, 'databases'), join(this.home, 'databases', options.project), dir])
      chmodSync(d, 0o711);
    return join(dir, 'data');
  }
}
