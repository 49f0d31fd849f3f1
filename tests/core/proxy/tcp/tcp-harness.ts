// A real DevMesh core on a temp home with a project of TCP services (small Node servers, or real engines),
// its API, and TCP clients for the stable addresses. `restart` opens a new core on the same home, as a
// daemon restart does. Every socket and core is released in `dispose`.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { DevMeshApi } from '../../../../main/api/devmesh-api.js';
import { DevMeshCore } from '../../../../main/core/devmesh-core.js';
import { DevMeshHome } from '../../../../main/core/home/devmesh-home.js';
import type { ApiMethod, ApiOutput } from '../../../../shared/api.js';
import type { TcpRoute } from '../../../../shared/proxy.js';
import { until } from '../../../helpers/until.js';

export const NODE = process.execPath;

/** A TCP echo server on $PORT that keeps half-close: it ends its side when the client ends its own. */
export const ECHO_JS = `
const net = require('net');
const server = net.createServer({ allowHalfOpen: true }, (s) => { s.on('error', () => {}); s.pipe(s); });
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log('echo on ' + process.env.PORT));
process.on('SIGTERM', () => process.exit(0));
`;

/** Writes its environment's *_HOST/_PORT/_URL variables to env.json, then idles. */
export const ENV_DUMP_JS = `
const fs = require('fs');
const picked = Object.fromEntries(Object.entries(process.env).filter(([k]) => /_(HOST|PORT|URL)$/.test(k)));
fs.writeFileSync(process.env.DUMP_TO, JSON.stringify(picked));
setInterval(() => {}, 1000);
process.on('SIGTERM', () => process.exit(0));
`;

export class TcpHarness {
  readonly dir: string;
  readonly home: DevMeshHome;
  readonly projectDir: string;
  private current: { core: DevMeshCore; api: DevMeshApi } | null = null;
  private readonly sockets = new Set<Socket>();

  constructor(yamlLines: string[], files: Record<string, string> = {}) {
    this.dir = mkdtempSync(join(tmpdir(), 'devmesh-tcp-'));
    this.home = new DevMeshHome(join(this.dir, 'home'));
    this.projectDir = join(this.dir, 'proj');
    mkdirSync(this.projectDir, { recursive: true });
    for (const [name, text] of Object.entries(files)) writeFileSync(join(this.projectDir, name), text);
    writeFileSync(join(this.projectDir, 'devmesh.yaml'), yamlLines.join('\n') + '\n');
  }

  /** Replaces devmesh.yaml (before the core opens it). */
  writeConfig(yamlLines: string[]): void {
    writeFileSync(join(this.projectDir, 'devmesh.yaml'), yamlLines.join('\n') + '\n');
  }

  async open(): Promise<void> {
    const core = await DevMeshCore.open({
      home: this.home,
      version: '0.0.0-test',
      logger: pino({ level: 'silent' }),
      projects: [this.projectDir],
    });
    this.current = {
      core,
      api: new DevMeshApi(core, { face: 'daemon', apiUrl: () => null, requestShutdown: () => undefined }),
    };
  }

  get core(): DevMeshCore {
    if (!this.current) throw new Error('the core is closed');
    return this.current.core;
  }

  async close(): Promise<void> {
    const c = this.current;
    this.current = null;
    await c?.core.dispose();
  }

  async call<M extends ApiMethod>(method: M, input: unknown): Promise<ApiOutput<M>> {
    if (!this.current) throw new Error('the core is closed');
    const r = await this.current.api.call(method, input);
    if (!r.ok) throw new Error(`${method} failed: ${r.error.code}: ${r.error.message}`);
    return r.value as ApiOutput<M>;
  }

  async route(service: string): Promise<TcpRoute> {
    const routes = await this.call('proxy.tcp', {});
    const r = routes.find((x) => x.service === service);
    if (!r) throw new Error(`no TCP route for ${service}: ${JSON.stringify(routes)}`);
    return r;
  }

  async healthy(service: string): Promise<void> {
    await until(
      `${service} healthy`,
      async () => (await this.call('services.list', {})).find((s) => s.name === service)?.state === 'healthy',
      20_000,
    );
  }

  /** A client connected to 127.0.0.1:port, tracked so dispose closes it. */
  connect(port: number): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
      this.sockets.add(s);
      s.once('error', reject);
      s.once('connect', () => {
        s.removeListener('error', reject);
        s.on('error', () => {});
        resolve(s);
      });
    });
  }

  /** Sends `text`, ends the writing side, and resolves with all the client got back before the server's end. */
  async roundTrip(port: number, text: string): Promise<string> {
    const s = await this.connect(port);
    return new Promise((resolve, reject) => {
      let got = '';
      s.setEncoding('utf8');
      s.on('data', (d: string) => (got += d));
      s.once('end', () => resolve(got));
      s.once('close', () => resolve(got));
      s.once('error', reject);
      s.end(text);
    });
  }

  async dispose(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await this.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The lines of a TCP echo service in devmesh.yaml. */
export function echoService(name: string, extra: string[] = []): string[] {
  return [
    `  ${name}:`,
    '    version: 1.0.0',
    `    command: "'${NODE}' echo.js"`,
    '    protocol: tcp',
    '    health: { tcp: true, interval: 100ms, start_timeout: 20s }',
    '    stop_timeout: 3s',
    ...extra.map((l) => `    ${l}`),
  ];
}
