// One machine of a MeshLab: its namespace, address, DEVMESH_HOME, project folder and `devmesh up` daemon,
// with the CLI, API, HTTP and lifecycle helpers the mesh tests use. See mesh-lab.ts.
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MeshInfo, PeerInfo, PeerState } from '../../shared/mesh.js';
import type { ServiceInfo } from '../../shared/service.js';
import { scaled } from './load-scale.js';
import type { NetnsRunResult } from './netns-lab.js';
import { NetnsSession, SESSION_JS } from './netns-session.js';
import { LOCK_DRIVER_JS, LockDriver } from './lock-driver.js';
import {
  MESH_PORT,
  ROOT,
  CLI,
  CLI_TIMEOUT_MS,
  UP_TIMEOUT_MS,
  STOP_TIMEOUT_MS,
  SERVER_JS,
  EVENTS_JS,
  waitUntil,
  sleep,
  CliError,
  summarizePeers,
  type MeshServiceSpec,
  type WaitOptions,
  type EventFollower,
} from './mesh-lab-support.js';
import type { MeshLab } from './mesh-lab.js';
/** One machine of the lab: its namespace, address, DEVMESH_HOME, project folder and `devmesh up` daemon. */
export class MeshHost {
  /** the daemon's stdout and stderr since the last start */
  output = '';
  daemon: ChildProcess | null = null;
  /** ports the running daemon printed (null before start or when the listener is off) */
  proxyPort: number | null = null;
  proxyHttpsPort: number | null = null;
  apiUrl: string | null = null;
  /** per-host environment for the daemon and CLI calls; edit before (re)start */
  readonly env: Record<string, string>;
  private exited: Promise<void> = Promise.resolve();
  /** the helper process in this namespace that API calls and HTTP requests go through (see netns-session.ts) */
  private session: NetnsSession | null = null;

  constructor(
    private readonly lab: MeshLab,
    readonly index: number,
    readonly name: string,
    readonly ns: string,
    readonly ip: string,
    readonly dir: string,
    env: Record<string, string>,
    private services: MeshServiceSpec[],
  ) {
    this.env = env;
    mkdirSync(this.home, { recursive: true, mode: 0o700 });
    mkdirSync(this.projectDir, { recursive: true });
    writeFileSync(join(this.projectDir, 'server.js'), SERVER_JS);
    this.writeConfig();
  }

  get home(): string {
    return join(this.dir, 'home');
  }
  get projectDir(): string {
    return join(this.dir, 'project');
  }
  /** ip:7790, what teammates dial */
  get meshAddress(): string {
    return `${this.ip}:${MESH_PORT}`;
  }
  get running(): boolean {
    return this.daemon !== null && this.daemon.exitCode === null && this.daemon.signalCode === null;
  }
  get pid(): number | null {
    return this.running ? (this.daemon?.pid ?? null) : null;
  }

  /** The environment a daemon or CLI call of this host gets: no DEVMESH_* of the test runner leaks in. */
  processEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const base: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('DEVMESH_')) base[k] = v;
    return { ...base, ...this.env, ...extra };
  }

  /** `devmesh <args>` inside this host's namespace; throws CliError on a non-zero exit unless allowFail. */
  async cli(
    args: readonly string[],
    opts: { allowFail?: boolean; timeoutMs?: number; input?: string } = {},
  ): Promise<NetnsRunResult> {
    const result = await this.lab.netns.run(this.index, process.execPath, [CLI, ...args], {
      env: this.processEnv(),
      cwd: this.projectDir,
      timeoutMs: opts.timeoutMs ?? CLI_TIMEOUT_MS,
      input: opts.input,
    });
    if (!opts.allowFail && (result.code !== 0 || result.timedOut)) throw new CliError(args, result, this.name);
    return result;
  }

  /** `devmesh <args> --json`, parsed. */
  async json<T = unknown>(args: readonly string[], opts: { timeoutMs?: number } = {}): Promise<T> {
    const result = await this.cli([...args, '--json'], opts);
    try {
      return JSON.parse(result.stdout) as T;
    } catch {
      throw new Error(
        `devmesh ${args.join(' ')} --json on ${this.name} printed no JSON: ${result.stdout.slice(0, 500)}`,
      );
    }
  }

  /** What `devmesh peers --json` prints (API `mesh.peers`), asked through this host's session. */
  peers(): Promise<PeerInfo[]> {
    return this.api<PeerInfo[]>('mesh.peers');
  }
  /** What `devmesh status --json` prints for the lab's project (API `services.list`), through the session. */
  status(): Promise<ServiceInfo[]> {
    return this.api<ServiceInfo[]>('services.list', { project: this.projectDir });
  }
  /** The running daemon's view of its mesh (API `mesh.info`: addresses, mdns, problems), not the file's. */
  meshInfo(): Promise<MeshInfo> {
    return this.api<MeshInfo>('mesh.info');
  }

  /** One call of the daemon's API (loopback WebSocket with the token of this DEVMESH_HOME), its value. */
  async api<T = unknown>(method: string, input: unknown = {}): Promise<T> {
    return this.sessionNow()
      .api<T>(method, input, CLI_TIMEOUT_MS)
      .catch((err: Error) => {
        throw new Error(`api ${method} on ${this.name}: ${err.message}`);
      });
  }

  /** The session process (started, or started again after a kill9 took it down with the namespace). */
  private sessionNow(): NetnsSession {
    if (this.session?.alive) return this.session;
    this.session?.stop();
    const file = join(this.dir, 'session.cjs');
    if (!existsSync(file)) writeFileSync(file, SESSION_JS);
    const child = this.lab.netns.spawn(this.index, process.execPath, [file], {
      env: this.processEnv({ MESHLAB_WS: join(ROOT, 'node_modules/ws') }),
      cwd: this.dir,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.session = new NetnsSession(child, `${this.name}'s session`, CLI_TIMEOUT_MS);
    return this.session;
  }

  /** Subscribes to the daemon's events (peer.joined/left/unreachable/back, peer.service, service.state, ...)
   * from inside the namespace; resolves once the subscription is confirmed. Stopped by dispose() too. */
  async followEvents(): Promise<EventFollower> {
    const file = join(this.dir, `events-${Date.now()}-${Math.random().toString(36).slice(2, 8)}.cjs`);
    writeFileSync(file, EVENTS_JS);
    const child = this.lab.netns.spawn(this.index, process.execPath, [file], {
      env: this.processEnv({ MESHLAB_WS: join(ROOT, 'node_modules/ws') }),
      cwd: this.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const events: Array<{ type: string; ts: number } & Record<string, unknown>> = [];
    let subscribed = false;
    let pending = '';
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      pending += d.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        const item = JSON.parse(line) as { subscribed?: boolean; type: string; ts: number };
        if (item.subscribed !== undefined) subscribed = item.subscribed;
        else events.push(item);
      }
    });
    const stop = (): void => {
      child.kill('SIGKILL');
      rmSync(file, { force: true });
    };
    try {
      await waitUntil(
        () => {
          if (child.exitCode !== null) throw new Error(`the event follower on ${this.name} exited: ${stderr}`);
          return subscribed;
        },
        { timeoutMs: scaled(10_000), intervalMs: 50, what: `${this.name}'s event subscription` },
      );
    } catch (err) {
      stop();
      throw err;
    }
    return {
      events,
      stop,
      waitFor: (predicate, opts = {}) =>
        waitUntil(() => events.find(predicate), {
          timeoutMs: opts.timeoutMs ?? scaled(20_000),
          intervalMs: opts.intervalMs ?? 50,
          what: `${this.name}: ${opts.what ?? 'an event'}`,
        }).catch((err: Error) => {
          throw new Error(`${err.message}\n${this.name}'s events: ${events.map((e) => e.type).join(', ') || '(none)'}`);
        }),
    };
  }

  /** A lock taker in this namespace with its own API connection to the daemon, for fast lock races and
   * benches (see lock-driver.ts); its locks name this host's project. Killed with the lab at dispose. */
  async lockDriver(): Promise<LockDriver> {
    const file = join(this.dir, 'lock-driver.cjs');
    if (!existsSync(file)) writeFileSync(file, LOCK_DRIVER_JS);
    const child = this.lab.netns.spawn(this.index, process.execPath, [file], {
      env: this.processEnv({ MESHLAB_WS: join(ROOT, 'node_modules/ws'), LOCK_DRIVER_PROJECT: this.projectDir }),
      cwd: this.dir,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const driver = new LockDriver(child, `${this.name}'s lock driver`, CLI_TIMEOUT_MS);
    await driver.call('daemon.info'); // connected and answering
    return driver;
  }

  /** Runs a Node script (its source) inside this host's namespace with this host's environment; its output.
   * E.g. a GET through another host's proxy: `host.node(src, [url])` with `fetch(process.argv[2])` in src. */
  node(
    source: string,
    args: readonly string[] = [],
    opts: { timeoutMs?: number; env?: Record<string, string>; input?: string } = {},
  ): Promise<NetnsRunResult> {
    const file = join(this.dir, `script-${Date.now()}-${Math.random().toString(36).slice(2, 8)}.cjs`);
    writeFileSync(file, source);
    return this.lab.netns
      .run(this.index, process.execPath, [file, ...args], {
        env: this.processEnv(opts.env),
        cwd: this.dir,
        timeoutMs: opts.timeoutMs ?? CLI_TIMEOUT_MS,
        input: opts.input,
      })
      .finally(() => rmSync(file, { force: true }));
  }

  /** A request from inside this namespace (to any host's address) with node:http/https, so a Host header
   * (e.g. `api.localhost`) is sent as given (fetch drops it); the status, headers, raw and parsed body. */
  async get(
    url: string,
    opts: { headers?: Record<string, string>; method?: string; body?: string; timeoutMs?: number } = {},
  ): Promise<{ status: number; headers: Record<string, string | string[]>; body: string; json: unknown }> {
    const timeoutMs = opts.timeoutMs ?? scaled(10_000);
    const r = await this.sessionNow()
      .http(url, { method: opts.method ?? 'GET', headers: opts.headers ?? {}, body: opts.body }, timeoutMs)
      .catch((err: Error) => {
        throw new Error(`${opts.method ?? 'GET'} ${url} from ${this.name} failed: ${err.message}`);
      });
    let json: unknown = null;
    try {
      json = JSON.parse(r.body);
    } catch {
      // not JSON: the caller has the raw body
    }
    return { ...r, json };
  }

  /** Starts `devmesh up --project <dir> --port 0` in the namespace; resolves when it printed its addresses. */
  async start(opts: { timeoutMs?: number } = {}): Promise<void> {
    if (this.running) throw new Error(`${this.name}: the daemon is already running`);
    this.output = '';
    this.proxyPort = this.proxyHttpsPort = null;
    this.apiUrl = null;
    const child = this.lab.netns.spawn(
      this.index,
      process.execPath,
      [CLI, 'up', '--project', this.projectDir, '--port', '0'],
      {
        cwd: this.projectDir,
        env: this.processEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.daemon = child;
    const onData = (d: Buffer) => {
      this.output += d.toString();
      appendFileSync(join(this.dir, 'daemon.out'), d);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    this.exited = new Promise((r) => child.once('exit', () => r()));
    const printed = await waitUntil(
      () => {
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`devmesh up on ${this.name} exited (${child.exitCode ?? child.signalCode}):\n${this.output}`);
        const url = /DevMesh is up: (\S+)/.exec(this.output)?.[1];
        // The line after "up" names the proxy's ports, or the proxy's problems.
        return url && /Services are at .*|proxy: .*/.test(this.output) ? url : null;
      },
      { timeoutMs: opts.timeoutMs ?? UP_TIMEOUT_MS, intervalMs: 50, what: `devmesh up on ${this.name}` },
    ).catch((err: Error) => {
      throw new Error(`${err.message}\noutput: ${this.output}\nlog: ${this.log().slice(-3000)}`);
    });
    this.apiUrl = printed;
    this.proxyPort = Number(/http:\/\/<service>\.localhost:(\d+)/.exec(this.output)?.[1] ?? NaN) || null;
    this.proxyHttpsPort = Number(/https:\/\/<service>\.localhost:(\d+)/.exec(this.output)?.[1] ?? NaN) || null;
  }

  /** SIGTERM (a Ctrl-C: services stopped, peers told goodbye), bounded; SIGKILLs the namespace if it hangs. */
  async stop(timeoutMs = STOP_TIMEOUT_MS): Promise<void> {
    if (!this.running) return;
    this.daemon!.kill('SIGTERM');
    const done = await Promise.race([this.exited.then(() => true), sleep(timeoutMs).then(() => false)]);
    if (!done) {
      await this.lab.netns.kill(this.index);
      throw new Error(`${this.name}: the daemon did not exit within ${timeoutMs} ms of SIGTERM:\n${this.output}`);
    }
  }

  /** A crash. Default: SIGKILL to every process in the namespace (the daemon, its reaper and its services)
   * at once, like a machine losing power. `daemonOnly`: SIGKILL to the daemon alone; its reaper then stops
   * the services' process groups, as after a daemon crash on a live machine. */
  async kill9(opts: { daemonOnly?: boolean } = {}): Promise<void> {
    if (opts.daemonOnly) {
      if (this.pid) process.kill(this.pid, 'SIGKILL');
    } else await this.lab.netns.kill(this.index);
    await Promise.race([this.exited, sleep(scaled(3_000))]);
  }

  /** Freezes (SIGSTOP) or thaws (SIGCONT) the daemon process only: its sockets stay open, it stops answering. */
  pause(): void {
    if (this.pid) process.kill(this.pid, 'SIGSTOP');
  }
  resume(): void {
    if (this.pid) process.kill(this.pid, 'SIGCONT');
  }

  /** Takes this host's network cable out (link down) or puts it back; the daemon keeps running. */
  setLinkUp(up: boolean): Promise<void> {
    return this.lab.netns.setLinkUp(this.index, up);
  }

  /** Stops the daemon (gracefully, or kill9 when `hard`) and starts it again with the same DEVMESH_HOME. */
  async restart(opts: { hard?: boolean } = {}): Promise<void> {
    if (opts.hard) await this.kill9();
    else await this.stop();
    await this.start();
  }

  /** `devmesh stop <name>` / `devmesh start <name>` (the latter waits until healthy). */
  async stopService(name: string): Promise<void> {
    await this.cli(['stop', name]);
  }
  async startService(name: string): Promise<void> {
    await this.cli(['start', name]);
  }

  /** Rewrites devmesh.yaml with `version` for `service` (the daemon reloads the file it watches), waits until
   * `devmesh status` shows it, and restarts the service when it runs so its process reports it too. */
  async setVersion(service: string, version: string, opts: { restart?: boolean } = {}): Promise<void> {
    const spec = this.services.find((s) => s.name === service);
    if (!spec) throw new Error(`${this.name} has no service ${service}`);
    spec.version = version;
    this.writeConfig();
    if (!this.running) return;
    const info = await waitUntil(
      async () => (await this.status()).find((s) => s.name === service && s.version === version),
      {
        timeoutMs: scaled(10_000),
        what: `${this.name}'s status to show ${service}@${version}`,
      },
    );
    if (opts.restart !== false && ['starting', 'healthy', 'unhealthy'].includes(info.state))
      await this.cli(['restart', service]);
  }

  /** Replaces this host's services (devmesh.yaml is rewritten; a running daemon reloads it). */
  setServices(services: MeshServiceSpec[]): void {
    this.services = services.map((s) => ({ ...s }));
    this.writeConfig();
  }

  /** Polls `devmesh peers --json` until `predicate` holds (bounded); the last list. */
  waitPeers(predicate: (peers: PeerInfo[]) => boolean, opts: WaitOptions = {}): Promise<PeerInfo[]> {
    let last: PeerInfo[] = [];
    return waitUntil(
      async () => {
        last = await this.peers();
        return predicate(last) ? last : null;
      },
      {
        timeoutMs: opts.timeoutMs ?? scaled(20_000),
        intervalMs: opts.intervalMs ?? 250,
        what: `${this.name}: ${opts.what ?? 'peers predicate'}`,
      },
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${this.name}'s peers: ${summarizePeers(last)}`);
    });
  }

  /** Waits until this host sees each named peer in `state` (default connected). */
  waitPeerStates(
    names: readonly string[],
    state: PeerState = 'connected',
    opts: WaitOptions = {},
  ): Promise<PeerInfo[]> {
    return this.waitPeers((peers) => names.every((n) => peers.some((p) => p.name === n && p.state === state)), {
      ...opts,
      what: opts.what ?? `${names.join(', ')} ${state}`,
    });
  }

  /** The daemon's structured log ($DEVMESH_HOME/logs/daemon.log), all runs. */
  log(): string {
    const file = join(this.home, 'logs', 'daemon.log');
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }

  /** Where this daemon's peer ingress listens (HTTPS), as its mesh.info reports it; null when it is off. */
  async ingressListener(): Promise<{ port: number; tls: boolean } | null> {
    const port = (await this.meshInfo()).ingressPort;
    return port === null ? null : { port, tls: true };
  }

  /** Parsed lines of the daemon log that match `filter`. */
  logEntries(filter: (entry: Record<string, unknown>) => boolean = () => true): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const line of this.log().split('\n')) {
      if (!line.trim()) continue;
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        if (filter(entry)) out.push(entry);
      } catch {
        // a line torn by a kill -9: not an entry
      }
    }
    return out;
  }

  private writeConfig(): void {
    const project = this.lab.project;
    const lines = [`# written by MeshLab for ${this.name}`, `project: ${project}`, 'services:'];
    for (const s of this.services) {
      for (const [file, text] of Object.entries(s.files ?? {})) writeFileSync(join(this.projectDir, file), text);
      if (s.yaml !== undefined) {
        lines.push(`  ${s.name}:`, ...s.yaml.map((l) => `    ${l}`));
        continue;
      }
      const scriptFile = s.script !== undefined ? `${s.name}.cjs` : 'server.js';
      if (s.script !== undefined) writeFileSync(join(this.projectDir, scriptFile), s.script);
      lines.push(`  ${s.name}:`);
      lines.push(`    version: ${JSON.stringify(s.version ?? '1.0.0')}`);
      lines.push(`    command: ${JSON.stringify(`${process.execPath} ${scriptFile}`)}`);
      lines.push('    health:', '      http: /health');
      if (s.autostart === false) lines.push('    autostart: false');
      if (s.dependsOn && Object.keys(s.dependsOn).length) {
        lines.push('    depends_on:');
        for (const [dep, range] of Object.entries(s.dependsOn)) lines.push(`      ${dep}: ${JSON.stringify(range)}`);
      }
      for (const [k, v] of Object.entries(s.extra ?? {})) lines.push(`    ${k}: ${JSON.stringify(v)}`);
    }
    const file = join(this.projectDir, 'devmesh.yaml');
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, `${lines.join('\n')}\n`);
    // renamed over the old file, like an editor's save: the daemon's watcher follows the folder
    renameSync(tmp, file);
  }
}
