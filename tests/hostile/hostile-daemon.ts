// The target of the hostile-input suites: a real `devmesh up` child process on a temp DEVMESH_HOME, in a
// mesh of its own (so its peer ingress listens), with one project `hostile` whose service `api` is a real
// Node HTTP server (a WebSocket echo on /ws, 8 MB on /big, an upload counter on /upload, the paths it saw on /seen).
// `alive()` is the check every case ends with: the daemon's API answers `daemon.info`, a GET through the
// proxy reaches the service, and the service still runs as the same process.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import WebSocket from 'ws';
import { MeshMembership } from '../../main/core/mesh/mesh-membership.js';
import type { ServiceInfo } from '../../shared/service.js';
import type { Listener } from './raw-clients.js';

const root = resolve(__dirname, '../..');
const wsModule = createRequire(join(root, 'package.json')).resolve('ws');

/** the service: plain node:http and the `ws` package, as a developer's own server would be */
const SERVICE = `
const http = require('http');
const { WebSocketServer } = require(${JSON.stringify(wsModule)});
const big = Buffer.alloc(8 * 1024 * 1024, 0x62);
const seen = [];
const server = http.createServer((req, res) => {
  if (req.url === '/seen') return res.end(JSON.stringify(seen));
  seen.push(req.url);
  if (seen.length > 1000) seen.shift();
  if (req.url === '/big') return res.end(big);
  let n = 0;
  req.on('data', (d) => (n += d.length));
  req.on('end', () => res.end(req.url === '/upload' ? 'got ' + n : 'api ok'));
  req.on('error', () => undefined);
});
const wss = new WebSocketServer({ server, path: '/ws', maxPayload: 1024 * 1024 });
wss.on('connection', (ws) => {
  ws.on('message', (data, binary) => ws.send(data, { binary }));
  ws.on('error', () => undefined);
});
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
`;

/** How long the daemon may take to start and to answer, scaled when the machine is busy. */
const SLACK = 3;

export class HostileDaemon {
  output = '';
  proxyPort = 0;
  httpsPort = 0;
  ingressPort = 0;
  servicePid = 0;
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;

  /** The proxy's two listeners, by name, as raw clients reach them (read once the daemon is up). */
  static proxyListeners(d: () => HostileDaemon): [string, () => Listener][] {
    return [
      ['HTTP', () => ({ name: 'proxy HTTP', port: d().proxyPort })],
      ['HTTPS', () => ({ name: 'proxy HTTPS', port: d().httpsPort, servername: 'api.localhost' })],
    ];
  }

  private constructor(
    readonly dir: string,
    readonly home: string,
  ) {
    const project = join(dir, 'hostile');
    mkdirSync(project);
    mkdirSync(home);
    writeFileSync(join(project, 'api.js'), SERVICE);
    const yaml = [
      'project: hostile',
      'services:',
      '  api:',
      '    version: 1.0.0',
      `    command: "exec '${process.execPath}' api.js"`,
    ];
    yaml.push('    health:', '      http: /health', '      interval: 500ms', '      start_timeout: 30s');
    writeFileSync(join(project, 'devmesh.yaml'), `${yaml.join('\n')}\n`);
    writeFileSync(join(home, 'config.yaml'), 'mesh:\n  name: hostile\n  host: 127.0.0.1\n  port: 0\n  mdns: false\n');
    new MeshMembership(home).init();
    // DEVMESH_HOSTILE_CLI: another build to attack (e.g. an older dist, to see a case fail there)
    const cli = process.env.DEVMESH_HOSTILE_CLI ?? join(root, 'bin/devmesh.js');
    const ports = { DEVMESH_PROXY_HTTP_PORT: '0', DEVMESH_PROXY_HTTPS_PORT: '0', DEVMESH_MESH_INGRESS_PORT: '0' };
    this.child = spawn(process.execPath, [cli, 'up', '--project', project, '--port', '0'], {
      cwd: root,
      env: { ...process.env, DEVMESH_HOME: home, ...ports },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (d: Buffer) => (this.output = (this.output + d.toString()).slice(-20_000)));
    this.child.stderr?.on('data', (d: Buffer) => (this.output = (this.output + d.toString()).slice(-20_000)));
    this.exited = new Promise((r) => this.child.once('exit', () => r()));
  }

  static async start(prefix: string): Promise<HostileDaemon> {
    if (!existsSync(join(root, 'dist/cli/devmesh.js')))
      throw new Error('dist/cli/devmesh.js is missing: run `npm run build` first');
    const dir = mkdtempSync(join(tmpdir(), `devmesh-hostile-${prefix}-`));
    const d = new HostileDaemon(dir, join(dir, 'home'));
    try {
      await d.until(() => existsSync(join(d.home, 'daemon.json')), 30_000 * SLACK, 'daemon.json');
      const proxy = await d.api<{ httpUrl: string | null; httpsUrl: string | null }>('proxy.info');
      d.proxyPort = Number(new URL(proxy.httpUrl!).port);
      d.httpsPort = Number(new URL(proxy.httpsUrl!).port);
      d.ingressPort = (await d.api<{ ingressPort: number | null }>('mesh.info')).ingressPort ?? 0;
      if (d.ingressPort === 0) throw new Error('the peer ingress does not listen');
      await d.until(async () => (await d.service())?.state === 'healthy', 30_000 * SLACK, 'service api healthy');
      d.servicePid = (await d.service())!.pid!;
      return d;
    } catch (err) {
      await d.stop();
      throw err;
    }
  }

  /** the CA certificate of this DEVMESH_HOME, as `devmesh ca path` names it */
  get ca(): string {
    return readFileSync(join(this.home, 'ca', 'ca.pem'), 'utf8');
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** One call of the daemon's API over its loopback WebSocket, with the home's token. */
  api<T>(method: string, input: unknown = {}): Promise<T> {
    const record = JSON.parse(readFileSync(join(this.home, 'daemon.json'), 'utf8')) as { port: number };
    const token = readFileSync(join(this.home, 'token'), 'utf8').trim();
    return new Promise<T>((resolvePromise, reject) => {
      const protocols = ['devmesh.v1', `devmesh-token.${token}`];
      const ws = new WebSocket(`ws://127.0.0.1:${record.port}/api`, protocols, { handshakeTimeout: 5_000 * SLACK });
      const timer = setTimeout(() => finish(new Error(`api ${method}: no answer`)), 10_000 * SLACK);
      const finish = (err: Error | null, value?: T) => {
        clearTimeout(timer);
        ws.terminate();
        if (err) reject(err);
        else resolvePromise(value as T);
      };
      ws.on('error', (e) => finish(new Error(`api ${method}: ${e.message}`)));
      ws.on('open', () => ws.send(JSON.stringify({ type: 'call', id: 1, method, input })));
      ws.on('message', (data: Buffer) => {
        const m = JSON.parse(data.toString()) as { type: string; id: number; ok: boolean; value: T; error: unknown };
        if (m.type !== 'result' || m.id !== 1) return;
        finish(m.ok ? null : new Error(`api ${method}: ${JSON.stringify(m.error)}`), m.value);
      });
    });
  }

  async service(): Promise<ServiceInfo | undefined> {
    return (await this.api<ServiceInfo[]>('services.list', {})).find((s) => s.name === 'api');
  }

  /** A GET through the proxy's HTTP listener to the service (Host: api.localhost). */
  get(path = '/', port = this.proxyPort): Promise<{ status: number; body: string }> {
    return new Promise((resolvePromise, reject) => {
      const options = {
        host: '127.0.0.1',
        port,
        path,
        headers: { host: 'api.localhost' },
        agent: false,
        timeout: 10_000 * SLACK,
      };
      const req = http.get(options, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body }));
      });
      req.on('timeout', () => req.destroy(new Error(`GET ${path}: no answer`)));
      req.on('error', reject);
    });
  }

  /** The request paths the service itself received (its last 1,000), to see what got past the proxy. */
  async seen(): Promise<string[]> {
    return JSON.parse((await this.get('/seen')).body) as string[];
  }

  /** After a hostile case: the daemon answers its API and proxies to the service, which is the same process. */
  async alive(after: string): Promise<void> {
    const say = (what: string) => `after ${after}: ${what}\n--- daemon output (tail):\n${this.output.slice(-3000)}`;
    if (!this.running) throw new Error(say(`the daemon exited (${this.child.exitCode ?? this.child.signalCode})`));
    const info = await this.api<{ pid: number }>('daemon.info').catch((e: Error) => {
      throw new Error(say(`daemon.info failed: ${e.message}`));
    });
    if (info.pid !== this.child.pid) throw new Error(say(`daemon.info names pid ${info.pid}, not ${this.child.pid}`));
    const r = await this.get('/alive').catch((e: Error) => ({ status: 0, body: e.message }));
    if (r.status !== 200 || r.body !== 'api ok')
      throw new Error(say(`GET through the proxy answered ${r.status} ${r.body.slice(0, 200)}`));
    const svc = await this.service();
    if (svc?.pid !== this.servicePid || svc.state !== 'healthy') {
      throw new Error(say(`the service is ${svc?.state} as pid ${svc?.pid}, was pid ${this.servicePid}`));
    }
    try {
      process.kill(this.servicePid, 0);
    } catch {
      throw new Error(say(`the service process ${this.servicePid} is gone`));
    }
  }

  /** The daemon's resident memory (MB), to see that a hostile client cannot make it grow without bound. */
  rssMb(): number {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.child.pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  }

  async until<T>(cond: () => T | Promise<T>, ms: number, what: string): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      if (!this.running) throw new Error(`the daemon exited while waiting for ${what}:\n${this.output.slice(-3000)}`);
      const v = await Promise.resolve(cond()).catch(() => undefined);
      if (v) return v;
      if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms\n${this.output.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** SIGTERM, bounded; SIGKILL if it hangs. Removes the temp folder. */
  async stop(): Promise<void> {
    if (this.running) this.child.kill('SIGTERM');
    const late = new Promise<boolean>((r) => setTimeout(() => r(false), 20_000).unref());
    const done = await Promise.race([this.exited.then(() => true), late]);
    if (!done) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
