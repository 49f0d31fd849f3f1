// A PostgreSQL database from the machine's own binaries. The first start bootstraps it the way the official
// image's entrypoint does (docker-library/postgres, docker-entrypoint.sh): initdb with trust auth, a temporary
// server on a unix socket only (no TCP), the database created, the seed applied (psql -v ON_ERROR_STOP=1 for
// SQL, pg_restore for a custom-format dump), the temporary server stopped, then the real start. The bootstrap
// works in `data.staging` and renames it to `data` only once all of it succeeded, so a failed seed leaves
// nothing that a later start could mistake for a good database.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { DevMeshError } from '../../../shared/errors.js';
import type { ServiceLaunch } from '../services/service-launch.js';
import type { EngineTool } from './database-handle.js';
import { POSTGRES_USER } from './database-url.js';
import type { FoundEngine } from './engine-locator.js';
import { databaseLabel, type EngineRuntime, type EngineRuntimeContext } from './engine-runtime.js';
import { giveTo, letThrough } from './engine-user.js';
import { runProgram, shellQuote as q } from './run-program.js';

/** the programs that touch the data folder itself and so refuse root; clients run as the daemon */
const SERVER_PROGRAMS = new Set(['postgres', 'initdb', 'pg_ctl', 'pg_resetwal', 'pg_controldata', 'pg_upgrade']);
/** the temporary server listens on its socket only; the number merely names the socket file */
const BOOTSTRAP_PORT = 5432;
/** sun_path holds 108 bytes on Linux, 104 on macOS: the socket's full path must fit */
const SOCKET_PATH_MAX = 100;

export class PostgresRuntime implements EngineRuntime {
  readonly dataPath: string;

  constructor(private readonly c: EngineRuntimeContext) {
    this.dataPath = join(c.dir, 'data');
  }

  /** $DEVMESH_HOME: c.dir is <home>/databases/<project>/<service> */
  private get home(): string {
    return resolve(this.c.dir, '..', '..', '..');
  }

  async prepare(port: number, signal?: AbortSignal): Promise<ServiceLaunch> {
    const server = this.server();
    if (!existsSync(join(this.dataPath, 'PG_VERSION'))) await this.bootstrap(server, true, signal);
    this.checkMajor(server);
    letThrough(this.dataPath, this.c.user, this.home);
    const socket = this.socketDir(this.dataPath);
    const isReady = this.tool('pg_isready');
    const args = [
      'exec',
      q(server.binary),
      '-D',
      q(this.dataPath),
      '-p',
      '"$PORT"',
      '-c',
      'listen_addresses=127.0.0.1',
      q(`-cunix_socket_directories=${socket}`),
    ];
    void port; // the engine listens on $PORT, which the runner sets to it
    return {
      command: args.join(' '),
      cwd: this.dataPath,
      health: {
        kind: 'exec',
        command: `${q(isReady.file)} -q -h 127.0.0.1 -p "$PORT" -U ${POSTGRES_USER} -d postgres`,
        intervalMs: 5000,
        timeoutMs: 5000,
        retries: 3,
        startTimeoutMs: 120_000,
      },
      uid: this.c.user?.uid ?? null,
      gid: this.c.user?.gid ?? null,
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
    await this.applySeed('127.0.0.1', port);
  }

  tool(name: string): EngineTool {
    const server = this.server();
    const file = this.c.locator.program('postgres', name, server);
    if (file === null) {
      throw new DevMeshError(
        'ENGINE_MISSING',
        `${name} is not installed beside ${server.binary} nor on PATH; install the PostgreSQL client programs ` +
          `(${this.c.locator.installHint('postgres')})`,
      );
    }
    const asEngine = SERVER_PROGRAMS.has(name) && this.c.user !== null;
    return { file, uid: asEngine ? this.c.user!.uid : null, gid: asEngine ? this.c.user!.gid : null };
  }

  private server(): FoundEngine {
    return this.c.locator.require('postgres', this.c.config.range, databaseLabel(this.c));
  }

  /** initdb into a staging folder, create the database and seed it there, then rename it into place. */
  private async bootstrap(server: FoundEngine, withSeed: boolean, signal?: AbortSignal): Promise<void> {
    const staging = `${this.dataPath}.staging`;
    const log = join(staging, 'devmesh-bootstrap.log');
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(dirname(staging), { recursive: true });
    mkdirSync(staging, { mode: 0o700 });
    giveTo(staging, this.c.user);
    letThrough(staging, this.c.user, this.home);
    const socket = this.socketDir(staging);
    let step = 'running initdb';
    let started = false;
    const onLine = (line: string) => this.c.log(`bootstrap: ${line}`);
    try {
      this.c.log(`first start: initializing ${staging} with ${server.binary} ${server.version}`);
      // --locale=C: the same sort order on every machine, and no dependency on the OS having a locale built.
      await runProgram(this.tool('initdb'), {
        what: `initdb for ${databaseLabel(this.c)}`,
        args: [
          '-D',
          staging,
          `--auth=trust`,
          '-U',
          POSTGRES_USER,
          '--encoding=UTF8',
          '--locale=C',
          '--no-instructions',
        ],
        cwd: staging,
        onLine,
        signal,
      });
      step = 'starting a temporary server on its socket';
      const options = `-c listen_addresses='' -c unix_socket_directories="${socket}" -p ${BOOTSTRAP_PORT}`;
      await runProgram(this.tool('pg_ctl'), {
        what: `the temporary server of ${databaseLabel(this.c)}`,
        args: ['-D', staging, '-o', options, '-l', log, '-w', '-t', '120', 'start'],
        cwd: staging,
        // longer than pg_ctl's own -t: pg_ctl says why it gave up, rather than being killed
        timeoutMs: 150_000,
        signal,
      });
      started = true;
      step = `creating database ${this.c.config.name}`;
      await this.psql(socket, BOOTSTRAP_PORT, 'postgres', ['-c', `CREATE DATABASE "${this.c.config.name}"`], signal);
      if (withSeed && this.c.config.seed) {
        step = `seeding from ${this.seedLabel()}`;
        await this.applySeed(socket, BOOTSTRAP_PORT, signal);
      }
      step = 'stopping the temporary server';
      await this.stopTemporary(staging, 'fast');
      started = false;
      rmSync(log, { force: true });
      renameSync(staging, this.dataPath);
      this.c.log(`first start: ${this.c.config.name} is ready in ${this.dataPath}`);
    } catch (err) {
      const tail = PostgresRuntime.tail(log);
      // Also when pg_ctl start itself failed or was stopped: the server it launched may be up all the same
      // (pg_ctl detaches it), and would run on, orphaned, in a folder about to be removed.
      if (started || existsSync(join(staging, 'postmaster.pid')))
        await this.stopTemporary(staging, 'immediate').catch((e: Error) =>
          this.c.log(`bootstrap: stopping the temporary server failed: ${e.message}`),
        );
      rmSync(staging, { recursive: true, force: true });
      const message = err instanceof Error ? err.message : String(err);
      throw new DevMeshError(
        'SERVICE_FAILED',
        `the first start of ${databaseLabel(this.c)} failed while ${step}; nothing was kept, the next start ` +
          `begins again: ${message}${tail ? `\nserver log:\n${tail}` : ''}`,
      );
    } finally {
      // the temporary server's socket folder, when the staging path was too long to hold the socket
      if (socket !== staging) rmSync(socket, { recursive: true, force: true });
    }
  }

  private async applySeed(host: string, port: number, signal?: AbortSignal): Promise<void> {
    const seed = this.c.config.seed;
    if (seed === null) return;
    const file = seed.kind === 'file' ? seed.path : this.c.snapshotFile(seed.name);
    if (file === null) {
      throw new DevMeshError(
        'SNAPSHOT_CORRUPT',
        `${databaseLabel(this.c)}: no snapshot '${seed.kind === 'snapshot' ? seed.name : ''}' to seed from: take ` +
          `it (devmesh db snapshot) or pull it from a teammate, or seed from a file`,
      );
    }
    if (PostgresRuntime.isCustomDump(file)) {
      const args = ['--no-owner', '--no-privileges', '--exit-on-error', '-h', host, '-p', String(port)];
      await runProgram(this.tool('pg_restore'), {
        what: `pg_restore of ${file} into ${databaseLabel(this.c)}`,
        args: [...args, '-U', POSTGRES_USER, '-d', this.c.config.name, file],
        signal,
      });
    } else {
      await this.psql(host, port, this.c.config.name, ['-f', file], signal);
    }
  }

  private psql(host: string, port: number, database: string, args: string[], signal?: AbortSignal): Promise<string> {
    return runProgram(this.tool('psql'), {
      what: `psql on ${databaseLabel(this.c)}`,
      args: [
        '-X',
        '-q',
        '-v',
        'ON_ERROR_STOP=1',
        '-h',
        host,
        '-p',
        String(port),
        '-U',
        POSTGRES_USER,
        '-d',
        database,
        ...args,
      ],
      env: { ...process.env, PGCONNECT_TIMEOUT: '10' },
      signal,
    });
  }

  private stopTemporary(folder: string, mode: 'fast' | 'immediate'): Promise<string> {
    return runProgram(this.tool('pg_ctl'), {
      what: `stopping the temporary server of ${databaseLabel(this.c)}`,
      args: ['-D', folder, '-m', mode, '-w', '-t', '60', 'stop'],
      cwd: folder,
    });
  }

  /** A data folder from another major version cannot be opened by this one: say so before postgres does. */
  private checkMajor(server: FoundEngine): void {
    const major = readFileSync(join(this.dataPath, 'PG_VERSION'), 'utf8').trim();
    if (major === server.version.split('.')[0]) return;
    throw new DevMeshError(
      'ENGINE_MISSING',
      `${databaseLabel(this.c)}: its data in ${this.dataPath} was made by PostgreSQL ${major}, but this machine ` +
        `runs ${server.version} (${server.binary}); install PostgreSQL ${major}, or reset the database ` +
        `(devmesh db reset ${this.c.service}) to start over with ${server.version}`,
    );
  }

  /** Inside the data folder when the socket's path fits; else a short folder of its own under the temp dir. */
  private socketDir(folder: string): string {
    if (Buffer.byteLength(join(folder, `.s.PGSQL.65535.lock`)) <= SOCKET_PATH_MAX) return folder;
    const short = join(tmpdir(), `devmesh-pg-${createHash('sha256').update(folder).digest('hex').slice(0, 12)}`);
    mkdirSync(short, { recursive: true, mode: 0o700 });
    giveTo(short, this.c.user);
    return short;
  }

  private seedLabel(): string {
    const seed = this.c.config.seed!;
    return seed.kind === 'file' ? seed.path : `snapshot ${seed.name}`;
  }

  /** pg_dump's custom format starts with "PGDMP" */
  private static isCustomDump(file: string): boolean {
    const fd = openSync(file, 'r');
    try {
      const head = Buffer.alloc(5);
      readSync(fd, head, 0, 5, 0);
      return head.toString('latin1') === 'PGDMP';
    } finally {
      closeSync(fd);
    }
  }

  private static tail(log: string): string {
    try {
      return readFileSync(log, 'utf8').trim().split('\n').slice(-8).join('\n');
    } catch {
      return '';
    }
  }
}
