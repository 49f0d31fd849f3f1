// The peer tunnel as the daemon wires it (ProxyModule): two real cores on loopback, alice and bob, linked by
// invite. Bob's dialer (DevMeshCore.tunnels) reaches alice's real redis-server through her peer ingress with a
// real redis-cli on his side; alice serves only her running TCP services (an HTTP service and a stopped one are
// refused, saying why); HTTP/1.1 and HTTP/2 on the same ingress still serve bob's proxy after tunnel use.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevMeshCore } from '../../../../main/core/devmesh-core.js';
import { DevMeshHome } from '../../../../main/core/home/devmesh-home.js';
import { MeshMembership } from '../../../../main/core/mesh/mesh-membership.js';
import type { RoutablePeer } from '../../../../main/core/proxy/routable-peer.js';
import { waitFor } from '../../../api/test-project.js';
import { scaled } from '../../../helpers/load-scale.js';

const run = promisify(execFile);
const HEARTBEAT_MS = scaled(200);
const TIMEOUT_MS = scaled(5_000);
const REDIS = '/usr/bin/redis-server';
// .ci/run installs redis-server; a machine without it skips, saying so
const haveRedis = existsSync(REDIS);

const dirs: string[] = [];
let alice: DevMeshCore;
let bob: DevMeshCore;
let peer: RoutablePeer;

function tmp(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

async function open(name: string, home: string, root: string | null, peers: string[]): Promise<DevMeshCore> {
  writeFileSync(
    join(home, 'config.yaml'),
    `mesh:\n  name: ${name}\n  host: 127.0.0.1\n  port: 0\n  mdns: false\n  heartbeat_ms: ${HEARTBEAT_MS}\n  peers: [${peers.map((p) => `"${p}"`).join(', ')}]\n`,
  );
  return DevMeshCore.open({
    home: new DevMeshHome(home),
    version: 'test',
    logger: pino({ level: 'silent' }),
    projects: root === null ? [] : [root],
  });
}

/** A local port whose connections bob pipes to alice's `service` through the tunnel (as the forwarder will). */
async function forwardTo(service: string): Promise<{ port: number; close: () => Promise<void> }> {
  const server = net.createServer((client) => {
    client.on('error', () => client.destroy());
    client.pause();
    bob.tunnels.openTcp(peer, { project: 'shop', service, from: null }, TIMEOUT_MS).then(
      ({ socket }) => {
        socket.on('error', () => client.destroy());
        client.on('close', () => socket.destroy());
        socket.on('close', () => client.destroy());
        client.pipe(socket).pipe(client);
      },
      () => client.destroy(),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

beforeAll(async () => {
  if (!haveRedis) return;
  const aliceHome = tmp('devmesh-tun-a-');
  const bobHome = tmp('devmesh-tun-b-');
  new MeshMembership(aliceHome).init();
  const root = tmp('devmesh-tun-pa-');
  writeFileSync(
    join(root, 'web.js'),
    `require('http').createServer((req, res) => res.end('web of alice'))
      .listen(Number(process.env.PORT), '127.0.0.1');`,
  );
  writeFileSync(
    join(root, 'devmesh.yaml'),
    [
      'project: shop',
      'services:',
      '  cache:',
      '    version: 7.0.0',
      '    protocol: tcp',
      `    command: "${REDIS} --port $PORT --bind 127.0.0.1 --save '' --appendonly no"`,
      '    health: { tcp: true, interval: 100ms, start_timeout: 20s }',
      '  web:',
      '    version: 1.0.0',
      `    command: "'${process.execPath}' web.js"`,
      '    health: { http: /, interval: 100ms, start_timeout: 20s }',
      '  queue:',
      '    version: 1.0.0',
      '    protocol: tcp',
      `    command: "${REDIS} --port $PORT --bind 127.0.0.1 --save '' --appendonly no"`,
      '    autostart: false',
      '',
    ].join('\n'),
  );
  alice = await open('alice', aliceHome, root, []);
  new MeshMembership(bobHome).join(new MeshMembership(aliceHome).invite([`127.0.0.1:${alice.mesh.port}`]));
  bob = await open('bob', bobHome, null, [`127.0.0.1:${alice.mesh.port}`]);
  const shop = alice.projects.resolve('shop').supervisor;
  await waitFor(
    'alice cache and web healthy',
    () => shop.get('cache').info().state === 'healthy' && shop.get('web').info().state === 'healthy',
    scaled(20_000),
  );
  peer = await waitFor(
    'bob to route to alice',
    () => bob.mesh.routable().find((p) => p.name === 'alice' && p.services.some((s) => s.name === 'web')),
    scaled(10_000),
  );
}, scaled(60_000));

afterAll(async () => {
  await bob?.dispose();
  await alice?.dispose();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe.skipIf(!haveRedis)('the peer tunnel between two cores (needs redis-server)', () => {
  it(
    "reaches a teammate's running redis-server with redis-cli through the tunnel",
    async () => {
      const forward = await forwardTo('cache');
      try {
        const cli = (...args: string[]) => run('redis-cli', ['-h', '127.0.0.1', '-p', String(forward.port), ...args]);
        expect((await cli('SET', 'greeting', 'hello from bob')).stdout.trim()).toBe('OK');
        expect((await cli('GET', 'greeting')).stdout.trim()).toBe('hello from bob');
        expect((await cli('INFO', 'server')).stdout).toContain('redis_version:');
      } finally {
        await forward.close();
      }
      const { socket, label } = await bob.tunnels.openTcp(
        peer,
        { project: 'shop', service: 'cache', from: 'api.shop' },
        TIMEOUT_MS,
      );
      expect(label).toBe('alice/cache@7.0.0');
      socket.destroy();
    },
    scaled(30_000),
  );

  it('refuses an HTTP service, a stopped one and an unknown project, saying why', async () => {
    const dial = (project: string, service: string) =>
      bob.tunnels.openTcp(peer, { project, service, from: null }, TIMEOUT_MS);
    await expect(dial('shop', 'web')).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('web.shop on alice is an HTTP service: reach it through the proxy'),
    });
    await expect(dial('shop', 'queue')).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'queue.shop is stopped on alice: it serves teammates only while it runs there',
    });
    await expect(dial('shop', 'nope')).rejects.toMatchObject({ code: 'SERVICE_NOT_FOUND' });
    await expect(dial('attic', 'cache')).rejects.toMatchObject({
      code: 'PROJECT_NOT_FOUND',
      message: 'project attic is not open on alice',
    });
    expect(await bob.tunnels.listSnapshots(peer, null, TIMEOUT_MS)).toEqual([]);
  });

  it(
    'still serves HTTP/1.1 and HTTP/2 on the same ingress after tunnel use',
    async () => {
      const { socket } = await bob.tunnels.openTcp(peer, { project: 'shop', service: 'cache', from: null }, TIMEOUT_MS);
      socket.end('PING\r\n');
      const pong = await new Promise<string>((resolve) => {
        let text = '';
        socket.setEncoding('utf8');
        socket.on('data', (d: string) => (text += d));
        socket.on('close', () => resolve(text));
      });
      expect(pong).toBe('+PONG\r\n');

      const port = alice.ingressPort!;
      const auth = `${bob.mesh.agentId} ${peer.token}`;
      const h1 = await new Promise<{ status: number; body: string; alpn: string | false | null }>((resolve, reject) => {
        // ALPN as the proxy's own upstream offers it (https.RequestOptions lacks the TLS field in its typings)
        const options: https.RequestOptions & { ALPNProtocols: string[] } = {
          host: '127.0.0.1',
          port,
          path: '/',
          agent: false,
          ca: [peer.ingressCert],
          checkServerIdentity: () => undefined,
          ALPNProtocols: ['http/1.1'],
          headers: { host: 'web.shop.localhost', 'x-devmesh-mesh': auth },
        };
        const req = https.request(options, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (body += d));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body,
              alpn: (res.socket as import('node:tls').TLSSocket).alpnProtocol,
            }),
          );
        });
        req.on('error', reject);
        req.end();
      });
      expect(h1).toEqual({ status: 200, body: 'web of alice', alpn: 'http/1.1' });

      const session = http2.connect(`https://127.0.0.1:${port}`, {
        ca: [peer.ingressCert],
        checkServerIdentity: () => undefined,
      });
      try {
        const h2 = await new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = session.request({ ':path': '/', ':authority': 'web.shop.localhost', 'x-devmesh-mesh': auth });
          let status = 0;
          let body = '';
          req.on('response', (headers) => (status = Number(headers[':status'])));
          req.setEncoding('utf8');
          req.on('data', (d: string) => (body += d));
          req.on('end', () => resolve({ status, body }));
          req.on('error', reject);
          req.end();
        });
        expect(h2).toEqual({ status: 200, body: 'web of alice' });
      } finally {
        session.close();
      }

      // And bob's own proxy routes to alice's web through that ingress.
      const proxyPort = Number(bob.proxyInfo().httpUrl!.split(':').pop());
      const routed = await fetch(`http://127.0.0.1:${proxyPort}/web.shop/`);
      expect(routed.status).toBe(200);
      expect(await routed.text()).toBe('web of alice');
    },
    scaled(30_000),
  );
  // Last: bob leaves the mesh. His credentials no longer admit anything, and what they opened ends with them.
  it(
    'ends the open tunnels of a teammate whose link goes down',
    async () => {
      const { socket } = await bob.tunnels.openTcp(peer, { project: 'shop', service: 'cache', from: null }, TIMEOUT_MS);
      socket.setEncoding('utf8');
      // The ingress ends it (with allowHalfOpen, bob's side sees the end of what alice sends, then closes itself).
      const ended = new Promise<void>((r) => socket.once('end', () => r()));
      socket.on('error', () => undefined);
      const first = new Promise<string>((r) => socket.once('data', (d: string) => r(d)));
      socket.write('PING\r\n');
      expect(await first).toBe('+PONG\r\n');
      await bob.mesh.close();
      await ended;
      await expect(
        bob.tunnels.openTcp(peer, { project: 'shop', service: 'cache', from: null }, TIMEOUT_MS),
      ).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringContaining('holds no live link') });
    },
    scaled(30_000),
  );
});
