// A Redis database from the machine's redis-server. Dev settings: loopback only (protected mode off there, so
// clients need no password, as on a developer's machine), RDB persistence only (no AOF) so the whole data is
// one file, dump.rdb, that a snapshot copies and a restore swaps while it is stopped; SIGTERM saves it on the
// way out. A seed is an RDB file (copied in before the first start) or a file of redis commands (fed through
// redis-cli to a temporary server on a unix socket, then saved), prepared in `data.staging` and renamed into
// place only once it all worked.
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
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { spawn } from 'node:child_process';
import { DevMeshError } from '../../../shared/errors.js';
import type { ServiceLaunch } from '../services/service-launch.js';
import type { EngineTool } from './database-handle.js';
import type { FoundEngine } from './engine-locator.js';
import { databaseLabel, RESTORE_UNDONE, type EngineRuntime, type EngineRuntimeContext } from './engine-runtime.js';
import { FileSwap } from './file-swap.js';
import { REDIS_AOF_DIR, REDIS_RDB_FILE } from './redis-snapshotter.js';
import { runProgram, shellQuote as q } from './run-program.js';

const SOCKET_PATH_MAX = 100;

export class RedisRuntime implements EngineRuntime {
  readonly dataPath: string;

  constructor(private readonly c: EngineRuntimeContext) {
    this.dataPath = join(c.dir, 'data');
  }

  async prepare(port: number, signal?: AbortSignal): Promise<ServiceLaunch> {
    void port; // redis listens on $PORT, which the runner sets to it
    const server = this.server();
    if (await FileSwap.recover([join(this.dataPath, REDIS_RDB_FILE), join(this.dataPath, REDIS_AOF_DIR)]))
      this.c.log(RESTORE_UNDONE);
    if (!existsSync(this.dataPath)) await this.bootstrap(server, true, signal);
    const cli = this.tool('redis-cli');
    return {
      command: ['exec', q(server.binary), ...RedisRuntime.settings(this.dataPath), '--port', '"$PORT"'].join(' '),
      cwd: this.dataPath,
      health: {
        kind: 'exec',
        command: `${q(cli.file)} -h 127.0.0.1 -p "$PORT" ping | grep -q PONG`,
        intervalMs: 5000,
        timeoutMs: 5000,
        retries: 3,
        startTimeoutMs: 120_000,
      },
      uid: null,
      gid: null,
    };
  }

  async initialize(): Promise<void> {
    const server = this.server();
    rmSync(this.dataPath, { recursive: true, force: true });
    await this.bootstrap(server, false);
  }

  async seed(port: number | null): Promise<void> {
    if (port === null) {
      throw new DevMeshError('CONFLICT', `${databaseLabel(this.c)} is not running: start it before seeding it`);
    }
    const file = this.seedFile();
    if (file === null) return;
    if (RedisRuntime.isRdb(file)) {
      throw new DevMeshError(
        'CONFLICT',
        `${databaseLabel(this.c)}: an RDB seed (${file}) replaces the data file; it applies to a stopped, empty ` +
          `database at its next start (reset the database)`,
      );
    }
    await this.feed(['-h', '127.0.0.1', '-p', String(port)], file);
  }

  tool(name: string): EngineTool {
    const server = this.server();
    const file = this.c.locator.program('redis', name, server);
    if (file === null) {
      throw new DevMeshError(
        'ENGINE_MISSING',
        `${name} is not installed beside ${server.binary} nor on PATH; install it (${this.c.locator.installHint('redis')})`,
      );
    }
    return { file, uid: null, gid: null };
  }

  /** the command line settings of every redis-server DevMesh runs (the temporary one too) */
  static settings(dir: string): string[] {
    const set = (key: string, value: string) => [`--${key}`, q(value)];
    return [
      ...set('bind', '127.0.0.1'),
      ...set('protected-mode', 'no'),
      ...set('dir', dir),
      ...set('dbfilename', 'dump.rdb'),
      ...set('appendonly', 'no'),
      // every minute when anything changed; and always on shutdown (SIGTERM)
      ...set('save', '60 1'),
      ...set('daemonize', 'no'),
      ...set('logfile', ''),
    ];
  }

  private server(): FoundEngine {
    return this.c.locator.require('redis', this.c.config.range, databaseLabel(this.c));
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

  private async bootstrap(server: FoundEngine, withSeed: boolean, signal?: AbortSignal): Promise<void> {
    const staging = `${this.dataPath}.staging`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(dirname(staging), { recursive: true });
    mkdirSync(staging, { mode: 0o700 });
    try {
      const file = withSeed ? this.seedFile() : null;
      if (file !== null && RedisRuntime.isRdb(file)) copyFileSync(file, join(staging, 'dump.rdb'));
      else if (file !== null) await this.seedThroughSocket(server, staging, file, signal);
      renameSync(staging, this.dataPath);
      this.c.log(`first start: ${this.dataPath} is ready${file ? ` (seeded from ${file})` : ''}`);
    } catch (err) {
      rmSync(staging, { recursive: true, force: true });
      throw new DevMeshError(
        'SERVICE_FAILED',
        `the first start of ${databaseLabel(this.c)} failed while seeding it; nothing was kept, the next start ` +
          `begins again: ${(err as Error).message}`,
      );
    }
  }

  /** A temporary redis-server on a unix socket only (port 0: no TCP), fed the commands, then SHUTDOWN SAVE. */
  private async seedThroughSocket(
    server: FoundEngine,
    staging: string,
    file: string,
    signal?: AbortSignal,
  ): Promise<void> {
    const socket = this.socketPath(staging);
    const args = [...RedisRuntime.settings(staging), '--port', '0', '--unixsocket', socket].map(RedisRuntime.unquote);
    const child = spawn(server.binary, args, { cwd: staging, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (d: Buffer) => (output = (output + d.toString('utf8')).slice(-4000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    // a server that cannot be spawned says so on 'error' (then 'close'): unheard, it would take the daemon down
    let spawnError: Error | null = null;
    child.once('error', (err) => (spawnError = err));
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    try {
      const cli = this.tool('redis-cli');
      for (let i = 0; ; i++) {
        const pong = await runProgram(cli, {
          what: 'ping',
          args: ['-s', socket, 'ping'],
          timeoutMs: 10_000,
          signal,
        }).catch(() => '');
        if (pong.includes('PONG')) break;
        if (signal?.aborted) throw new Error('the start was called off');
        if (i > 600 || child.exitCode !== null || child.signalCode !== null || spawnError !== null)
          throw new Error(
            `the temporary redis-server did not answer: ${(spawnError as Error | null)?.message ?? ''}` +
              output.trim().split('\n').slice(-5).join('\n'),
          );
        await delay(100);
      }
      await this.feed(['-s', socket], file, signal);
      await runProgram(cli, { what: 'save', args: ['-s', socket, 'shutdown', 'save'] }).catch(() => '');
      await Promise.race([exited, delay(30_000)]);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
      if (socket !== join(staging, 'redis.sock')) rmSync(socket, { force: true });
    }
  }

  /** redis-cli reading commands from the file; an error reply fails it (redis-cli alone would go on) */
  private async feed(target: string[], file: string, signal?: AbortSignal): Promise<void> {
    const out = await runProgram(this.tool('redis-cli'), {
      what: `seeding ${databaseLabel(this.c)} from ${file}`,
      args: target,
      input: readFileSync(file, 'utf8'),
      signal,
    });
    const error = out.split('\n').find((l) => l.startsWith('(error)') || l.startsWith('ERR'));
    if (error) throw new DevMeshError('SERVICE_FAILED', `seeding ${databaseLabel(this.c)} from ${file}: ${error}`);
  }

  private socketPath(staging: string): string {
    const inside = join(staging, 'redis.sock');
    if (Buffer.byteLength(inside) <= SOCKET_PATH_MAX) return inside;
    return join(tmpdir(), `devmesh-redis-${createHash('sha256').update(staging).digest('hex').slice(0, 12)}.sock`);
  }

  private static unquote(arg: string): string {
    return arg.startsWith("'") && arg.endsWith("'") ? arg.slice(1, -1).replace(/'\\''/g, "'") : arg;
  }

  /** an RDB file starts with "REDIS" */
  private static isRdb(file: string): boolean {
    const fd = openSync(file, 'r');
    try {
      const head = Buffer.alloc(5);
      readSync(fd, head, 0, 5, 0);
      return head.toString('latin1') === 'REDIS';
    } finally {
      closeSync(fd);
    }
  }
}
