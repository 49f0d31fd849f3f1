// The proxy engine routes by Host and by path, rewrites heads (forwarding fields, hop-by-hop removal),
// reuses target connections, and logs one record per exchange. Real servers on loopback.
import http from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  closeServer,
  FakeRoutes,
  listen,
  rawExchange,
  request,
  startProxy,
  until,
  type Started,
} from './proxy-harness.js';

describe('ProxyServer routing', () => {
  let target: http.Server;
  let targetPort: number;
  let seen: http.IncomingMessage[];
  let targetSockets: Set<unknown>;
  let p: Started;

  beforeEach(async () => {
    seen = [];
    targetSockets = new Set();
    target = http.createServer((req, res) => {
      seen.push(req);
      targetSockets.add(req.socket);
      const parts: Buffer[] = [];
      req.on('data', (d: Buffer) => parts.push(d));
      req.on('end', () => {
        res.setHeader('Keep-Alive', 'timeout=5');
        res.setHeader('X-Echo-Path', req.url ?? '');
        res.end(`path=${req.url} body=${Buffer.concat(parts).toString()}`);
      });
    });
    targetPort = await listen(target);
    p = await startProxy(new FakeRoutes().add({ project: 'shop', service: 'api', port: targetPort, state: 'healthy' }));
  });

  afterEach(async () => {
    await p.close();
    await closeServer(target);
  });

  it('forwards by Host (<service>.localhost, with port, and <service>.<project>.localhost)', async () => {
    for (const host of ['api.localhost', `api.localhost:${p.port}`, 'api.shop.localhost']) {
      const r = await request(p.port, { host, path: '/hello?x=1' });
      expect(r.status).toBe(200);
      expect(r.body).toBe('path=/hello?x=1 body=');
      expect(r.headers['x-devmesh-upstream']).toBe('shop/api');
    }
  });

  it('forwards by path on localhost, stripping the service prefix', async () => {
    const r = await request(p.port, { host: `localhost:${p.port}`, path: '/api/users/7?q=2' });
    expect(r.status).toBe(200);
    expect(r.body).toBe('path=/users/7?q=2 body=');
    const root = await request(p.port, { host: 'localhost', path: '/api' });
    expect(root.body).toBe('path=/ body=');
  });

  it('adds X-Forwarded-*, Via and the hop header, strips hop-by-hop fields both ways', async () => {
    const r = await request(p.port, {
      host: 'api.localhost',
      method: 'POST',
      body: 'hi',
      headers: {
        Connection: 'keep-alive, X-Secret',
        'X-Secret': 'drop me',
        'Keep-Alive': 'timeout=1',
        'Proxy-Authorization': 'x',
        TE: 'trailers',
        'X-Forwarded-For': '10.0.0.9',
        Via: '1.0 corp',
        'X-Kept': 'yes',
      },
    });
    expect(r.body).toBe('path=/ body=hi');
    const h = seen[0]!.headers;
    expect(h['x-forwarded-for']).toBe('10.0.0.9, 127.0.0.1');
    expect(h['x-forwarded-proto']).toBe('http');
    expect(h['x-forwarded-host']).toBe('api.localhost');
    expect(h.host).toBe('api.localhost');
    expect(h.via).toBe('1.0 corp, 1.1 devmesh');
    expect(h['x-devmesh-hops']).toBe('test-instance');
    expect(h['x-kept']).toBe('yes');
    for (const gone of ['x-secret', 'keep-alive', 'proxy-authorization', 'te']) expect(h[gone]).toBeUndefined();
    expect(h.connection).toBe('keep-alive');
    expect(r.headers['keep-alive']).toBeUndefined();
    expect(r.headers.via).toBe('1.1 devmesh');
  });

  it('keeps one target connection alive across requests of a client connection and across clients', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    for (let i = 0; i < 20; i++)
      expect((await request(p.port, { agent, path: `/${i}` })).body).toBe(`path=/${i} body=`);
    agent.destroy();
    for (let i = 0; i < 5; i++) await request(p.port, { path: '/fresh' });
    expect(seen).toHaveLength(25);
    expect(targetSockets.size).toBe(1);
  });

  it('serves pipelined requests in order on one connection', async () => {
    const one = 'GET /a HTTP/1.1\r\nHost: api.localhost\r\n\r\n';
    const two = 'GET /b HTTP/1.1\r\nHost: api.localhost\r\nConnection: close\r\n\r\n';
    const r = await rawExchange(p.port, one + two);
    expect(r.closed).toBe(true);
    expect(r.text.indexOf('path=/a')).toBeGreaterThan(0);
    expect(r.text.indexOf('path=/b')).toBeGreaterThan(r.text.indexOf('path=/a'));
  });

  it('records one log entry per exchange with method, host, path, status, bytes, duration, upstream', async () => {
    await request(p.port, { method: 'POST', path: '/log', body: 'abcd' });
    await request(p.port, { host: 'nope.localhost', path: '/x' });
    expect(p.log.records).toHaveLength(2);
    const [ok, missing] = p.log.records;
    expect(ok).toMatchObject({
      method: 'POST',
      host: 'api.localhost',
      path: '/log',
      status: 200,
      bytesIn: 4,
      project: 'shop',
      service: 'api',
      upstream: `127.0.0.1:${targetPort}`,
      error: null,
      tls: false,
      websocket: false,
    });
    expect(ok!.bytesOut).toBeGreaterThan(20);
    expect(ok!.durationMs).toBeGreaterThanOrEqual(0);
    expect(missing).toMatchObject({ status: 404, host: 'nope.localhost', upstream: null });
  });

  it('records the caller the request named and the instance that served it (the graph edge)', async () => {
    await request(p.port, { path: '/called', headers: { 'X-DevMesh-From': 'web.shop' } });
    await request(p.port, { path: '/anonymous' });
    await request(p.port, { host: 'nope.localhost', path: '/x', headers: { 'X-DevMesh-From': 'web.shop' } });
    // HTTP/1.0 goes through the slow path: same fields.
    await rawExchange(p.port, 'GET /old HTTP/1.0\r\nHost: api.localhost\r\nX-DevMesh-From: web.shop\r\n\r\n');
    await until(() => p.log.records.length === 4);
    const [called, anonymous, missing, slow] = p.log.records;
    expect(called).toMatchObject({ path: '/called', status: 200, caller: 'web.shop', instance: `api@${targetPort}` });
    expect(anonymous).toMatchObject({ path: '/anonymous', caller: null, instance: `api@${targetPort}` });
    // DevMesh answered itself: no instance served it, and no edge is drawn for it.
    expect(missing).toMatchObject({ status: 404, caller: null, instance: null });
    expect(slow).toMatchObject({ path: '/old', status: 200, caller: 'web.shop', instance: `api@${targetPort}` });
  });

  it('answers HTTP/1.0 clients through the http-proxy-3 slow path', async () => {
    const r = await rawExchange(p.port, 'GET /old HTTP/1.0\r\nHost: api.localhost\r\n\r\n');
    expect(r.text).toMatch(/^HTTP\/1\.1 200/);
    expect(r.text).toContain('path=/old body=');
    expect(r.text.toLowerCase()).toContain('x-devmesh-upstream: shop/api');
    expect(seen[0]!.headers.via).toBe('1.1 devmesh');
    expect(seen[0]!.headers['x-forwarded-for']).toContain('127.0.0.1');
    expect(p.log.records[0]).toMatchObject({ path: '/old', status: 200, service: 'api' });
  });

  it('passes Expect: 100-continue through the slow path', async () => {
    const body = await new Promise<string>((resolve, reject) => {
      const req = http.request(
        {
          port: p.port,
          host: '127.0.0.1',
          method: 'POST',
          path: '/expect',
          headers: { host: 'api.localhost', expect: '100-continue', 'content-length': '5' },
        },
        (res) => {
          let s = '';
          res.on('data', (d: Buffer) => (s += d.toString()));
          res.on('end', () => resolve(s));
        },
      );
      req.on('continue', () => req.end('hello'));
      req.on('error', reject);
    });
    expect(body).toBe('path=/expect body=hello');
    expect(p.log.records[0]).toMatchObject({ method: 'POST', path: '/expect', status: 200, service: 'api' });
  });

  it('re-routes when a kept-alive client names another service, and binds the new target', async () => {
    const other = http.createServer((req, res) => res.end(`other ${req.url}`));
    const otherPort = await listen(other);
    p.routes.add({ project: 'shop', service: 'web', port: otherPort, state: 'healthy' });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    expect((await request(p.port, { agent, host: 'api.localhost', path: '/1' })).body).toBe('path=/1 body=');
    expect((await request(p.port, { agent, host: 'web.localhost', path: '/2' })).body).toBe('other /2');
    expect((await request(p.port, { agent, host: 'api.localhost', path: '/3' })).body).toBe('path=/3 body=');
    agent.destroy();
    await closeServer(other);
  });

  it('takes a fresh target connection when the kept-alive one was closed by the target', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    expect((await request(p.port, { agent, path: '/a' })).status).toBe(200);
    // The target drops its idle keep-alive connections (as Node does after keepAliveTimeout).
    for (const s of targetSockets) (s as import('node:net').Socket).destroy();
    expect((await request(p.port, { agent, path: '/b' })).body).toBe('path=/b body=');
    agent.destroy();
  });
});

describe('ProxyServer retries on another instance', () => {
  it('replays an idempotent request on the next instance when one refuses the connection, never a POST', async () => {
    const live = http.createServer((req, res) =>
      res.end(`live ${req.method} ${String(req.headers['x-devmesh-upstream'] ?? '')}`),
    );
    const livePort = await listen(live);
    const dead = http.createServer();
    const deadPort = await listen(dead);
    await closeServer(dead); // nothing listens there now: connections are refused
    const routes = new FakeRoutes().add({
      project: 'shop',
      service: 'api',
      port: deadPort,
      state: 'healthy',
      alternates: [livePort],
    });
    const p = await startProxy(routes);
    try {
      const got = await request(p.port, { host: 'api.localhost', path: '/x' });
      expect(got.status).toBe(200);
      expect(got.body).toBe('live GET ');
      expect(routes.failures).toEqual([`api@${deadPort}`]);
      expect(p.log.records.at(-1)).toMatchObject({ status: 200, upstream: `127.0.0.1:${livePort}` });

      const marked = await request(p.port, {
        host: 'api.localhost',
        method: 'DELETE',
        headers: { 'Idempotency-Key': 'k1' },
      });
      expect(marked.status).toBe(200);

      const post = await request(p.port, { host: 'api.localhost', method: 'POST', body: 'once' });
      expect(post.status).toBe(502);
      expect(routes.failures.length).toBe(3);

      // The slow path (here HTTP/1.0) retries the same way.
      const old = await rawExchange(p.port, 'GET /y HTTP/1.0\r\nHost: api.localhost\r\n\r\n');
      expect(old.text).toMatch(/^HTTP\/1\.[01] 200/);
      expect(old.text).toContain('live GET');
      expect(routes.failures.length).toBe(4);
    } finally {
      await p.close();
      await closeServer(live);
    }
  });

  it("replaces an upstream's own X-DevMesh-Upstream with this proxy's label", async () => {
    const inner = http.createServer((_req, res) => {
      res.setHeader('X-DevMesh-Upstream', 'inner/api@9');
      res.end('ok');
    });
    const port = await listen(inner);
    const p = await startProxy(new FakeRoutes().add({ project: 'shop', service: 'api', port, state: 'healthy' }));
    try {
      const r = await request(p.port, { host: 'api.localhost' });
      expect(r.headers['x-devmesh-upstream']).toBe('shop/api');
    } finally {
      await p.close();
      await closeServer(inner);
    }
  });
});
