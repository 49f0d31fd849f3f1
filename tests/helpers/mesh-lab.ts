// A team of real DevMesh daemons on a throwaway network (root only): a NetnsLab with one host namespace per
// agent (alice, bob, carol, ...), and in each a `devmesh up` with its own DEVMESH_HOME, agent name, peer
// port 7790 on the host's 10.x address, free proxy ports and a fast heartbeat, serving a project `shop` of
// tiny Node HTTP services that answer every request with JSON {agent, service, version, path, headers}.
// Membership (`devmesh mesh init` / `invite` / `join`) is set up before the daemons start, as a teammate
// would. Every CLI call and helper script runs inside the host's namespace, so it reaches that host's
// daemon on loopback. Everything is bounded in time; dispose() kills every process and removes every
// namespace and temporary folder. Needs `npm run build` (dist/cli/devmesh.js) first.
//
//   const lab = await MeshLab.create({ hosts: 3, multicast: false, staticPeers: { alice: ['bob'] } });
//   try {
//     const [alice, bob] = lab.hosts;
//     await lab.waitFullMesh();                                   // everyone sees everyone connected
//     await bob.waitPeerStates(['alice'], 'connected');           // or bob.waitPeers((peers) => ...)
//     const r = await bob.get(`http://127.0.0.1:${bob.proxyPort}/`, { headers: { host: 'api.localhost' } });
//     await alice.stopService('api'); await alice.kill9(); await alice.start();
//   } finally {
//     await lab.dispose();
//   }
// MESHLAB_KEEP=1 keeps the lab's folder (homes, daemon logs) after dispose, for a post-mortem.
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { MeshInfo, PeerInfo, PeerState } from '../../shared/mesh.js';
import type { ServiceInfo } from '../../shared/service.js';
import { NetnsLab, type NetnsRunResult } from './netns-lab.js';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'bin/devmesh.js');
export const MESH_PORT = 7790;
const DEFAULT_NAMES = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'];
const CLI_TIMEOUT_MS = 20_000;
const UP_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

export interface MeshServiceSpec {
  name: string;
  /** semver; also given to the process as DEVMESH_SERVICE_VERSION (the daemon does it) */
  version?: string;
  /** default true */
  autostart?: boolean;
  dependsOn?: Record<string, string>;
  /** extra devmesh.yaml keys for this service (prefer, allow_peers, ...), written as given */
  extra?: Record<string, unknown>;
  /** the service's own Node script (its source), written as `<name>.cjs` in the project folder and run
   * instead of the shared server.js; it gets PORT and the daemon's environment (<DEP>_URL, ...) */
  script?: string;
}

export interface MeshLabOptions {
  /** host count (named alice, bob, carol, ...) or the names themselves; default 3 */
  hosts?: number | string[];
  /** multicast route in each namespace (mDNS can work); default true */
  multicast?: boolean;
  /** DEVMESH_MESH_MDNS; default: on when multicast is */
  mdns?: boolean;
  /** hosts (by name) that are put in one shared mesh before start: the first inits, the others join its
   * invite. Default: every host. Others start without a mesh (set one with host.cli(['mesh', ...])). */
  members?: string[];
  /** joiners get the invite as `devmesh mesh invite` prints it, with the inviter's address as a seed
   * (default true); false: the seeds are taken out, so only static peers, mDNS and gossip link anyone */
  inviteSeeds?: boolean;
  /** static peers per host name: host names (→ ip:7790) or literal `ip:port` strings */
  staticPeers?: Record<string, string[]>;
  /** DEVMESH_MESH_HEARTBEAT in ms; default 300 */
  heartbeatMs?: number;
  /** the project every host runs; default `shop` */
  project?: string;
  /** default: api@1.0.0 and web@1.0.0 (autostart), worker@1.0.0 (not autostarted) */
  services?: MeshServiceSpec[];
  /** per host name: its own service list instead of `services` */
  servicesByHost?: Record<string, MeshServiceSpec[]>;
  /** extra environment for every daemon and CLI call (e.g. DEVMESH_PROXY_HOST: '0.0.0.0') */
  env?: Record<string, string>;
  /** start every daemon at create (and wait until each is up); default true */
  start?: boolean;
  /** DEVMESH_LOG_LEVEL of the daemons; default info */
  logLevel?: string;
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** what is awaited, for the error message */
  what?: string;
}

export const DEFAULT_SERVICES: MeshServiceSpec[] = [
  { name: 'api', version: '1.0.0' },
  { name: 'web', version: '1.0.0' },
  { name: 'worker', version: '1.0.0', autostart: false },
];

/** The service every host runs: one Node process per service, answering every request with JSON. */
const SERVER_JS = `'use strict';
const http = require('node:http');
const server = http.createServer((req, res) => {
  let size = 0;
  req.on('data', (d) => (size += d.length));
  req.on('end', () => {
    const body = JSON.stringify({
      agent: process.env.DEVMESH_AGENT_NAME || null,
      service: process.env.DEVMESH_SERVICE || null,
      project: process.env.DEVMESH_PROJECT || null,
      version: process.env.DEVMESH_SERVICE_VERSION || null,
      method: req.method,
      path: req.url,
      headers: req.headers,
      bodyBytes: size,
    });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.listen(Number(process.env.PORT), '127.0.0.1');
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
`;

/** Calls one API method of the daemon of $DEVMESH_HOME (loopback, token auth) and prints the value as JSON. */
const API_CALL_JS = `'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const WebSocket = require(process.env.MESHLAB_WS);
const home = process.env.DEVMESH_HOME;
const record = JSON.parse(readFileSync(join(home, 'daemon.json'), 'utf8'));
const token = readFileSync(join(home, 'token'), 'utf8').trim();
const [method, input] = [process.argv[2], JSON.parse(process.argv[3] || '{}')];
const ws = new WebSocket('ws://127.0.0.1:' + record.port + '/api', ['devmesh.v1', 'devmesh-token.' + token], { handshakeTimeout: 5000 });
const fail = (m) => { process.stderr.write(m + '\\n'); process.exit(2); };
ws.on('error', (e) => fail('api: ' + e.message));
ws.on('open', () => ws.send(JSON.stringify({ type: 'call', id: 1, method, input })));
ws.on('message', (data) => {
  const m = JSON.parse(data.toString());
  if (m.type !== 'result' || m.id !== 1) return;
  if (!m.ok) fail(JSON.stringify(m.error));
  process.stdout.write(JSON.stringify(m.value) + '\\n');
  process.exit(0);
});
`;

/** Follows the daemon's `events` stream of $DEVMESH_HOME: one JSON line per event on stdout. */
const EVENTS_JS = `'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const WebSocket = require(process.env.MESHLAB_WS);
const home = process.env.DEVMESH_HOME;
const record = JSON.parse(readFileSync(join(home, 'daemon.json'), 'utf8'));
const token = readFileSync(join(home, 'token'), 'utf8').trim();
const ws = new WebSocket('ws://127.0.0.1:' + record.port + '/api', ['devmesh.v1', 'devmesh-token.' + token], { handshakeTimeout: 5000 });
ws.on('error', (e) => { process.stderr.write('events: ' + e.message + '\\n'); process.exit(2); });
ws.on('close', () => process.exit(0));
ws.on('open', () => ws.send(JSON.stringify({ type: 'subscribe', id: 1, topic: 'events', params: {} })));
ws.on('message', (data) => {
  const m = JSON.parse(data.toString());
  if (m.type === 'result' && m.id === 1) process.stdout.write(JSON.stringify({ subscribed: m.ok }) + '\\n');
  else if (m.type === 'event' && m.sub === 1) process.stdout.write(JSON.stringify(m.data) + '\\n');
});
`;

export interface EventFollower {
  /** every event received so far, oldest first */
  readonly events: Array<{ type: string; ts: number } & Record<string, unknown>>;
  /** waits (bounded) for an event matching `predicate`, including ones already received */
  waitFor(predicate: (e: { type: string; ts: number } & Record<string, unknown>) => boolean, opts?: WaitOptions): Promise<{ type: string; ts: number } & Record<string, unknown>>;
  stop(): void;
}

/** Polls `probe` until it returns a value other than false/null/undefined; throws with the last value seen. */
export async function waitUntil<T>(probe: () => Promise<T | false | null | undefined> | T | false | null | undefined, opts: WaitOptions = {}): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const intervalMs = opts.intervalMs ?? 200;
  const deadline = Date.now() + timeoutMs;
  let last: unknown = undefined;
  for (let i = 0; i < 100_000; i++) {
    try {
      const value = await probe();
      if (value !== false && value !== null && value !== undefined) return value;
      last = value;
    } catch (err) {
      last = err instanceof Error ? err.message : err;
    }
    if (Date.now() >= deadline) break;
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${opts.what ?? 'a condition'}; last seen: ${describe(last)}`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function describe(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
}

export class CliError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly result: NetnsRunResult,
    host: string,
  ) {
    super(
      `devmesh ${args.join(' ')} on ${host} ${result.timedOut ? 'timed out' : `exited with ${result.code ?? result.signal}`}\n` +
        `stdout: ${result.stdout.trim().slice(0, 2000)}\nstderr: ${result.stderr.trim().slice(0, 2000)}`,
    );
  }
}

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
  async cli(args: readonly string[], opts: { allowFail?: boolean; timeoutMs?: number; input?: string } = {}): Promise<NetnsRunResult> {
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
      throw new Error(`devmesh ${args.join(' ')} --json on ${this.name} printed no JSON: ${result.stdout.slice(0, 500)}`);
    }
  }

  peers(): Promise<PeerInfo[]> {
    return this.json<PeerInfo[]>(['peers']);
  }
  status(): Promise<ServiceInfo[]> {
    return this.json<ServiceInfo[]>(['status']);
  }
  /** The running daemon's view of its mesh (API `mesh.info`: addresses, mdns, problems), not the file's. */
  meshInfo(): Promise<MeshInfo> {
    return this.api<MeshInfo>('mesh.info');
  }

  /** One call of the daemon's API (loopback WebSocket with the token of this DEVMESH_HOME), its value. */
  async api<T = unknown>(method: string, input: unknown = {}): Promise<T> {
    const result = await this.node(API_CALL_JS, [method, JSON.stringify(input)], { env: { MESHLAB_WS: join(ROOT, 'node_modules/ws') } });
    if (result.code !== 0) throw new Error(`api ${method} on ${this.name}: ${result.timedOut ? 'timed out' : result.stderr.trim()}`);
    return JSON.parse(result.stdout) as T;
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
        { timeoutMs: 10_000, intervalMs: 50, what: `${this.name}'s event subscription` },
      );
    } catch (err) {
      stop();
      throw err;
    }
    return {
      events,
      stop,
      waitFor: (predicate, opts = {}) =>
        waitUntil(() => events.find(predicate), { timeoutMs: opts.timeoutMs ?? 20_000, intervalMs: opts.intervalMs ?? 50, what: `${this.name}: ${opts.what ?? 'an event'}` }).catch((err: Error) => {
          throw new Error(`${err.message}\n${this.name}'s events: ${events.map((e) => e.type).join(', ') || '(none)'}`);
        }),
    };
  }

  /** Runs a Node script (its source) inside this host's namespace with this host's environment; its output.
   * E.g. a GET through another host's proxy: `host.node(src, [url])` with `fetch(process.argv[2])` in src. */
  node(source: string, args: readonly string[] = [], opts: { timeoutMs?: number; env?: Record<string, string>; input?: string } = {}): Promise<NetnsRunResult> {
    const file = join(this.dir, `script-${Date.now()}-${Math.random().toString(36).slice(2, 8)}.cjs`);
    writeFileSync(file, source);
    return this.lab.netns
      .run(this.index, process.execPath, [file, ...args], { env: this.processEnv(opts.env), cwd: this.dir, timeoutMs: opts.timeoutMs ?? CLI_TIMEOUT_MS, input: opts.input })
      .finally(() => rmSync(file, { force: true }));
  }

  /** A request from inside this namespace (to any host's address) with node:http/https, so a Host header
   * (e.g. `api.localhost`) is sent as given (fetch drops it); the status, headers, raw and parsed body. */
  async get(
    url: string,
    opts: { headers?: Record<string, string>; method?: string; body?: string; timeoutMs?: number } = {},
  ): Promise<{ status: number; headers: Record<string, string | string[]>; body: string; json: unknown }> {
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const src = `'use strict';
const [url, headers, method, body, timeout] = [process.argv[2], JSON.parse(process.argv[3]), process.argv[4], process.argv[5], Number(process.argv[6])];
const lib = url.startsWith('https:') ? require('node:https') : require('node:http');
const req = lib.request(url, { method, headers, timeout, rejectUnauthorized: false }, (res) => {
  const chunks = [];
  res.on('data', (d) => chunks.push(d));
  res.on('end', () => process.stdout.write(JSON.stringify({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') })));
});
req.on('timeout', () => req.destroy(new Error('timed out after ' + timeout + ' ms')));
req.on('error', (e) => { process.stderr.write(e.code || e.message); process.exit(3); });
req.end(body || undefined);
`;
    const result = await this.node(src, [url, JSON.stringify(opts.headers ?? {}), opts.method ?? 'GET', opts.body ?? '', String(timeoutMs)], { timeoutMs: timeoutMs + 5_000 });
    if (result.code !== 0) throw new Error(`${opts.method ?? 'GET'} ${url} from ${this.name} failed: ${result.stderr.trim() || result.code}`);
    const r = JSON.parse(result.stdout) as { status: number; headers: Record<string, string | string[]>; body: string };
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
    const child = this.lab.netns.spawn(this.index, process.execPath, [CLI, 'up', '--project', this.projectDir, '--port', '0'], {
      cwd: this.projectDir,
      env: this.processEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`devmesh up on ${this.name} exited (${child.exitCode ?? child.signalCode}):\n${this.output}`);
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
    await Promise.race([this.exited, sleep(3_000)]);
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
    const info = await waitUntil(async () => (await this.status()).find((s) => s.name === service && s.version === version), {
      timeoutMs: 10_000,
      what: `${this.name}'s status to show ${service}@${version}`,
    });
    if (opts.restart !== false && ['starting', 'healthy', 'unhealthy'].includes(info.state)) await this.cli(['restart', service]);
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
      { timeoutMs: opts.timeoutMs ?? 20_000, intervalMs: opts.intervalMs ?? 250, what: `${this.name}: ${opts.what ?? 'peers predicate'}` },
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${this.name}'s peers: ${MeshLab.summarize(last)}`);
    });
  }

  /** Waits until this host sees each named peer in `state` (default connected). */
  waitPeerStates(names: readonly string[], state: PeerState = 'connected', opts: WaitOptions = {}): Promise<PeerInfo[]> {
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

export class MeshLab {
  readonly hosts: MeshHost[] = [];
  /** the invite line of the shared mesh (null when `members` was empty) */
  invite: string | null = null;
  private disposed = false;

  private constructor(
    readonly netns: NetnsLab,
    readonly dir: string,
    readonly project: string,
  ) {}

  static available(): boolean {
    return NetnsLab.available() && existsSync(join(ROOT, 'dist/cli/devmesh.js'));
  }

  static unavailableReason(): string {
    if (!NetnsLab.available()) return NetnsLab.unavailableReason();
    return 'dist/cli/devmesh.js is missing: run `npm run build` first';
  }

  static async create(options: MeshLabOptions = {}): Promise<MeshLab> {
    if (!existsSync(join(ROOT, 'dist/cli/devmesh.js'))) throw new Error('MeshLab: dist/cli/devmesh.js is missing: run `npm run build` first');
    const names = typeof options.hosts === 'number' || options.hosts === undefined ? DEFAULT_NAMES.slice(0, options.hosts ?? 3) : options.hosts;
    if (names.length === 0 || names.length > DEFAULT_NAMES.length * 10) throw new Error(`MeshLab: ${names.length} hosts`);
    const multicast = options.multicast !== false;
    const netns = await NetnsLab.create(names.length, { multicast });
    const dir = mkdtempSync(join(tmpdir(), 'devmesh-meshlab-'));
    const lab = new MeshLab(netns, dir, options.project ?? 'shop');
    try {
      const mdns = options.mdns ?? multicast;
      names.forEach((name, i) => {
        const h = netns.hosts[i]!;
        const env: Record<string, string> = {
          DEVMESH_HOME: join(dir, name, 'home'),
          DEVMESH_AGENT_NAME: name,
          DEVMESH_MESH_HOST: h.ip,
          DEVMESH_MESH_PORT: String(MESH_PORT),
          DEVMESH_PROXY_HTTP_PORT: '0',
          DEVMESH_PROXY_HTTPS_PORT: '0',
          DEVMESH_MESH_INGRESS_PORT: '0',
          DEVMESH_MESH_HEARTBEAT: String(options.heartbeatMs ?? 300),
          DEVMESH_LOG_LEVEL: options.logLevel ?? 'info',
          ...(mdns ? {} : { DEVMESH_MESH_MDNS: 'off' }),
          ...options.env,
        };
        const services = (options.servicesByHost?.[name] ?? options.services ?? DEFAULT_SERVICES).map((s) => ({ ...s }));
        lab.hosts.push(new MeshHost(lab, i, name, h.ns, h.ip, join(dir, name), env, services));
      });
      for (const [name, peers] of Object.entries(options.staticPeers ?? {})) {
        lab.host(name).env.DEVMESH_MESH_PEERS = peers.map((p) => (p.includes(':') ? p : lab.host(p).meshAddress)).join(',');
      }
      const members = (options.members ?? names).map((n) => lab.host(n));
      if (members.length > 0) {
        await members[0]!.cli(['mesh', 'init']);
        lab.invite = (await members[0]!.cli(['mesh', 'invite'])).stdout.trim();
        const invite = options.inviteSeeds === false ? MeshLab.forgeInvite(lab.invite, { secret: 'keep', seeds: [] }) : lab.invite;
        await Promise.all(members.slice(1).map((h) => h.cli(['mesh', 'join', invite])));
      }
      if (options.start !== false) await lab.startAll();
    } catch (err) {
      await lab.dispose();
      throw err;
    }
    return lab;
  }

  host(name: string): MeshHost {
    const h = this.hosts.find((x) => x.name === name);
    if (!h) throw new Error(`MeshLab: no host ${name} (hosts: ${this.hosts.map((x) => x.name).join(', ')})`);
    return h;
  }

  async startAll(): Promise<void> {
    await Promise.all(this.hosts.filter((h) => !h.running).map((h) => h.start()));
  }

  /** Waits until every host in `names` (default all running ones) sees every other one connected. */
  async waitFullMesh(names?: readonly string[], opts: WaitOptions = {}): Promise<void> {
    const group = (names ?? this.hosts.filter((h) => h.running).map((h) => h.name)).map((n) => this.host(n));
    await Promise.all(group.map((h) => h.waitPeerStates(group.filter((o) => o !== h).map((o) => o.name), 'connected', opts)));
  }

  /** The invite changed: by default its secret replaced by a wrong one of valid form (mesh id kept);
   * `secret: 'keep'` keeps it; `seeds` replaces the seed addresses. */
  static forgeInvite(invite: string, change: { secret?: string; meshId?: string; seeds?: string[] } = {}): string {
    const prefix = 'dmi1.';
    const body = JSON.parse(Buffer.from(invite.trim().slice(prefix.length), 'base64url').toString('utf8')) as { m: string; s: string; a: string[] };
    const flipped = body.s[0] === 'A' ? `B${body.s.slice(1)}` : `A${body.s.slice(1)}`;
    const secret = change.secret === 'keep' ? body.s : (change.secret ?? flipped);
    const forged = { m: change.meshId ?? body.m, s: secret, a: change.seeds ?? body.a };
    return prefix + Buffer.from(JSON.stringify(forged)).toString('base64url');
  }

  /** One line per peer, for failure messages. */
  static summarize(peers: PeerInfo[]): string {
    if (peers.length === 0) return '(none)';
    return peers.map((p) => `${p.name}@${p.address ?? '-'} ${p.state} via ${p.via} [${p.services.map((s) => `${s.name}@${s.version}:${s.state}`).join(' ')}]`).join('; ');
  }

  /** Daemon output and log tails of every host, for a failed test's message. */
  diagnostics(tail = 4000): string {
    return this.hosts.map((h) => `--- ${h.name} (${h.ip}) output:\n${h.output.slice(-1000)}\n--- ${h.name} log:\n${h.log().slice(-tail)}`).join('\n');
  }

  /** Kills every process of the lab, deletes its namespaces and (unless MESHLAB_KEEP=1) its folder. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    // A frozen daemon cannot die of SIGTERM; SIGKILL works on it, but thaw it first all the same.
    for (const h of this.hosts) {
      try {
        h.resume();
      } catch {
        // already gone
      }
    }
    await this.netns.dispose();
    if (process.env.MESHLAB_KEEP !== '1') rmSync(this.dir, { recursive: true, force: true });
  }
}
