// A bug met while serving one request ends that request (a 502, or the connection closed), never the
// daemon: the proxy contains what is thrown from its socket handlers, timers and promise callbacks at the
// seam. The bug here is a routing decision with no target, on the fast path, the HTTP/2 slow path, and
// after a start_on_request wait; the test process would die of the uncaught error without containment.
import http from 'node:http';
import type http2 from 'node:http2';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteDecision } from '../../../main/core/proxy/route-decision.js';
import { closeServer, FakeRoutes, listen, rawExchange, request, startProxy, type Started } from './proxy-harness.js';
import { h2connect, h2request, localTls } from './stored-request-log.js';

/** Routes with a bug: `bug.localhost` gets a forward decision without a target. */
class BuggyRoutes extends FakeRoutes {
  override resolve(hostHeader: string | undefined, path: string): RouteDecision {
    const d = super.resolve(hostHeader?.replace(/^bug\./, 'api.'), path);
    if (hostHeader?.startsWith('bug.') && d.kind === 'forward') return { ...d, target: null as never };
    return d;
  }
}

describe('ProxyServer contains its own failures', () => {
  let target: http.Server;
  let p: Started;
  let dir: string;
  let session: http2.ClientHttp2Session;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'devmesh-contain-'));
    const tls = await localTls(dir);
    target = http.createServer((req, res) => res.end('ok'));
    const port = await listen(target);
    const routes = new BuggyRoutes().add({ project: 'p', service: 'api', port, state: 'healthy' });
    routes.add({ project: 'p', service: 'lazy', port, state: 'stopped', startOnRequest: true });
    p = await startProxy(routes, { tls: tls.provider });
    session = await h2connect(p.httpsPort!, 'api.localhost', tls.ca);
  });

  afterAll(async () => {
    session?.close();
    await p?.close();
    await closeServer(target);
    rmSync(dir, { recursive: true, force: true });
  });

  it('fast path: the broken request ends, the next one is served', async () => {
    const r = await rawExchange(p.port, 'GET /x HTTP/1.1\r\nHost: bug.localhost\r\n\r\n', 5_000);
    expect(r.closed).toBe(true);
    expect(r.text).not.toMatch(/^HTTP\/1\.1 200/);
    expect((await request(p.port, { path: '/next' })).body).toBe('ok');
  });

  it('HTTP/2 slow path: the broken stream is answered 502, the session goes on', async () => {
    const r = await h2request(session, { ':path': '/x', ':authority': 'bug.localhost' }).catch((e: Error) => ({
      status: 0,
      error: e,
    }));
    expect(r.status === 502 || r.status === 0).toBe(true);
    expect((await h2request(session, { ':path': '/next', ':authority': 'api.localhost' })).status).toBe(200);
  });

  it('a decision that breaks after a start_on_request wait ends only that request', async () => {
    const routes = p.routes as BuggyRoutes;
    routes.ensure = async (s) => {
      s.state = 'healthy';
      s.port = 1; // the decision after the wait is taken again; make it buggy below
    };
    const original = routes.resolve.bind(routes);
    routes.resolve = (host, path) => {
      const d = original(host, path);
      return host?.startsWith('lazy.') && d.kind === 'forward' ? { ...d, target: null as never } : d;
    };
    const fast = await rawExchange(p.port, 'GET /x HTTP/1.1\r\nHost: lazy.localhost\r\n\r\n', 5_000);
    expect(fast.text).not.toMatch(/^HTTP\/1\.1 200/);
    const slow = await h2request(session, { ':path': '/x', ':authority': 'lazy.localhost' }).catch(() => ({
      status: 0,
    }));
    expect(slow.status).not.toBe(200);
    await new Promise((r) => setTimeout(r, 100));
    expect((await request(p.port, { path: '/after' })).body).toBe('ok');
  });
});
