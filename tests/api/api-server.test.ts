// The loopback API server end to end: a real core over a temp DEVMESH_HOME with a tiny project, a real
// HTTP server on 127.0.0.1, real WebSocket clients.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiServer } from '../../main/api/api-server.js';
import { DevMeshApi } from '../../main/api/devmesh-api.js';
import { DevMeshCore } from '../../main/core/devmesh-core.js';
import { DevMeshHome } from '../../main/core/home/devmesh-home.js';
import { CONTENT_SECURITY_POLICY } from '../../shared/content-security-policy.js';
import { DevMeshError } from '../../shared/errors.js';
import { MAX_MESSAGE_BYTES, TOKEN_PROTOCOL_PREFIX, WIRE_PROTOCOL } from '../../shared/wire.js';
import { tempDir, waitFor, writeProject } from './test-project.js';
import { WireTestClient, httpGet, tryUpgrade } from './wire-test-client.js';

const logger = pino({ level: 'silent' });
const tmp = tempDir('devmesh-api-');
const home = new DevMeshHome(join(tmp.dir, 'home'));
const projectDir = join(tmp.dir, 'tiny');
const rendererDir = join(tmp.dir, 'renderer');
let core: DevMeshCore;
let server: ApiServer;
let port: number;
let token: string;
const clients: WireTestClient[] = [];

async function connect(headers: Record<string, string> = {}): Promise<WireTestClient> {
  const c = await WireTestClient.connect(port, token, headers);
  clients.push(c);
  return c;
}

beforeAll(async () => {
  mkdirSync(projectDir, { recursive: true });
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(
    join(rendererDir, 'index.html'),
    '<!doctype html><html><head><meta name="devmesh-token" content=""><script type="module" src="/assets/app.js"></script></head><body></body></html>',
  );
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log("app")');
  writeFileSync(join(rendererDir, 'assets', 'app.css'), 'body{}');
  writeFileSync(join(tmp.dir, 'secret.txt'), 'outside the renderer');
  writeProject(projectDir, 'tiny', { api: { version: '1.2.3' }, worker: { version: '0.1.0', autostart: false } });
  token = home.readOrCreateToken();
  core = await DevMeshCore.open({ home, version: '0.0.0-test', logger, projects: [projectDir] });
  let shutdowns = 0;
  const api = new DevMeshApi(core, {
    face: 'daemon',
    apiUrl: () => server.apiUrl,
    requestShutdown: () => void shutdowns++,
  });
  server = new ApiServer({ api, token, port: 0, rendererDir, logger });
  ({ port } = await server.listen());
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server?.close();
  await core?.dispose();
  tmp.dispose();
});

describe('HTTP', () => {
  it('answers /healthz with security headers', async () => {
    const res = await httpGet(port, '/healthz');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ ok: true });
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
  });

  it('serves index.html with the token for 127.0.0.1 and localhost, uncached', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
      const res = await httpGet(port, '/', host);
      expect(res.status).toBe(200);
      expect(res.body).toContain(`<meta name="devmesh-token" content="${token}">`);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      // the one policy the app's app:// page carries too
      expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    }
  });

  it('refuses a foreign Host (DNS rebinding) with 403 and never shows the token', async () => {
    for (const host of [`evil.example:${port}`, 'localhost', `127.0.0.1:${port + 1}`, `attacker.localhost:${port}`]) {
      for (const path of ['/', '/index.html', '/healthz', '/assets/app.js']) {
        const res = await httpGet(port, path, host);
        expect(res.status, `${host}${path}`).toBe(403);
        expect(res.body).not.toContain(token);
      }
    }
  });

  it('serves static assets with their content types', async () => {
    const js = await httpGet(port, '/assets/app.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    expect(js.body).toBe('console.log("app")');
    expect((await httpGet(port, '/assets/app.css')).headers['content-type']).toMatch(/^text\/css/);
    expect((await httpGet(port, '/assets/missing.js')).status).toBe(404);
    // a client-side route gets the app
    expect((await httpGet(port, '/projects/tiny')).body).toContain('devmesh-token');
  });

  it('never serves files outside the renderer folder', async () => {
    for (const path of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/..%5csecret.txt',
      '/%00',
      '/%E0%A4%A',
    ]) {
      const res = await httpGet(port, path);
      expect([400, 404], path).toContain(res.status);
      expect(res.body).not.toContain('outside the renderer');
    }
  });

  it('says how to build the UI when it is not built', async () => {
    const bare = new ApiServer({
      api: new DevMeshApi(core, { face: 'daemon', apiUrl: () => null, requestShutdown: () => undefined }),
      token,
      port: 0,
      rendererDir: null,
      logger,
    });
    const { port: barePort } = await bare.listen();
    try {
      const res = await httpGet(barePort, '/');
      expect(res.status).toBe(503);
      expect(res.body).toContain('npm run build');
      expect(res.body).not.toContain(token);
    } finally {
      await bare.close();
    }
  });

  it('reports a busy port as PORT_BUSY naming the port and --port', async () => {
    const second = new ApiServer({
      api: new DevMeshApi(core, { face: 'daemon', apiUrl: () => null, requestShutdown: () => undefined }),
      token,
      port,
      rendererDir: null,
      logger,
    });
    const err = await second.listen().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DevMeshError);
    expect((err as DevMeshError).code).toBe('PORT_BUSY');
    expect((err as DevMeshError).message).toContain(String(port));
    expect((err as DevMeshError).message).toContain('--port');
    await second.close();
  });
});

describe('WebSocket upgrade', () => {
  const good = (): Record<string, string> => ({
    Host: `127.0.0.1:${port}`,
    'Sec-WebSocket-Protocol': `${WIRE_PROTOCOL}, ${TOKEN_PROTOCOL_PREFIX}${token}`,
  });

  it('accepts the token and selects devmesh.v1', async () => {
    const res = await tryUpgrade(port, good());
    expect(res.status).toBe(101);
    expect(res.protocol).toBe(WIRE_PROTOCOL);
    expect((await tryUpgrade(port, { ...good(), Origin: `http://127.0.0.1:${port}` })).status).toBe(101);
    expect((await tryUpgrade(port, { ...good(), Origin: `http://localhost:${port}` })).status).toBe(101);
  });

  it('refuses a missing or wrong token with 401', async () => {
    const none = await tryUpgrade(port, { ...good(), 'Sec-WebSocket-Protocol': WIRE_PROTOCOL });
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body).code).toBe('UNAUTHORIZED');
    const noProtocols = await tryUpgrade(port, { Host: `127.0.0.1:${port}` });
    expect(noProtocols.status).toBe(401);
    const wrong = await tryUpgrade(port, {
      ...good(),
      'Sec-WebSocket-Protocol': `${WIRE_PROTOCOL}, ${TOKEN_PROTOCOL_PREFIX}${'0'.repeat(64)}`,
    });
    expect(wrong.status).toBe(401);
    const truncated = await tryUpgrade(port, {
      ...good(),
      'Sec-WebSocket-Protocol': `${WIRE_PROTOCOL}, ${TOKEN_PROTOCOL_PREFIX}${token.slice(0, 10)}`,
    });
    expect(truncated.status).toBe(401);
    await expect(WireTestClient.connect(port, 'not-the-token')).rejects.toThrow(/401/);
  });

  it('refuses a foreign Origin with 403 FORBIDDEN_ORIGIN', async () => {
    for (const origin of ['http://evil.example', `http://127.0.0.1:${port + 1}`, 'null', `https://127.0.0.1:${port}`]) {
      const res = await tryUpgrade(port, { ...good(), Origin: origin });
      expect(res.status, origin).toBe(403);
      expect(JSON.parse(res.body).code).toBe('FORBIDDEN_ORIGIN');
    }
  });

  it('refuses a foreign Host with 403, even with the right token', async () => {
    const res = await tryUpgrade(port, { ...good(), Host: `evil.example:${port}` });
    expect(res.status).toBe(403);
  });

  it('needs devmesh.v1 next to the token', async () => {
    const res = await tryUpgrade(port, { ...good(), 'Sec-WebSocket-Protocol': `${TOKEN_PROTOCOL_PREFIX}${token}` });
    expect(res.status).toBe(400);
  });
});

describe('messages', () => {
  it('answers malformed, unknown, invalid and oversized messages with structured errors, and keeps working', async () => {
    const c = await connect();
    c.send('{not json');
    expect(await c.result(null)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    c.send({ type: 'call', id: 1, method: 'no.such.method', input: {} });
    expect(await c.result(1)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    c.send({ type: 'call', id: 2, method: 'services.list', input: { project: 42 } });
    const bad = await c.result(2);
    expect(bad).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect((bad as { error: { message: string } }).error.message).toContain('project');
    c.send({ type: 'call', id: 3 });
    expect(await c.result(3)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    c.send({ type: 'explode', id: 4 });
    expect(await c.result(4)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    c.send({ type: 'call', id: -1, method: 'daemon.info' });
    expect(await c.result(null)).toBeTruthy();
    c.send(Buffer.from([1, 2, 3]));
    c.send('null');
    c.send('[]');
    c.send(`{"type":"call","id":5,"method":"daemon.info","input":{"pad":"${'x'.repeat(MAX_MESSAGE_BYTES + 10)}"}}`);
    expect(await c.result(5)).toMatchObject({ ok: false, error: { code: 'MESSAGE_TOO_LARGE' } });
    const info = await c.call(6, 'daemon.info', {});
    expect(info).toMatchObject({ ok: true, value: { version: '0.0.0-test', face: 'daemon', pid: process.pid } });
    expect((info as { value: { apiUrl: string } }).value.apiUrl).toBe(`ws://127.0.0.1:${port}/api`);
  });

  it('closes a frame far over the limit (1009) without hurting the server', async () => {
    const c = await connect();
    c.send('x'.repeat(MAX_MESSAGE_BYTES + 6 * 1024 * 1024));
    await waitFor('the socket to close', () => c.closeEvent);
    expect(c.closeEvent!.code).toBe(1009);
    const d = await connect();
    expect(await d.call(1, 'daemon.info', {})).toMatchObject({ ok: true });
  });

  it('lists the project services', async () => {
    const c = await connect();
    const res = await c.call(1, 'services.list', {});
    expect(res.ok).toBe(true);
    const services = (res as { value: { name: string; version: string; project: string }[] }).value;
    expect(services.map((s) => s.name).sort()).toEqual(['api', 'worker']);
    expect(services.find((s) => s.name === 'api')).toMatchObject({ project: 'tiny', version: '1.2.3' });
  });

  it('delivers state changes to subscribers and stops after unsubscribe', async () => {
    const c = await connect();
    await c.call(1, 'services.start', { name: 'api', wait: true });
    c.send({ type: 'subscribe', id: 10, topic: 'events' });
    expect(await c.result(10)).toMatchObject({ ok: true });
    c.send({ type: 'subscribe', id: 11, topic: 'events' });
    expect(await c.result(11)).toMatchObject({ ok: true });

    expect(await c.call(2, 'services.stop', { name: 'api' })).toMatchObject({ ok: true, value: { state: 'stopped' } });
    const stopped = await c.next(
      (m) => m.type === 'event' && m.sub === 10 && (m.data as { to?: string }).to === 'stopped',
    );
    expect(stopped.data).toMatchObject({ type: 'service.state', project: 'tiny', service: 'api' });

    c.send({ type: 'unsubscribe', id: 10 });
    expect(await c.result(10)).toMatchObject({ ok: true, value: { unsubscribed: true } });
    const before = c.eventsOf(10).length;
    expect(await c.call(3, 'services.start', { name: 'api', wait: true })).toMatchObject({
      ok: true,
      value: { state: 'healthy' },
    });
    // the other subscription saw the start, so the events did flow while 10 was closed
    await c.next((m) => m.type === 'event' && m.sub === 11 && (m.data as { to?: string }).to === 'healthy');
    expect(c.eventsOf(10).length).toBe(before);
  });

  it('follows a service log and rejects unknown topics and services', async () => {
    const c = await connect();
    c.send({ type: 'subscribe', id: 1, topic: 'logs', params: { name: 'worker' } });
    expect(await c.result(1)).toMatchObject({ ok: true });
    await c.call(2, 'services.start', { name: 'worker', wait: true });
    const line = await c.next(
      (m) =>
        m.type === 'event' && m.sub === 1 && String((m.data as { text?: string }).text).includes('hello from worker'),
    );
    expect(line.data).toMatchObject({ project: 'tiny', service: 'worker', stream: 'stdout' });
    c.send({ type: 'subscribe', id: 3, topic: 'nope' });
    expect(await c.result(3)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    c.send({ type: 'subscribe', id: 4, topic: 'logs', params: { name: 'ghost' } });
    expect(await c.result(4)).toMatchObject({ ok: false, error: { code: 'SERVICE_NOT_FOUND' } });
    c.send({ type: 'subscribe', id: 1, topic: 'events' });
    expect(await c.result(1)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    await c.call(5, 'services.stop', { name: 'worker' });
  });

  it('caps subscriptions per connection', async () => {
    const c = await connect();
    for (let id = 1; id <= 64; id++) c.send({ type: 'subscribe', id, topic: 'events' });
    await c.result(64);
    expect(c.messages.filter((m) => m.type === 'result' && m.ok).length).toBe(64);
    c.send({ type: 'subscribe', id: 65, topic: 'events' });
    const over = await c.result(65);
    expect(over).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect((over as { error: { message: string } }).error.message).toContain('64');
  });

  it('says goodbye (1001) to clients when it closes, and frees the port', async () => {
    const api = new DevMeshApi(core, { face: 'daemon', apiUrl: () => null, requestShutdown: () => undefined });
    const own = new ApiServer({ api, token, port: 0, rendererDir: null, logger });
    const { port: ownPort } = await own.listen();
    const c = await WireTestClient.connect(ownPort, token);
    c.send({ type: 'subscribe', id: 1, topic: 'events' });
    await c.result(1);
    expect(own.clientCount).toBe(1);
    await own.close();
    await waitFor('the client to see the close', () => c.closeEvent);
    expect(c.closeEvent!.code).toBe(1001);
    expect(own.clientCount).toBe(0);
    await expect(httpGet(ownPort, '/healthz')).rejects.toThrow(/ECONNREFUSED/);
  });
});
