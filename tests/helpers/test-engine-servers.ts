// Real postgres and redis-server for tests, behind DatabaseHandle (see test-database-engines.ts).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineTool } from '../../main/core/databases/database-handle.js';
import { POSTGRES_USER } from '../../main/core/databases/database-url.js';
import { EngineProcess, freePort, PG_BIN, run, TestDatabase, waitFor, type EngineOptions } from './test-database.js';

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
