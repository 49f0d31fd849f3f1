// The base of the test databases (test-database-engines.ts): a DatabaseHandle over one real engine, the
// engine's server process (stopped with its own shutdown signal), and the user engines run as.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import type { DatabaseConfig } from '../../main/core/config/project-config.js';
import type { DatabaseHandle, EngineTool } from '../../main/core/databases/database-handle.js';
import { DevMeshError } from '../../shared/errors.js';
import { scaled } from './load-scale.js';
import { sleep } from './until.js';

export const PG_BIN = '/usr/lib/postgresql/15/bin';

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

export interface EngineOptions {
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
export class EngineProcess {
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

export function run(file: string, args: string[], user: { uid: number; gid: number } | null, input?: string): string {
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

export async function waitFor(what: string, probe: () => boolean, proc: EngineProcess): Promise<void> {
  const deadline = Date.now() + scaled(30_000);
  while (!probe()) {
    if (!proc.running) throw new Error(`${what} exited: ${proc.output}`);
    if (Date.now() > deadline) throw new Error(`${what} did not become ready: ${proc.output}`);
    await sleep(50);
  }
}
