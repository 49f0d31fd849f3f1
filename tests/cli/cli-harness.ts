// Runs the real `devmesh` command (bin/devmesh.js → dist/cli/devmesh.js) as a child process with its own
// DEVMESH_HOME, for the CLI tests. Builds the CLI first when dist/cli is missing or older than the sources.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { scaled } from '../helpers/load-scale.js';

export const ROOT = resolve(__dirname, '../..');
export const BIN = join(ROOT, 'bin', 'devmesh.js');
const BUNDLE = join(ROOT, 'dist', 'cli', 'devmesh.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds dist/cli when missing or stale: `scripts/build.mjs main`, or the CLI alone should another face not build. */
export function ensureCliBuilt(): void {
  const sources = Math.max(
    newestSource(join(ROOT, 'main')),
    newestSource(join(ROOT, 'shared')),
    statSync(join(ROOT, 'package.json')).mtimeMs,
  );
  if (existsSync(BUNDLE) && statSync(BUNDLE).mtimeMs >= sources) return;
  const full = spawnSync(process.execPath, ['scripts/build.mjs', 'main'], { cwd: ROOT, encoding: 'utf8' });
  if (full.status === 0 && existsSync(BUNDLE)) return;
  const cliOnly = spawnSync(
    process.execPath,
    [
      '-e',
      `require('esbuild').build({ bundle: true, platform: 'node', target: 'node22', format: 'cjs', sourcemap: true, logLevel: 'warning',
         absWorkingDir: process.cwd(), entryPoints: ['main/cli/main.ts'], outfile: 'dist/cli/devmesh.js', packages: 'external' })
       .catch((e) => { console.error(e.message); process.exit(1); })`,
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (cliOnly.status !== 0) throw new Error(`could not build the CLI:\n${full.stderr}\n${cliOnly.stderr}`);
}

/** A `devmesh` process still running (up, run, logs -f): its output so far and its exit. */
export class RunningCli {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8').on('data', (c: string) => (this.stdout += c));
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (this.stderr += c));
    this.exited = new Promise((r) => child.once('exit', (code) => r(code)));
  }

  async waitForOutput(pattern: RegExp, timeoutMs = scaled(20_000)): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.stdout.match(pattern) ?? this.stderr.match(pattern);
      if (m) return m;
      if (this.child.exitCode !== null || Date.now() > deadline) {
        throw new Error(
          `no output matching ${pattern} (exit ${this.child.exitCode}); stdout:\n${this.stdout}\nstderr:\n${this.stderr}`,
        );
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Signals the process and waits (bounded) for its exit code; SIGKILLs it after the bound. */
  async stop(signal: NodeJS.Signals = 'SIGINT', timeoutMs = scaled(15_000)): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

export class CliHarness {
  constructor(
    readonly home: string,
    readonly cwd: string,
    /** added to every command's environment */
    readonly extraEnv: Record<string, string> = {},
  ) {}

  private env(): NodeJS.ProcessEnv {
    return { ...process.env, DEVMESH_HOME: this.home, NO_COLOR: '1', ...this.extraEnv };
  }

  spawn(args: string[], node = process.execPath): RunningCli {
    return new RunningCli(
      spawn(node, [BIN, ...args], { cwd: this.cwd, env: this.env(), stdio: ['ignore', 'pipe', 'pipe'] }),
    );
  }

  /** `devmesh up <args> --port 0`, once it prints its address; stopped again if it never does. The caller stops it. */
  async up(args: string[], timeoutMs = scaled(60_000)): Promise<{ daemon: RunningCli; port: number }> {
    const daemon = this.spawn(['up', ...args, '--port', '0']);
    try {
      const m = await daemon.waitForOutput(/DevMesh is up: http:\/\/127\.0\.0\.1:(\d+)\//, timeoutMs);
      return { daemon, port: Number(m[1]) };
    } catch (err) {
      await daemon.stop('SIGTERM');
      throw err;
    }
  }

  /** Runs a command to its end (bounded). */
  async run(args: string[], options: { timeoutMs?: number; node?: string } = {}): Promise<CliResult> {
    const running = this.spawn(args, options.node);
    const timer = setTimeout(() => running.child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    try {
      const code = await running.exited;
      return { code, stdout: running.stdout, stderr: running.stderr };
    } finally {
      clearTimeout(timer);
    }
  }

  async json<T>(args: string[]): Promise<T> {
    const r = await this.run([...args, '--json']);
    if (r.code !== 0) throw new Error(`devmesh ${args.join(' ')} --json exited ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  }
}
