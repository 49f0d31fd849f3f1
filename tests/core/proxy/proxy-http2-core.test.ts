// The crash, as a user meets it: a real DevMeshCore (SQLite on disk, its own request log and timer)
// answers an HTTP/2 request on its HTTPS proxy and a credential-less HTTP/2 request on its peer ingress
// (h2 by ALPN, as curl and browsers choose), stores exact rows for both, and is still serving after the
// log's flush timer ran. The service is a real process.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevMeshCore } from '../../../main/core/devmesh-core.js';
import { DevMeshHome } from '../../../main/core/home/devmesh-home.js';
import { MeshMembership } from '../../../main/core/mesh/mesh-membership.js';
import type { RequestRecord } from '../../../shared/proxy.js';
import { writeProject } from '../../api/test-project.js';
import { until } from './proxy-harness.js';
import { h2connect, h2request, headerListSize } from './stored-request-log.js';

function curl(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('curl', ['-sS', ...args], { timeout: 20_000 }, (err, out) => (err ? reject(err) : resolve(out)));
  });
}

function get(port: number, host: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, headers: { host }, agent: false }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

describe('DevMeshCore over HTTP/2: proxy and peer ingress', () => {
  let dir: string;
  let core: DevMeshCore;
  let httpPort: number;
  let httpsPort: number;
  let ingressPort: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'devmesh-h2core-'));
    const home = join(dir, 'home');
    const root = join(dir, 'h2shop');
    mkdirSync(home);
    mkdirSync(root);
    writeProject(root, 'h2shop', { api: {} });
    writeFileSync(join(home, 'config.yaml'), 'mesh:\n  name: alice\n  host: 127.0.0.1\n  port: 0\n  mdns: false\n');
    new MeshMembership(home).init();
    core = await DevMeshCore.open({
      home: new DevMeshHome(home),
      version: 'test',
      logger: pino({ level: 'silent' }),
      projects: [root],
    });
    httpPort = Number(new URL(core.proxyInfo().httpUrl!).port);
    httpsPort = Number(new URL(core.proxyInfo().httpsUrl!).port);
    ingressPort = core.ingressPort!;
    await until(() => apiState() === 'healthy', 30_000);
  });

  afterAll(async () => {
    await core?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  function apiState(): string | undefined {
    return core.projects
      .all()
      .flatMap((p) => p.supervisor.list())
      .find((s) => s.name === 'api')?.state;
  }

  async function stored(path: string): Promise<RequestRecord> {
    // Read from SQLite once the log's own timer wrote it: page() would flush by itself.
    await until(() => {
      const n = core.database.db.prepare('SELECT COUNT(*) AS n FROM proxy_requests WHERE path = ?').get(path) as {
        n: number;
      };
      return n.n > 0;
    }, 10_000);
    const row = core.requests.page({ limit: 50, search: path }).requests.find((r) => r.path === path);
    return row!;
  }

  it('proxies HTTP/2 to the service, stores the exact row, counts the traffic, and keeps serving', async () => {
    const session = await h2connect(httpsPort, 'api.h2shop.localhost', null);
    try {
      const r = await h2request(session, { ':path': '/hello', ':authority': 'api.h2shop.localhost' });
      expect(r.status).toBe(200);
      expect(r.body.toString()).toBe('api ok');
      const row = await stored('/hello');
      expect(row).toMatchObject({
        status: 200,
        tls: true,
        service: 'api',
        bytesIn: 0,
        bytesOut: r.body.length + headerListSize(r.headers),
      });
      expect(core.traffic.snapshot('h2shop').find((s) => s.service === 'api')?.requests).toBeGreaterThanOrEqual(1);
      await new Promise((res) => setTimeout(res, 300)); // the flush timer has run
      expect((await h2request(session, { ':path': '/again', ':authority': 'api.h2shop.localhost' })).status).toBe(200);
    } finally {
      session.close();
    }
    expect((await get(httpPort, 'api.h2shop.localhost', '/h1')).body).toBe('api ok');
  });

  it('refuses a credential-less HTTP/2 request at the peer ingress with 403, and the daemon stays up', async () => {
    const session = await h2connect(ingressPort, 'api.h2shop.localhost', null);
    let refused;
    try {
      refused = await h2request(session, { ':path': '/stranger', ':authority': 'api.h2shop.localhost' });
    } finally {
      session.close();
    }
    expect(refused.status).toBe(403);
    expect(refused.body.toString()).toContain('peer ingress');
    const row = await stored('/stranger');
    expect(row).toMatchObject({
      status: 403,
      tls: true,
      bytesOut: refused.body.length + headerListSize(refused.headers),
    });
    const resolve = `api.h2shop.localhost:${ingressPort}:127.0.0.1`;
    const url = `https://api.h2shop.localhost:${ingressPort}/curl-stranger`;
    const out = await curl([
      '--http2',
      '-k',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code} %{http_version}',
      '--resolve',
      resolve,
      url,
    ]);
    expect(out).toBe('403 2');
    await stored('/curl-stranger');
    await new Promise((res) => setTimeout(res, 300));
    expect((await get(httpPort, 'api.h2shop.localhost', '/still')).body).toBe('api ok');
    expect(apiState()).toBe('healthy');
  });
});
