// Real postgres, redis-server and SQLite databases for tests of the snapshot code, each behind the
// DatabaseHandle interface (main/core/databases/database-handle.ts). A stand-in for the DatabaseManager while
// it is built in parallel: the engines are the machine's own (Debian's postgresql-15 and redis-server), run
// the way DevMesh runs them (as the `postgres` user when the test runs as root: postgres and initdb refuse
// root; on loopback, on a free port; data in a temp folder the engine's user owns). Tests can later point at
// the real manager instead; everything they use is the interface.
//
//   const engines = new TestDatabaseEngines(home);   afterEach(() => engines.stopAll());
//   const pg = await engines.postgres({ project: 'shop', service: 'api-db', owner: 'api', seedSql: '…' });
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { DatabaseConfig } from '../../main/core/config/project-config.js';
import type { DatabaseHandle, EngineTool } from '../../main/core/databases/database-handle.js';
import { POSTGRES_USER } from '../../main/core/databases/database-url.js';
import { DevMeshError } from '../../shared/errors.js';
import { scaled } from './load-scale.js';
import { sleep } from './until.js';

const PG_BIN = '/usr/lib/postgresql/15/bin';

/** is each engine installed here (tests skip with this reason when not) */
export const enginesMissing = ((): string | null => {
  for (const file of [`${PG_BIN}/initdb`, `${PG_BIN}/postgres`, '/usr/bin/redis-server', '/usr/bin/redis-cli'])
    if (!existsSync(file)) return `${file} is not installed (.ci/run installs postgresql and redis-server)`;
  return null;
})();

/** the user engines run as: the daemon's own, or `postgres` (else `nobody`) when it is root */
export function engineUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const passwd = readFileSync('/etc/passwd', 'utf8').split('\n');
  for (const name of ['postgres', 'nobody']) {
    const line = passwd.find((l) => l.startsWith(`${name}:`));
    if (line === undefined) continue;
    const [, , uid, gid] = line.split(':');
    return { uid: Number(uid), gid: Number(gid) };
  }
  throw new Error('no postgres or nobody user to run the engines as');
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

interface EngineOptions {
  project: string;
  service: string;
  owner?: string | null;
  /** postgres: SQL run after a fresh database is made; redis: commands, one per line; sqlite: SQL */
  seed?: string;
  /** the database's name (postgres), default the project */
  name?: string;
  /** redis: run with `appendonly yes` (the AOF is what it loads then) */
  appendonly?: boolean;
}

/** a DatabaseHandle over one real engine, started and stopped by the test */
export abstract class TestDatabase implements DatabaseHandle {
  readonly project: string;
  readonly service: string;
  readonly config: DatabaseConfig;
  abstract readonly engineVersion: string | null;
  readonly seedText: string | null;
  /** how many times whileStopped ran */
  stops = 0;

  constructor(
    options: EngineOptions,
    engine: DatabaseConfig['engine'],
    readonly dataPath: string,
    protected readonly user: { uid: number; gid: number } | null,
  ) {
    this.project = options.project;
    this.service = options.service;
    this.seedText = options.seed ?? null;
    this.config = {
      engine,
      range: null,
      name: options.name ?? options.project,
      seed: null,
      owner: options.owner ?? null,
    };
  }

  abstract port(): number | null;
  abstract tool(name: string): EngineTool;
  abstract ensureRunning(): Promise<void>;
  abstract stop(): Promise<void>;
  abstract initialize(): Promise<void>;
  abstract seed(): Promise<void>;

  async whileStopped<T>(fn: () => Promise<T>): Promise<T> {
    this.stops += 1;
    const wasRunning = this.port() !== null;
    await this.stop();
    try {
      return await fn();
    } finally {
      if (wasRunning) await this.ensureRunning();
    }
  }

  protected own(path: string): void {
    if (this.user !== null) chownSync(path, this.user.uid, this.user.gid);
  }

  protected toolAt(file: string): EngineTool {
    if (!existsSync(file)) throw new DevMeshError('ENGINE_MISSING', `${file} is not installed`);
    return { file, uid: this.user?.uid ?? null, gid: this.user?.gid ?? null };
  }
}

/** a server process of an engine, stopped with its own shutdown signal */
class EngineProcess {
  private exited: Promise<void>;
  private done = false;
  output = '';

  constructor(
    readonly child: ChildProcess,
    private readonly stopSignal: NodeJS.Signals,
  ) {
    child.stdout?.on('data', (d: Buffer) => (this.output = (this.output + d.toString()).slice(-8000)));
    child.stderr?.on('data', (d: Buffer) => (this.output = (this.output + d.toString()).slice(-8000)));
    this.exited = new Promise((resolve) =>
      child.on('exit', () => {
        this.done = true;
        resolve();
      }),
    );
  }

  get running(): boolean {
    return !this.done;
  }

  async stop(): Promise<void> {
    if (this.done) return;
    this.child.kill(this.stopSignal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), scaled(20_000));
    await this.exited;
    clearTimeout(timer);
  }
}

function run(file: string, args: string[], user: { uid: number; gid: number } | null, input?: string): string {
  const result = spawnSync(file, args, {
    cwd: tmpdir(),
    input,
    encoding: 'utf8',
    timeout: scaled(60_000),
    ...(user !== null ? { uid: user.uid, gid: user.gid } : {}),
  });
  if (result.status !== 0)
    throw new Error(`${file} ${args.join(' ')} failed (${result.status}): ${result.stderr}${result.error ?? ''}`);
  return result.stdout;
}

async function waitFor(what: string, probe: () => boolean, proc: EngineProcess): Promise<void> {
  const deadline = Date.now() + scaled(30_000);
  while (!probe()) {
    if (!proc.running) throw new Error(`${what} exited: ${proc.output}`);
    if (Date.now() > deadline) throw new Error(`${what} did not become ready: ${proc.output}`);
    await sleep(50);
  }
}

export class TestPostgres extends TestDatabase {
  readonly engineVersion = '15';
  private proc: EngineProcess | null = null;
  private currentPort: number | null = null;

  constructor(options: EngineOptions, dataPath: string, user: { uid: number; gid: number } | null) {
    super(options, 'postgres', dataPath, user);
  }

  port(): number | null {
    return this.proc?.running === true ? this.currentPort : null;
  }

  tool(name: string): EngineTool {
    return this.toolAt(join(PG_BIN, name));
  }

  /** a fresh cluster with user devmesh (trust on loopback) and an empty database `name` made on first start */
  async initialize(): Promise<void> {
    rmSync(this.dataPath, { recursive: true, force: true });
    mkdirSync(this.dataPath, { recursive: true, mode: 0o700 });
    this.own(this.dataPath);
    run(
      join(PG_BIN, 'initdb'),
      ['-D', this.dataPath, '-U', POSTGRES_USER, '--auth=trust', '-E', 'UTF8', '--no-sync'],
      this.user,
    );
  }

  async ensureRunning(): Promise<void> {
    if (this.port() !== null) return;
    if (!existsSync(join(this.dataPath, 'PG_VERSION'))) await this.initialize();
    const port = await freePort();
    const child = spawn(
      join(PG_BIN, 'postgres'),
      [
        '-D',
        this.dataPath,
        '-p',
        String(port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
        '-c',
        'fsync=off',
      ],
      { cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'], ...(this.user ?? {}) },
    );
    this.proc = new EngineProcess(child, 'SIGINT');
    this.currentPort = port;
    await waitFor(
      `postgres on ${port}`,
      () => spawnSync(join(PG_BIN, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)]).status === 0,
      this.proc,
    );
    const exists = this.psql('postgres', `SELECT 1 FROM pg_database WHERE datname = '${this.config.name}'`);
    if (exists.trim() === '') {
      this.psql('postgres', `CREATE DATABASE "${this.config.name}"`);
      await this.seed();
    }
  }

  async stop(): Promise<void> {
    await this.proc?.stop();
    this.proc = null;
  }

  async seed(): Promise<void> {
    if (this.seedText !== null) this.psql(this.config.name, this.seedText);
  }

  /** runs SQL on a database of the running server, returns psql's unaligned output */
  psql(database: string, sql: string): string {
    const port = this.port();
    if (port === null) throw new Error(`${this.service} is not running`);
    return run(
      join(PG_BIN, 'psql'),
      [
        '-h',
        '127.0.0.1',
        '-p',
        String(port),
        '-U',
        POSTGRES_USER,
        '-X',
        '-At',
        '-v',
        'ON_ERROR_STOP=1',
        '-d',
        database,
        '-f',
        '-',
      ],
      this.user,
      sql,
    );
  }

  query(sql: string): string {
    return this.psql(this.config.name, sql).trim();
  }
}

export class TestRedis extends TestDatabase {
  readonly engineVersion = '7';
  private proc: EngineProcess | null = null;
  private currentPort: number | null = null;

  private readonly appendonly: boolean;

  constructor(options: EngineOptions, dataPath: string, user: { uid: number; gid: number } | null) {
    super(options, 'redis', dataPath, user);
    this.appendonly = options.appendonly === true;
  }

  port(): number | null {
    return this.proc?.running === true ? this.currentPort : null;
  }

  tool(name: string): EngineTool {
    return this.toolAt(join('/usr/bin', name));
  }

  async initialize(): Promise<void> {
    rmSync(this.dataPath, { recursive: true, force: true });
    mkdirSync(this.dataPath, { recursive: true, mode: 0o700 });
    this.own(this.dataPath);
  }

  async ensureRunning(): Promise<void> {
    if (this.port() !== null) return;
    const fresh = !existsSync(this.dataPath);
    if (fresh) await this.initialize();
    const port = await freePort();
    // save points on (a shutdown saves dump.rdb, as the runtime's config does), AOF as asked, and no 5 s wait before
    // streaming an RDB to `redis-cli --rdb` (repl-diskless-sync-delay: it waits for more replicas to join)
    const child = spawn(
      '/usr/bin/redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dataPath,
        '--dbfilename',
        'dump.rdb',
        '--appendonly',
        this.appendonly ? 'yes' : 'no',
        '--save',
        '3600 1',
        '--daemonize',
        'no',
        '--protected-mode',
        'no',
        '--repl-diskless-sync-delay',
        '0',
      ],
      { cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'], ...(this.user ?? {}) },
    );
    this.proc = new EngineProcess(child, 'SIGTERM');
    this.currentPort = port;
    await waitFor(`redis on ${port}`, () => this.tryCli(['PING']) === 'PONG', this.proc);
    if (fresh) await this.seed();
  }

  async stop(): Promise<void> {
    await this.proc?.stop();
    this.proc = null;
  }

  async seed(): Promise<void> {
    for (const line of (this.seedText ?? '').split('\n').filter((l) => l.trim() !== ''))
      this.cli(line.trim().split(/\s+/));
  }

  cli(args: string[]): string {
    const port = this.port();
    if (port === null) throw new Error(`${this.service} is not running`);
    return run('/usr/bin/redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], null).trim();
  }

  private tryCli(args: string[]): string | null {
    const r = spawnSync('/usr/bin/redis-cli', ['-h', '127.0.0.1', '-p', String(this.currentPort), ...args], {
      encoding: 'utf8',
      timeout: 5000,
    });
    return r.status === 0 ? r.stdout.trim() : null;
  }
}

/** SQLite runs in its owner's process: "stopped" is only whether the test holds it open */
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
