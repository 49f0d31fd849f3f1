// Response framing on the fast path: HEAD, 204 and 304 carry no body, a body without framing runs until
// the target closes, and an early answer to an unfinished upload closes both sides cleanly.
import net from 'node:net';
import http from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeServer, FakeRoutes, listen, rawExchange, request, startProxy, type Started } from './proxy-harness.js';

describe('ProxyServer response framing', () => {
  let target: net.Server;
  let p: Started;

  beforeEach(async () => {
    // A raw target so the tests choose the exact bytes of each response.
    target = net.createServer((s) => {
      let seen = '';
      s.on('data', (d: Buffer) => {
        seen += d.toString('latin1');
        while (seen.includes('\r\n\r\n')) {
          const head = seen.slice(0, seen.indexOf('\r\n\r\n'));
          seen = seen.slice(seen.indexOf('\r\n\r\n') + 4);
          const path = head.split(' ')[1];
          if (path === '/head') s.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n');
          else if (path === '/204') s.write('HTTP/1.1 204 No Content\r\n\r\n');
          else if (path === '/304') s.write('HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n');
          else if (path === '/until-close') s.end('HTTP/1.1 200 OK\r\n\r\nall of it until close');
          else if (path === '/early')
            s.end('HTTP/1.1 413 Payload Too Large\r\nContent-Length: 3\r\nConnection: close\r\n\r\nbig');
          else s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
        }
      });
      s.on('error', () => s.destroy());
    });
    const port = await listen(target);
    p = await startProxy(new FakeRoutes().add({ project: 'p', service: 'api', port, state: 'healthy' }));
  });

  afterEach(async () => {
    await p.close();
    await closeServer(target);
  });

  it('HEAD, 204 and 304 responses end at their heads and the connection goes on', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const head = await request(p.port, { agent, method: 'HEAD', path: '/head' });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('1000');
    expect((await request(p.port, { agent, path: '/204' })).status).toBe(204);
    expect((await request(p.port, { agent, path: '/304' })).status).toBe(304);
    expect((await request(p.port, { agent, path: '/x' })).body).toBe('ok');
    agent.destroy();
    expect(p.log.records.map((r) => r.status)).toEqual([200, 204, 304, 200]);
  });

  it('a body without framing runs until the target closes, then the client connection closes', async () => {
    const r = await rawExchange(p.port, 'GET /until-close HTTP/1.1\r\nHost: api.localhost\r\n\r\n');
    expect(r.closed).toBe(true);
    expect(r.text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(r.text).toContain('Connection: close');
    expect(r.text.endsWith('all of it until close')).toBe(true);
  });

  it('an early answer to an unfinished upload reaches the client, then both sides close', async () => {
    const r = await rawExchange(
      p.port,
      'POST /early HTTP/1.1\r\nHost: api.localhost\r\nContent-Length: 100000\r\n\r\nstart',
    );
    expect(r.text).toMatch(/^HTTP\/1\.1 413/);
    expect(r.text.endsWith('big')).toBe(true);
    expect(r.closed).toBe(true);
    expect((await request(p.port, { path: '/x' })).body).toBe('ok');
  });

  it('answers a client that half-closes after its request, then closes', async () => {
    const r = await rawExchange(p.port, 'GET /x HTTP/1.1\r\nHost: api.localhost\r\n\r\n', 5_000, true);
    expect(r.closed).toBe(true);
    expect(r.text).toMatch(/^HTTP\/1\.1 200/);
    expect(r.text.endsWith('ok')).toBe(true);
  });
});
