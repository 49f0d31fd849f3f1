// The e2e fixture every UI suite starts from: `devmesh up` in the foreground with the shop example (or
// another project), in a throwaway DEVMESH_HOME, its output kept for failure messages. Not a test file.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { scaled } from '../helpers/load-scale.js';

const root = resolve(__dirname, '../..');

export interface DaemonStartOptions {
  /** prefix of the temporary DEVMESH_HOME, so a leftover one names its suite */
  homePrefix?: string;
  /** added to the daemon's environment (e.g. the proxy's ports) */
  env?: Record<string, string>;
  /** the project folder, relative to the repository; the shop example when not given */
  project?: string;
  /** more arguments for `devmesh up` (`--https-port 0`) */
  args?: string[];
  /** an existing DEVMESH_HOME to start on instead of a new one (a restart after a crash, a folder on a small
   *  tmpfs); stop() removes it like one it made */
  home?: string;
}

export class DaemonProcess {
  output = '';
  private readonly exited: Promise<number | null>;

  private constructor(
    readonly child: ChildProcess,
    readonly home: string,
  ) {
    child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.exited = new Promise((res) => child.once('exit', (code) => res(code)));
  }

  static start(options: DaemonStartOptions = {}): DaemonProcess {
    // The daemon serves the built UI: a stale or missing build would test old code or fail obscurely.
    for (const built of ['dist/cli/devmesh.js', 'dist/renderer/index.html']) {
      if (!existsSync(join(root, built)))
        throw new Error(`${built} is missing: run \`npm run build\` before the e2e test`);
    }
    const home = options.home ?? mkdtempSync(join(tmpdir(), options.homePrefix ?? 'devmesh-e2e-'));
    const child = spawn(
      process.execPath,
      ['bin/devmesh.js', 'up', '--project', options.project ?? 'examples/shop', '--port', '0', ...(options.args ?? [])],
      {
        cwd: root,
        env: { ...process.env, DEVMESH_HOME: home, ...options.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    return new DaemonProcess(child, home);
  }

  /** The UI's address: from the line `devmesh up` prints, or from $DEVMESH_HOME/daemon.json. */
  async url(timeoutMs = scaled(30_000)): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const printed = /DevMesh is up: (\S+)/.exec(this.output)?.[1];
      if (printed) return printed;
      const record = join(this.home, 'daemon.json');
      if (existsSync(record)) {
        const url = (JSON.parse(readFileSync(record, 'utf8')) as { url?: string }).url;
        if (url) return url;
      }
      if (this.child.exitCode !== null)
        throw new Error(`devmesh up exited with ${this.child.exitCode}:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`devmesh up did not report its address within ${timeoutMs} ms:\n${this.output}`);
  }

  /** The UI's HTTPS address, from the line `devmesh up --https-port N` prints once it is up. */
  async httpsUrl(timeoutMs = scaled(30_000)): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const printed = /Over HTTPS: (\S+)/.exec(this.output)?.[1];
      if (printed) return printed;
      if (this.child.exitCode !== null)
        throw new Error(`devmesh up exited with ${this.child.exitCode}:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`devmesh up printed no HTTPS address within ${timeoutMs} ms (--https-port?):\n${this.output}`);
  }

  /** SIGKILL, as a crash or the OOM killer would: nothing runs in the daemon after it; the home is kept. */
  async crash(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM, as an operator's Ctrl-C would; the daemon stops its services before it exits. Safe to repeat. */
  async stop(timeoutMs = scaled(20_000)): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
    const result = await Promise.race([this.exited, timer]);
    if (result === 'timeout') {
      // Kill rather than leave an orphan daemon holding ports, then fail: a hung shutdown is a bug.
      this.child.kill('SIGKILL');
      await this.exited;
      this.removeHome();
      throw new Error(`the daemon did not exit within ${timeoutMs} ms of SIGTERM:\n${this.output}`);
    }
    this.removeHome();
    return result;
  }

  /** Is the daemon process still running? */
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  private removeHome(): void {
    rmSync(this.home, { recursive: true, force: true });
  }
}
