// HTTP/2 as a first-class path: through the HTTPS listener with the production request log (SQLite on
// disk, flushed by its timer), every stream gets its own exact byte counts, a stored row, traffic counts
// and the same failover as HTTP/1.1, for node:http2 and for curl --http2; the process keeps serving.
import { execFile } from 'node:child_process';
import http from 'node:http';
import type http2 from 'node:http2';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeServer, FakeRoutes, listen, request, until } from './proxy-harness.js';
import { ProxyServer } from '../../../main/core/proxy/proxy-server.js';
import pino from 'pino';
import { h2connect, h2request, headerListSize, localTls, StoredRequestLog } from './stored-request-log.js';

const BIG = 200_000;

describe('ProxyServer over HTTP/2 with the SQLite request log', () => {
  let store: StoredRequestLog;
  let target: http.Server;
  let proxy: ProxyServer;
  let httpsPort: number;
  let httpPort: number;
  let ca: string;
  let caPath: string;
  let deadPort: number;
  const routes = new FakeRoutes();
  let session: http2.ClientHttp2Session;

  beforeAll(async () => {
    store = StoredRequestLog.open();
    const tls = await localTls(store.dir);
    ca = tls.ca;
    caPath = tls.caPath;
    target = http.createServer((req, res) => {
      let n = 0;
      req.on('data', (d: Buffer) => (n += d.length));
      req.on('end', () => {
        if (req.url === '/big') return res.end(Buffer.alloc(BIG, 0x62));
        res.setHeader('x-got', String(n));
        res.end(`got ${n} for ${req.url}`);
      });
    });
    const port = await listen(target);
    // An instance that refuses connections: a port that was just free.
    const gone = http.createServer();
    deadPort = await listen(gone);
    await closeServer(gone);
    routes.add({ project: 'p', service: 'api', port, state: 'healthy' });
    routes.add({ project: 'p', service: 'twice', port: deadPort, state: 'healthy', alternates: [port] });
    const logger = pino({ level: 'silent' });
    proxy = new ProxyServer({
      routes,
      requests: store.log,
      tls: tls.provider,
      host: '127.0.0.1',
      httpPort: 0,
      httpsPort: 0,
      instanceId: 'h2',
      logger,
    });
    const l = await proxy.listen();
    httpsPort = l.httpsPort!;
    httpPort = l.httpPort!;
    session = await h2connect(httpsPort, 'api.localhost', ca);
  });

  afterAll(async () => {
    session?.close();
    await proxy?.close();
    await closeServer(target);
    store?.dispose();
  });

  it('stores one row per stream with that stream bytes in and out, not the connection', async () => {
    const upload = Buffer.alloc(70_000, 0x61); // several DATA frames
    const [small, big, post] = await Promise.all([
      h2request(session, { ':path': '/small', ':authority': 'api.localhost' }),
      h2request(session, { ':path': '/big', ':authority': 'api.localhost' }),
      h2request(session, { ':path': '/post', ':method': 'POST', ':authority': 'api.localhost' }, upload),
    ]);
    expect([small.status, big.status, post.status]).toEqual([200, 200, 200]);
    expect(post.body.toString()).toBe(`got ${upload.length} for /post`);
    const [rs] = await store.rows('/small');
    const [rb] = await store.rows('/big');
    const [rp] = await store.rows('/post');
    expect(rs).toMatchObject({
      status: 200,
      tls: true,
      bytesIn: 0,
      bytesOut: small.body.length + headerListSize(small.headers),
      service: 'api',
    });
    expect(rb).toMatchObject({ status: 200, bytesIn: 0, bytesOut: BIG + headerListSize(big.headers) });
    expect(rp).toMatchObject({
      method: 'POST',
      status: 200,
      bytesIn: upload.length,
      bytesOut: post.body.length + headerListSize(post.headers),
    });
  });

  it('counts HTTP/2 requests in the traffic stats like HTTP/1.1 ones', async () => {
    const before = store.stats.snapshot('p').find((s) => s.service === 'api')?.requests ?? 0;
    for (let i = 0; i < 5; i++)
      expect((await h2request(session, { ':path': `/count${i}`, ':authority': 'api.localhost' })).status).toBe(200);
    expect((await request(httpPort, { path: '/count-h1' })).status).toBe(200);
    await store.rows('/count4');
    expect(store.stats.snapshot('p').find((s) => s.service === 'api')!.requests).toBe(before + 6);
  });

  it('fails a body-less GET over to the next instance, and answers a POST 502 rather than replay it', async () => {
    const ok = await h2request(session, { ':path': '/fo', ':authority': 'twice.localhost' });
    expect(ok.status).toBe(200);
    expect(ok.body.toString()).toBe('got 0 for /fo');
    const [row] = await store.rows('/fo');
    expect(row).toMatchObject({
      status: 200,
      service: 'twice',
      instance: `twice@${(target.address() as { port: number }).port}`,
    });
    expect(routes.failures).toContain(`twice@${deadPort}`);
    const post = await h2request(
      session,
      { ':path': '/fo-post', ':method': 'POST', ':authority': 'twice.localhost' },
      Buffer.from('once'),
    );
    expect(post.status).toBe(502);
    const [bad] = await store.rows('/fo-post');
    expect(bad).toMatchObject({ status: 502, bytesIn: 4, bytesOut: post.body.length + headerListSize(post.headers) });
    expect(bad!.error).toMatch(/connection refused/);
  });

  it('holds an HTTP/2 upload for a start_on_request service and forwards all of it once the service runs', async () => {
    routes.add({
      project: 'p',
      service: 'lazy',
      port: (target.address() as { port: number }).port,
      state: 'stopped',
      startOnRequest: true,
    });
    routes.ensure = async (svc) => {
      await new Promise((r) => setTimeout(r, 300)); // the body arrives while the request waits
      svc.state = 'healthy';
    };
    const upload = Buffer.alloc(50_000, 0x6c);
    const r = await h2request(session, { ':path': '/lazy', ':method': 'POST', ':authority': 'lazy.localhost' }, upload);
    expect(r.body.toString()).toBe(`got ${upload.length} for /lazy`);
    expect((await store.rows('/lazy'))[0]).toMatchObject({ status: 200, service: 'lazy', bytesIn: upload.length });
  });

  it('counts each response of a kept-alive HTTP/1.0 connection (the slow path) on its own row', async () => {
    const s = net.connect(httpPort, '127.0.0.1');
    let got = '';
    s.on('data', (d: Buffer) => (got += d.toString('latin1')));
    const lengths: number[] = [];
    for (const path of ['/ka1', '/ka22']) {
      const from = got.length;
      s.write(`GET ${path} HTTP/1.0\r\nHost: api.localhost\r\nConnection: keep-alive\r\n\r\n`);
      await until(() => got.endsWith(`for ${path}`));
      lengths.push(got.length - from);
    }
    s.destroy();
    expect((await store.rows('/ka1'))[0]!.bytesOut).toBe(lengths[0]);
    expect((await store.rows('/ka22'))[0]!.bytesOut).toBe(lengths[1]);
  });

  it('serves curl --http2 and stores its exact counts; the proxy still serves afterwards', async () => {
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        'curl',
        [
          ...['-sS', '--http2', '--cacert', caPath, '--resolve', `api.localhost:${httpsPort}:127.0.0.1`],
          ...[
            '-D',
            '-',
            '-o',
            '/dev/null',
            '-w',
            '\n%{http_version} %{size_download}',
            `https://api.localhost:${httpsPort}/curl`,
          ],
        ],
        { timeout: 20_000 },
        (err, stdout) => (err ? reject(err) : resolve(stdout)),
      ),
    );
    const lines = out.trim().split(/\r?\n/);
    const [version, size] = lines.at(-1)!.split(' ');
    expect(version).toBe('2');
    // curl prints an HTTP/2 head as `HTTP/2 200` then `name: value` lines.
    const fields: Record<string, string[]> = { ':status': [lines[0]!.split(' ')[1]!] };
    for (const l of lines.slice(1, -1)) {
      const i = l.indexOf(':');
      if (i > 0) (fields[l.slice(0, i)] ??= []).push(l.slice(i + 1).trim());
    }
    const [row] = await store.rows('/curl');
    expect(row).toMatchObject({ status: 200, tls: true, bytesIn: 0, bytesOut: Number(size) + headerListSize(fields) });
    // well past the log's flush timer: still serving both protocols
    await new Promise((r) => setTimeout(r, 300));
    expect((await h2request(session, { ':path': '/after', ':authority': 'api.localhost' })).status).toBe(200);
    expect((await request(httpPort, { path: '/after-h1' })).status).toBe(200);
  });
});
