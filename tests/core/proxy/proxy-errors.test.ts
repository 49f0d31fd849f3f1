// DevMesh's own answers (404/403/503/502/508) and hostile or broken clients (400, 431, slowloris 408):
// every case gets a bounded answer and the proxy keeps serving the next client.
import http from 'node:http';
import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProxyServer } from '../../../main/core/proxy/proxy-server.js';
import { closeServer, FakeRoutes, listen, rawExchange, request, startProxy, type Started } from './proxy-harness.js';
import { scaled } from '../../helpers/load-scale.js';
import pino from 'pino';
import { ProxyReplyBodySchema, type ProxyReplyCode } from '../../../shared/wire-errors.js';

describe('ProxyServer errors and bad input', () => {
  let target: http.Server;
  let targetPort: number;
  let p: Started;
  let routes: FakeRoutes;

  beforeEach(async () => {
    target = http.createServer((req, res) => {
      if (req.url === '/die') {
        res.writeHead(200, { 'Content-Length': '100' });
        res.write('partial');
        setTimeout(() => req.socket.destroy(), 20);
        return;
      }
      if (req.url === '/die-before') return void req.socket.destroy();
      res.end('ok');
    });
    targetPort = await listen(target);
    routes = new FakeRoutes()
      .add({ project: 'shop', service: 'api', port: targetPort, state: 'healthy' })
      .add({ project: 'shop', service: 'worker', port: targetPort, state: 'crashed' })
      .add({ project: 'shop', service: 'lazy', port: targetPort, state: 'stopped', startOnRequest: true });
    p = await startProxy(routes, { limits: { headTimeoutMs: 300 } });
  });

  afterEach(async () => {
    await p.close();
    await closeServer(target);
  });

  it('404 lists known services: HTML for browsers, JSON otherwise', async () => {
    const html = await request(p.port, { host: 'nope.localhost', headers: { Accept: 'text/html,*/*' } });
    expect(html.status).toBe(404);
    expect(html.headers['content-type']).toContain('text/html');
    expect(html.body).toContain('<b>api</b>');
    expect(html.body).toContain('http://api.localhost:7777/');
    const json = await request(p.port, { host: 'nope.localhost', headers: { Accept: 'application/json' } });
    expect(json.status).toBe(404);
    const body = JSON.parse(json.body) as { error: { code: string }; services: { service: string }[] };
    expect(body.error.code).toBe('service_not_found');
    expect(body.services.map((s) => s.service)).toEqual(['api', 'worker', 'lazy']);
  });

  it('403 for a foreign host and for absolute-form targets: not an open proxy', async () => {
    const r = await request(p.port, { host: 'example.com' });
    expect(r.status).toBe(403);
    expect(r.body).toContain('DevMesh serves only *.localhost names');
    const abs = await rawExchange(p.port, 'GET http://example.com/ HTTP/1.1\r\nHost: api.localhost\r\n\r\n');
    expect(abs.text).toMatch(/^HTTP\/1\.1 403/);
  });

  it('503 with the state and reason for a service that is not running', async () => {
    const r = await request(p.port, { host: 'worker.localhost' });
    expect(r.status).toBe(503);
    const body = JSON.parse(r.body) as { state: string; reason: string; error: { message: string } };
    expect(body.state).toBe('crashed');
    expect(body.reason).toBe('stopped by the user');
    expect(body.error.message).toContain('worker');
  });

  it('start_on_request: holds the request until ensureRunning resolves, then forwards', async () => {
    let release!: () => void;
    routes.ensure = (s) =>
      new Promise<void>((resolve) => {
        release = () => {
          s.state = 'healthy';
          resolve();
        };
      });
    const pending = request(p.port, { host: 'lazy.localhost', method: 'POST', body: 'held' });
    await new Promise((r) => setTimeout(r, 100));
    expect(routes.ensureCalls).toBe(1);
    release();
    const r = await pending;
    expect(r.status).toBe(200);
    expect(r.body).toBe('ok');
  });

  it('start_on_request: a start that fails gives 503 naming the service', async () => {
    routes.ensure = () => Promise.reject(new Error('health check did not pass'));
    const r = await request(p.port, { host: 'lazy.localhost' });
    expect(r.status).toBe(503);
    expect(r.body).toContain('health check did not pass');
  });

  it('502 when the target refuses, naming the service and the cause', async () => {
    const dead = net.createServer();
    const deadPort = await listen(dead);
    await closeServer(dead);
    routes.add({ project: 'shop', service: 'gone', port: deadPort, state: 'healthy' });
    const r = await request(p.port, { host: 'gone.localhost' });
    expect(r.status).toBe(502);
    expect(r.body).toContain(`connection refused by gone (127.0.0.1:${deadPort})`);
    expect(p.log.records[0]).toMatchObject({ status: 502, service: 'gone' });
    expect(p.log.records[0]!.error).toContain('connection refused');
  });

  it('502 when the target dies before answering; closes the client when it dies mid-response', async () => {
    const before = await request(p.port, { path: '/die-before' });
    expect(before.status).toBe(502);
    expect(before.body).toContain('api');
    const mid = await rawExchange(p.port, 'GET /die HTTP/1.1\r\nHost: api.localhost\r\n\r\n');
    expect(mid.closed).toBe(true);
    expect(mid.text).toMatch(/^HTTP\/1\.1 200/);
    expect(mid.text).toContain('partial');
    expect((await request(p.port)).body).toBe('ok');
  });

  it('508 when the request already carries this instance in its hop header', async () => {
    const r = await request(p.port, { headers: { 'X-DevMesh-Hops': 'other, test-instance' } });
    expect(r.status).toBe(508);
    const through = await request(p.port, { headers: { 'X-DevMesh-Hops': 'other' } });
    expect(through.status).toBe(200);
  });

  it('answers in the contract: every JSON reply parses with ProxyReplyBodySchema and carries its documented code', async () => {
    const dead = net.createServer();
    const deadPort = await listen(dead);
    await closeServer(dead);
    routes.add({ project: 'shop', service: 'gone', port: deadPort, state: 'healthy' });
    const cases: Array<[Parameters<typeof request>[1], number, ProxyReplyCode]> = [
      [{ host: 'nope.localhost' }, 404, 'service_not_found'],
      [{ host: 'example.com' }, 403, 'foreign_host'],
      [{ host: 'worker.localhost' }, 503, 'service_unavailable'],
      [{ host: 'gone.localhost' }, 502, 'upstream_failed'],
      [{ headers: { 'X-DevMesh-Hops': 'test-instance' } }, 508, 'loop_detected'],
    ];
    for (const [options, status, code] of cases) {
      const r = await request(p.port, { ...options, headers: { Accept: 'application/json', ...options?.headers } });
      expect(ProxyReplyBodySchema.parse(JSON.parse(r.body)).error).toMatchObject({ status, code });
    }
  });

  it('malformed request → 400 and close; the next client is served', async () => {
    for (const bad of [
      'GARBAGE\r\n\r\n',
      'GET / HTTP/1.1\r\nHost api.localhost\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a.localhost\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a.localhost\r\n folded\r\n\r\n',
    ]) {
      const r = await rawExchange(p.port, bad);
      expect(r.closed).toBe(true);
      expect(r.text).toMatch(/^HTTP\/1\.1 400/);
    }
    expect((await request(p.port)).body).toBe('ok');
  });

  it('oversized request head → 431', async () => {
    const r = await rawExchange(
      p.port,
      `GET / HTTP/1.1\r\nHost: api.localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(r.text).toMatch(/^HTTP\/1\.1 431/);
    expect(r.closed).toBe(true);
    expect((await request(p.port)).body).toBe('ok');
  });

  it('slowloris: a head not complete within the bound → 408 and close', async () => {
    const r = await rawExchange(p.port, 'GET / HTTP/1.1\r\nHost: api.loc', 3_000);
    expect(r.closed).toBe(true);
    expect(r.text).toMatch(/^HTTP\/1\.1 408/);
    expect(r.ms).toBeLessThan(1_500);
    expect((await request(p.port)).body).toBe('ok');
  });

  it('idle target: 504 after the idle timeout, never a hang', async () => {
    // Reads (so it sees the proxy hang up) but never answers.
    const silent = net.createServer((s) => s.resume());
    const silentPort = await listen(silent);
    routes.add({ project: 'shop', service: 'mute', port: silentPort, state: 'healthy' });
    const q = await startProxy(routes, { limits: { idleTimeoutMs: 300 } });
    const started = Date.now();
    const r = await request(q.port, { host: 'mute.localhost' });
    expect(r.status).toBe(504);
    expect(Date.now() - started).toBeLessThan(scaled(2_000));
    await q.close();
    await closeServer(silent);
  });

  it('a busy port is a problem naming the port and the setting, not a crash', async () => {
    const proxy = new ProxyServer({
      routes,
      requests: p.log,
      tls: null,
      host: '127.0.0.1',
      httpPort: p.port,
      httpsPort: null,
      instanceId: 'x',
      logger: pino({ level: 'silent' }),
    });
    const l = await proxy.listen();
    expect(l.httpPort).toBeNull();
    expect(l.problems[0]).toContain(String(p.port));
    expect(l.problems[0]).toContain('proxy.http_port');
    await proxy.close();
  });
});
