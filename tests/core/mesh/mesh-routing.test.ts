// Routing across the mesh with two real cores on loopback (alice and bob, one mesh, linked by invite):
// bob's proxy reaches bob's own `api` when it runs and alice's when it does not, through alice's peer
// ingress; the ingress serves only linked members; callers' version ranges are enforced (refuse: 409 with
// both versions, warn: routed and an alert stored). Multi-host behaviour runs in tests/mesh-netns.
import http from 'node:http';
import https from 'node:https';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DevMeshCore } from '../../../main/core/devmesh-core.js';
import { DevMeshHome } from '../../../main/core/home/devmesh-home.js';
import { MeshMembership } from '../../../main/core/mesh/mesh-membership.js';
import { waitFor } from '../../api/test-project.js';
import { scaled } from '../../helpers/load-scale.js';

// 200 ms on a quiet machine; a fixed one made the link between the two cores flap under load (both run in
// this process: a stalled event loop looks like a silent peer), and requests then met a 503
const HEARTBEAT_MS = scaled(200);

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function get(port: number, path: string, headers: Record<string, string> = {}, secure = false): Promise<Reply> {
  return new Promise((resolve, reject) => {
    // A stranger to the mesh: it can complete TLS with the ingress (it checks no certificate) but holds no link.
    const send = secure
      ? (o: https.RequestOptions, cb: (res: http.IncomingMessage) => void) =>
          https.request({ ...o, rejectUnauthorized: false }, cb)
      : http.request;
    const req = send({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A project `shop` whose services answer with the agent's name, the service, and the caller header. */
function project(
  root: string,
  agent: string,
  services: { name: string; version: string; autostart: boolean; deps?: string[]; script?: string }[],
  onMismatch: 'warn' | 'refuse',
): void {
  const lines = ['project: shop', `on_version_mismatch: ${onMismatch}`, 'services:'];
  for (const s of services) {
    writeFileSync(
      join(root, `${s.name}.js`),
      s.script ??
        `require('http').createServer((req, res) => req.url === '/hang' ? undefined : res.end(JSON.stringify({ agent: '${agent}', service: '${s.name}', from: req.headers['x-devmesh-from'] ?? null, mesh: req.headers['x-devmesh-mesh'] ?? null, host: req.headers.host })))
        .listen(Number(process.env.PORT), '127.0.0.1');`,
    );
    lines.push(
      `  ${s.name}:`,
      `    version: ${s.version}`,
      `    command: "'${process.execPath}' ${s.name}.js"`,
      '    health:',
      '      http: /',
      '      interval: 100ms',
      '      start_timeout: 20s',
      `    autostart: ${s.autostart}`,
    );
    if (s.deps) lines.push('    depends_on:', ...s.deps.map((d) => `      ${d}`));
  }
  writeFileSync(join(root, 'devmesh.yaml'), `${lines.join('\n')}\n`);
}

const dirs: string[] = [];
let alice: DevMeshCore;
let bob: DevMeshCore;

function tmp(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

async function open(name: string, home: string, root: string, peers: string[]): Promise<DevMeshCore> {
  writeFileSync(
    join(home, 'config.yaml'),
    `mesh:\n  name: ${name}\n  host: 127.0.0.1\n  port: 0\n  mdns: false\n  heartbeat_ms: ${HEARTBEAT_MS}\n  peers: [${peers.map((p) => `"${p}"`).join(', ')}]\n`,
  );
  return DevMeshCore.open({
    home: new DevMeshHome(home),
    version: 'test',
    logger: pino({ level: 'silent' }),
    projects: [root],
  });
}

beforeAll(async () => {
  const aliceHome = tmp('devmesh-route-a-');
  const bobHome = tmp('devmesh-route-b-');
  new MeshMembership(aliceHome).init();
  const aliceRoot = tmp('devmesh-route-pa-');
  project(aliceRoot, 'alice', [{ name: 'api', version: '2.3.1', autostart: true }], 'warn');
  alice = await open('alice', aliceHome, aliceRoot, []);
  new MeshMembership(bobHome).join(new MeshMembership(aliceHome).invite([`127.0.0.1:${alice.mesh.port}`]));
  const bobRoot = tmp('devmesh-route-pb-');
  // bob's api is an old 1.4.0, stopped at first; `web` needs ^2.0 and `ops` ^3 (refuse), `admin` ^3 (warn).
  project(
    bobRoot,
    'bob',
    [
      { name: 'api', version: '1.4.0', autostart: false },
      {
        name: 'web',
        version: '1.0.0',
        autostart: false,
        deps: ['api: { version: "^2.0", on_version_mismatch: refuse }'],
      },
      {
        name: 'admin',
        version: '1.0.0',
        autostart: false,
        deps: ['api: { version: "^3", on_version_mismatch: warn }'],
      },
      {
        name: 'ops',
        version: '1.0.0',
        autostart: false,
        deps: ['api: { version: "^3", on_version_mismatch: refuse }'],
      },
      // front calls api at the URL DevMesh injects, as a real service would.
      {
        name: 'front',
        version: '1.0.0',
        autostart: false,
        deps: ['api: { version: "^2.0", on_version_mismatch: refuse }'],
        script: `require('http').createServer(async (req, res) => {
            if (req.url === '/') return res.end('ok');
            const r = await fetch(process.env.API_URL + req.url);
            res.end(JSON.stringify({ url: process.env.API_URL, status: r.status, upstream: r.headers.get('x-devmesh-upstream'), body: await r.text() }));
          }).listen(Number(process.env.PORT), '127.0.0.1');`,
      },
    ],
    'warn',
  );
  bob = await open('bob', bobHome, bobRoot, [`127.0.0.1:${alice.mesh.port}`]);
  await waitFor(
    'alice api healthy',
    () => alice.projects.resolve('shop').supervisor.get('api').info().state === 'healthy',
    scaled(20_000),
  );
  await waitFor(
    'bob to see alice serving api',
    () =>
      bob.mesh
        .routable()
        .find((p) => p.name === 'alice' && p.services.some((s) => s.name === 'api' && s.state === 'healthy')),
    scaled(10_000),
  );
}, scaled(60_000));

afterAll(async () => {
  await bob?.dispose();
  await alice?.dispose();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('routing across the mesh (two cores on loopback)', () => {
  // Each test routes through a live link to alice: after a heavy test on a loaded machine, wait for it
  // (links that lose 3 beats come back by themselves; the heartbeat suites test that part)
  beforeEach(async () => {
    await waitFor(
      'bob to route to alice',
      () =>
        bob.mesh
          .routable()
          .find((p) => p.name === 'alice' && p.services.some((s) => s.name === 'api' && s.state === 'healthy')),
      scaled(10_000),
    );
  }, scaled(15_000));

  it("reaches a teammate's instance when the local one is stopped, and the local one once it runs", async () => {
    const port = bob.proxyInfo().httpUrl!.split(':').pop()!;
    const remote = await get(Number(port), '/', { host: 'api.localhost' });
    expect(remote.status).toBe(200);
    expect(JSON.parse(remote.body)).toMatchObject({
      agent: 'alice',
      service: 'api',
      host: 'api.shop.localhost',
      mesh: null,
    });
    expect(remote.headers['x-devmesh-upstream']).toBe('alice/api@2.3.1');
    // `devmesh routes` says where a request goes now.
    expect(bob.routes.list('shop').find((r) => r.service === 'api')).toMatchObject({
      state: 'stopped',
      servedBy: 'alice/api@2.3.1',
      local: true,
    });

    await bob.projects.resolve('shop').supervisor.start('api', { wait: true });
    const local = await get(Number(port), '/', { host: 'api.localhost' });
    expect(JSON.parse(local.body)).toMatchObject({ agent: 'bob' });
    expect(local.headers['x-devmesh-upstream']).toBe('bob/api@1.4.0');

    await bob.projects.resolve('shop').supervisor.stop('api');
    const back = await get(Number(port), '/', { host: 'api.localhost' });
    expect(JSON.parse(back.body)).toMatchObject({ agent: 'alice' });
  });

  it('serves on the peer ingress only requests carrying a live link’s credentials', async () => {
    const ingress = alice.ingressPort!;
    expect(ingress).toBeGreaterThan(0);
    // Plain HTTP gets nowhere: the ingress speaks TLS only.
    await expect(get(ingress, '/', { host: 'api.shop.localhost' })).rejects.toThrow();
    const bare = await get(ingress, '/', { host: 'api.shop.localhost' }, true);
    expect(bare.status).toBe(403);
    expect(JSON.parse(bare.body)).toMatchObject({ error: { code: 'not_a_mesh_member' } });
    const forged = await get(
      ingress,
      '/',
      { host: 'api.shop.localhost', 'x-devmesh-mesh': `${bob.mesh.agentId} AAAAAAAAAAAAAAAAAAAAAA` },
      true,
    );
    expect(forged.status).toBe(403);
    expect(forged.body).toContain('do not match');
  });

  it('refuses with 409 naming every version and the range when nothing satisfies the caller (refuse)', async () => {
    const port = Number(bob.proxyInfo().httpUrl!.split(':').pop());
    await bob.projects.resolve('shop').supervisor.start('api', { wait: true });
    try {
      const r = await get(port, '/api.shop;from=ops.shop/orders');
      expect(r.status).toBe(409);
      const body = JSON.parse(r.body) as {
        error: { code: string; message: string };
        range: string;
        versions: { agent: string; version: string }[];
      };
      expect(body.error.code).toBe('version_mismatch');
      expect(body.range).toBe('^3');
      expect(body.error.message).toContain('ops (shop) requires api ^3');
      expect(body.versions).toEqual([
        { agent: 'bob (this machine)', version: '1.4.0' },
        { agent: 'alice', version: '2.3.1' },
      ]);
      // web needs ^2.0: bob's own 1.4.0 runs but does not satisfy it, so alice's 2.3.1 serves web.
      const routed = await get(port, '/api.shop;from=web.shop/orders');
      expect(routed.status).toBe(200);
      expect(JSON.parse(routed.body)).toMatchObject({ agent: 'alice', from: 'web.shop' });
      // No caller, no range: the running local instance.
      expect(JSON.parse((await get(port, '/api.shop/orders')).body)).toMatchObject({ agent: 'bob', from: null });
    } finally {
      await bob.projects.resolve('shop').supervisor.stop('api');
    }
  });

  it('routes a caller whose range nothing satisfies (warn) and stores an alert with both versions', async () => {
    const port = Number(bob.proxyInfo().httpUrl!.split(':').pop());
    const r = await get(port, '/orders', { host: 'api.localhost', 'x-devmesh-from': 'admin.shop' });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ agent: 'alice', from: 'admin.shop' });
    const alert = await waitFor('a stored alert', () => bob.alerts.list(10).find((a) => a.caller.service === 'admin'));
    expect(alert).toMatchObject({
      dependency: 'api',
      range: '^3',
      action: 'warned',
      instance: { agent: 'alice', version: '2.3.1', local: false },
    });
  });

  it("logs the caller and the teammate's instance, and draws the traffic on the graph edge between them", async () => {
    const port = Number(bob.proxyInfo().httpUrl!.split(':').pop());
    for (let i = 0; i < 5; i++)
      expect((await get(port, '/edge', { host: 'api.localhost', 'x-devmesh-from': 'admin.shop' })).status).toBe(200);
    const aliceApi = `${alice.mesh.agentId}/shop/api`;
    const logged = bob.requests.page({ limit: 1, search: '/edge' }).requests[0];
    expect(logged).toMatchObject({
      caller: 'admin.shop',
      instance: aliceApi,
      upstream: expect.stringContaining('alice'),
    });
    const edge = bob.graph().edges.find((e) => e.id === `${bob.mesh.agentId}/shop/admin->${aliceApi}`);
    expect(edge).toMatchObject({ dependency: 'api', range: '^3', satisfied: false, declared: true });
    expect(edge!.requestsPerSec).toBeGreaterThanOrEqual(0.5);
    expect(edge!.p95Ms).not.toBeNull();
    // alice's ingress serves the request without a caller of its own (the caller runs on bob's machine)
    const served = await waitFor(
      'alice to log the request',
      () => alice.requests.page({ limit: 1, search: '/edge' }).requests[0],
    );
    expect(served).toMatchObject({ caller: null, instance: aliceApi });
  });

  it('takes up a membership joined while it runs: dials the invite seed and routes through the new peer', async () => {
    const home = tmp('devmesh-route-c-');
    const root = tmp('devmesh-route-pc-');
    project(root, 'carol', [{ name: 'docs', version: '1.0.0', autostart: false }], 'warn');
    const carol = await open('carol', home, root, []);
    try {
      expect(carol.mesh.info().member).toBe(false);
      expect(carol.ingressPort).toBeNull();
      new MeshMembership(home).join(new MeshMembership(dirs[0]!).invite([`127.0.0.1:${alice.mesh.port}`]));
      const info = await carol.reloadMesh();
      expect(info.member).toBe(true);
      expect(carol.ingressPort).toBeGreaterThan(0);
      await waitFor(
        'carol to route to alice',
        () => carol.mesh.routable().find((p) => p.name === 'alice' && p.services.some((s) => s.name === 'api')),
        scaled(10_000),
      );
      const port = Number(carol.proxyInfo().httpUrl!.split(':').pop());
      const r = await get(port, '/', { host: 'api.localhost' });
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body)).toMatchObject({ agent: 'alice' });
    } finally {
      await carol.dispose();
    }
  });

  it('gives a service its dependency through the proxy, naming the caller, so its range picks the instance', async () => {
    const shop = bob.projects.resolve('shop').supervisor;
    await shop.start('front', { wait: true });
    try {
      // Starting front started bob's own api 1.4.0 (prefer: local), which does not satisfy front's ^2.0.
      expect(shop.get('api').info().state).toBe('healthy');
      const port = Number(bob.proxyInfo().httpUrl!.split(':').pop());
      const r = await get(port, '/orders', { host: 'front.localhost' });
      const seen = JSON.parse(r.body) as { url: string; status: number; upstream: string; body: string };
      expect(seen.url).toBe(`http://127.0.0.1:${port}/api.shop;from=front.shop`);
      expect(seen.status).toBe(200);
      expect(seen.upstream).toBe('alice/api@2.3.1');
      expect(JSON.parse(seen.body)).toMatchObject({ agent: 'alice', from: 'front.shop' });
    } finally {
      await shop.stop('front');
      await shop.stop('api');
    }
  });

  it('ends a request waiting on a teammate who falls silent once the heartbeat declares it gone, not after the idle timeout', async () => {
    const port = Number(bob.proxyInfo().httpUrl!.split(':').pop());
    const started = Date.now();
    const pending = get(port, '/hang', { host: 'api.localhost' });
    await new Promise((r) => setTimeout(r, 300));
    // alice's end of the link stops reading (a hung machine): no pong reaches bob any more.
    const aliceLink = (
      alice.mesh as unknown as {
        peers: Map<
          string,
          { name: string; link: { beat: NodeJS.Timeout; auth: { ws: { _socket: { pause(): void } } } } | null }
        >;
      }
    ).peers;
    const link = [...aliceLink.values()].find((p) => p.name === 'bob')!.link!;
    clearInterval(link.beat);
    link.auth.ws._socket.pause();
    const r = await pending;
    expect(r.status).toBe(502);
    expect(JSON.parse(r.body)).toMatchObject({ error: { code: 'upstream_failed' } });
    expect(r.body).toContain('alice is gone');
    expect(Date.now() - started).toBeLessThan(scaled(10_000));
  });
});
