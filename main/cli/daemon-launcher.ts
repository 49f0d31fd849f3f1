// `devmesh up --detach`: starts the daemon as a detached copy of this CLI (output appended to
// $DEVMESH_HOME/logs/daemon.log) and waits, bounded, until its API answers.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DevMeshError } from '../../shared/errors.js';
import type { DaemonInfo } from '../../shared/api.js';
import type { DevMeshHome } from '../core/home/devmesh-home.js';
import { ApiClient } from './api-client.js';

export interface LaunchRequest {
  command: string;
  /** the arguments of the foreground `up` the detached process runs */
  args: string[];
  cwd: string;
  timeoutMs?: number;
}

export interface Launched {
  pid: number;
  info: DaemonInfo;
  url: string;
  logPath: string;
}

const POLL_MS = 100;

export class DaemonLauncher {
  constructor(private readonly home: DevMeshHome) {}

  get logPath(): string {
    return join(this.home.logDir, 'daemon.log');
  }

  async launch(request: LaunchRequest): Promise<Launched> {
    this.home.ensure();
    const logPath = this.logPath;
    const logStart = DaemonLauncher.sizeOf(logPath);
    const fd = openSync(logPath, 'a', 0o600);
    // Filled in by the child's events while the loop below polls.
    const state: { exited: { code: number | null; signal: NodeJS.Signals | null } | null; error: Error | null } = {
      exited: null,
      error: null,
    };
    try {
      const child = spawn(request.command, request.args, {
        cwd: request.cwd,
        detached: true,
        stdio: ['ignore', fd, fd],
        env: process.env,
      });
      child.on('exit', (code, signal) => {
        state.exited = { code, signal };
      });
      child.on('error', (err) => {
        state.error = err;
      });
      child.unref();
      const pid = child.pid;
      const deadline = Date.now() + (request.timeoutMs ?? 30_000);
      while (Date.now() < deadline) {
        if (state.error)
          throw new DevMeshError(
            'SPAWN_FAILED',
            `could not start the DevMesh daemon (${request.command}): ${state.error.message}`,
          );
        if (state.exited) throw this.earlyExit(state.exited, logStart);
        const info = await this.probe(pid);
        if (info !== null) {
          const record = this.home.readDaemonRecord();
          return { pid: info.pid, info, url: record?.url ?? info.apiUrl ?? '', logPath };
        }
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
      throw new DevMeshError(
        'TIMEOUT',
        `the DevMesh daemon (pid ${pid ?? '?'}) did not answer within ${Math.round((request.timeoutMs ?? 30_000) / 1000)}s; see ${logPath}`,
      );
    } finally {
      closeSync(fd);
    }
  }

  /** The daemon's info once the process we started answers on the recorded address; null until then. */
  private async probe(pid: number | undefined): Promise<DaemonInfo | null> {
    const record = this.home.readDaemonRecord();
    if (record === null || record.pid !== pid) return null;
    let client: ApiClient;
    try {
      client = await ApiClient.connect(this.home, { connectTimeoutMs: 2_000, callTimeoutMs: 2_000 });
    } catch (err) {
      if (err instanceof DevMeshError && (err.code === 'DAEMON_NOT_RUNNING' || err.code === 'TIMEOUT')) return null;
      throw err;
    }
    try {
      return await client.call('daemon.info', {});
    } finally {
      await client.close();
    }
  }

  private earlyExit(exit: { code: number | null; signal: NodeJS.Signals | null }, logStart: number): DevMeshError {
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code ?? '?'}`;
    // What the daemon printed for people (its structured log lines are JSON) says why it stopped.
    const said = DaemonLauncher.readFrom(this.logPath, logStart)
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('{'))
      .slice(-20)
      .join('\n')
      .replace(/^devmesh: /gm, '');
    const message = said ? `\n${said}` : ` see ${this.logPath}`;
    return new DevMeshError('SPAWN_FAILED', `the DevMesh daemon ${how}:${message}`);
  }

  private static sizeOf(path: string): number {
    try {
      return statSync(path).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw err;
    }
  }

  private static readFrom(path: string, offset: number): string {
    try {
      return readFileSync(path).subarray(offset).toString('utf8');
    } catch (err) {
      return `(could not read ${path}: ${(err as Error).message})`;
    }
  }
}
