// `devmesh routes` and `devmesh requests` end to end: the real CLI, a real daemon (`up --port 0`) whose
// proxy listens on a free loopback port, a tiny project, and requests sent through the proxy by Host.
import { mkdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestRecord, RouteInfo } from '../../shared/proxy.js';
import type { ServiceInfo } from '../../shared/service.js';
import { tempDir, waitFor, writeProject } from '../api/test-project.js';
import { ProxyCommands } from '../../main/cli/commands/proxy-commands.js';
import { RequestFormatter } from '../../main/cli/request-formatter.js';
import { CliHarness, ensureCliBuilt, type RunningCli } from './cli-harness.js';
import { scaled } from '../helpers/load-scale.js';

const tmp = tempDir('devmesh-cli-proxy-');
const projectDir = join(tmp.dir, 'tiny');
const cli = new CliHarness(join(tmp.dir, 'home'), tmp.dir);
let daemon: RunningCli | undefined;
let proxyPort = 0;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** One request through the proxy, naming the service by Host as a browser would. */
function viaProxy(host: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: proxyPort, path, headers: { host }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer from the proxy for ${host}${path}`)));
    req.on('error', reject);
    req.end();
  });
}

/** `devmesh requests ... --json`: one JSON object per line. */
async function requestLog(args: string[] = []): Promise<RequestRecord[]> {
  const r = await cli.run(['requests', ...args, '--json']);
  if (r.code !== 0) throw new Error(`devmesh requests ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as RequestRecord);
}

beforeAll(async () => {
  ensureCliBuilt();
  mkdirSync(projectDir);
  // api holds /slow… (having said in its log that the request reached it) until /release is asked for, so the
  // order in which requests end is the test's, whatever the machine's load (at most 60 s, not to hang)
  const slow = `server.removeAllListeners('request');
const held = [];
server.on('request', (req, res) => {
  if (req.url !== '/health') console.log('api got ' + req.url);
  if (req.url.startsWith('/slow')) {
    held.push(res);
    setTimeout(() => res.end('api ok'), 60000).unref();
    return;
  }
  if (req.url === '/release') for (const h of held.splice(0)) h.end('api ok');
  res.end('api ok');
});`;
  writeProject(projectDir, 'tiny', { api: { extra: slow }, web: { dependsOn: ['api'] } });
  proxyPort = await freePort();
  // CliHarness passes this process's environment on to the daemon it starts.
  process.env.DEVMESH_PROXY_HTTP_PORT = String(proxyPort);
  process.env.DEVMESH_PROXY_HTTPS_PORT = '0';
  ({ daemon } = await cli.up(['--project', projectDir]));
  await waitFor(
    'api and web to be healthy',
    async () => {
      const list = (await cli.json<{ services: ServiceInfo[] }>(['status'])).services;
      return list.length === 2 && list.every((s) => s.state === 'healthy');
    },
    30_000,
    200,
  );
}, scaled(90_000));

afterAll(async () => {
  await daemon?.stop('SIGTERM');
  tmp.dispose();
});

describe('devmesh routes', () => {
  it('lists each service by its .localhost names with its target and URL', async () => {
    const routes = await cli.json<RouteInfo[]>(['routes']);
    const api = routes.find((r) => r.service === 'api');
    expect(api).toMatchObject({ project: 'tiny', state: 'healthy', startOnRequest: false });
    expect(api!.hosts).toContain('api.localhost');
    expect(api!.target).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(api!.urls).toContain(`http://api.localhost:${proxyPort}/`);
    expect(routes.map((r) => r.service).sort()).toEqual(['api', 'web']);

    const text = await cli.run(['routes', '--project', 'tiny']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^HOST\s+TARGET\s+STATE\s+URL$/m);
    expect(text.stdout).toMatch(
      new RegExp(`^api\\.localhost\\s+127\\.0\\.0\\.1:\\d+\\s+healthy\\s+http://api\\.localhost:${proxyPort}/$`, 'm'),
    );
    // the project-qualified name gets its own URL
    expect(text.stdout).toMatch(
      new RegExp(
        `^api\\.tiny\\.localhost\\s+127\\.0\\.0\\.1:\\d+\\s+healthy\\s+http://api\\.tiny\\.localhost:${proxyPort}/$`,
        'm',
      ),
    );
    expect(text.stdout).toContain(`proxy: http://`);
  });

  it(
    'follows the service: a stopped service has no target',
    async () => {
      expect((await cli.run(['stop', 'web'])).code).toBe(0);
      const web = await waitFor('web to be stopped in the routes', async () =>
        (await cli.json<RouteInfo[]>(['routes'])).find((r) => r.service === 'web' && r.state === 'stopped'),
      );
      expect(web.target).toBeNull();
      expect((await cli.run(['start', 'web'])).code).toBe(0);
    },
    scaled(40_000),
  );
});

describe('devmesh requests', () => {
  it('shows a request sent through the proxy, as JSON and as a line', async () => {
    await expect(viaProxy('api.localhost', '/hello?x=1')).resolves.toMatchObject({ status: 200, body: 'api ok' });
    const record = await waitFor('the request in the log', async () =>
      (await requestLog()).find((r) => r.path.startsWith('/hello')),
    );
    expect(record).toMatchObject({
      method: 'GET',
      host: 'api.localhost',
      status: 200,
      service: 'api',
      project: 'tiny',
      error: null,
    });
    expect(record.upstream).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(record.bytesOut).toBeGreaterThan(0);

    const text = await cli.run(['requests', '--service', 'api', '-n', '5']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} 200 GET\s+api\.localhost\/hello\?x=1 \d+(\.\d)?[kMG]?B [\d.]+m?s 127\.0\.0\.1:\d+$/m,
    );
  });

  it('filters by service and by errors', async () => {
    await expect(viaProxy('nope.localhost', '/missing')).resolves.toMatchObject({ status: 404 });
    await viaProxy('web.localhost', '/page');
    await waitFor('both requests in the log', async () => {
      const all = await requestLog();
      return all.some((r) => r.host === 'nope.localhost') && all.some((r) => r.path === '/page');
    });
    const errors = await requestLog(['--errors']);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((r) => r.status >= 400 || r.error !== null)).toBe(true);
    expect(errors.some((r) => r.host === 'nope.localhost' && r.status === 404)).toBe(true);
    const web = await requestLog(['--service', 'web']);
    expect(web.map((r) => r.path)).toContain('/page');
    expect(web.every((r) => r.service === 'web')).toBe(true);
    expect(await requestLog(['-n', '1'])).toHaveLength(1);
  });

  it(
    'lists past requests in the order they started, so the times never run backwards',
    async () => {
      const slow = viaProxy('api.localhost', '/slow-first');
      // the quick request is sent only once the slow one has reached the service
      await waitFor(
        'the slow request at the service',
        async () => {
          return (await cli.run(['logs', 'api', '-n', '50'])).stdout.includes('api got /slow-first');
        },
        scaled(15_000),
        100,
      );
      await viaProxy('api.localhost', '/quick-second');
      await viaProxy('api.localhost', '/release');
      await slow;
      const rows = await waitFor('both requests in the log', async () => {
        const all = (await requestLog(['-n', '20'])).filter((r) => /^\/(slow-first|quick-second)/.test(r.path));
        return all.length === 2 ? all : undefined;
      });
      // the log numbers the quick one first (it ended first); the list shows the slow one first (it started first)
      expect(rows[0]!.seq).toBeGreaterThan(rows[1]!.seq);
      expect(rows.map((r) => r.path)).toEqual(['/slow-first', '/quick-second']);
      const text = (await cli.run(['requests', '-n', '20'])).stdout.split('\n');
      const at = (path: string): number => text.findIndex((l) => l.includes(`api.localhost${path}`));
      expect(at('/slow-first')).toBeGreaterThanOrEqual(0);
      expect(at('/slow-first')).toBeLessThan(at('/quick-second'));
    },
    scaled(40_000),
  );

  it(
    '-f prints requests as they are answered until Ctrl-C',
    async () => {
      const follow = cli.spawn(['requests', '-f', '-n', '0', '--service', 'api']);
      try {
        // The subscription is open once the command has connected; retry the request until it shows.
        await waitFor(
          'the followed request',
          async () => {
            await viaProxy('api.localhost', '/followed');
            return /200 GET\s+api\.localhost\/followed /.test(follow.stdout);
          },
          15_000,
          300,
        );
        await viaProxy('web.localhost', '/not-api');
        await new Promise((r) => setTimeout(r, 300));
        expect(follow.stdout).not.toContain('/not-api');
      } finally {
        expect(await follow.stop('SIGINT')).toBe(0);
      }
    },
    scaled(30_000),
  );

  it('explains its options and refuses bad ones', async () => {
    const help = await cli.run(['requests', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--errors');
    expect((await cli.run(['routes', '--help'])).stdout).toContain('HOST TARGET STATE URL');
    expect((await cli.run(['requests', '-n', 'many'])).code).toBe(2);
    expect((await cli.run(['routes', 'extra'])).code).toBe(2);
  });
});

describe('request lines and route tables', () => {
  const record: RequestRecord = {
    seq: 1,
    ts: new Date(2026, 0, 2, 3, 4, 5, 67).getTime(),
    method: 'POST',
    host: 'api.localhost',
    path: '/pay',
    status: 502,
    bytesIn: 10,
    bytesOut: 1234,
    durationMs: 0.456,
    project: 'tiny',
    service: 'api',
    upstream: null,
    error: 'connection refused by api (127.0.0.1:4001)',
    tls: true,
    websocket: false,
    caller: null,
    instance: null,
  };

  it('prints the time, status, method, host/path, size, duration and the error or upstream', () => {
    const plain = new RequestFormatter();
    expect(plain.format(record)).toBe(
      '03:04:05.067 502 POST   api.localhost/pay 1.2kB 0.46ms error: connection refused by api (127.0.0.1:4001) [tls]',
    );
    expect(
      plain.format({ ...record, status: 200, error: null, upstream: '127.0.0.1:4001', tls: false, durationMs: 1234 }),
    ).toMatch(/ 200 POST .* 1\.2s 127\.0\.0\.1:4001$/);
    expect(new RequestFormatter({ color: true }).format(record)).toContain('\u001b[31m502\u001b[0m');
    // a client's control characters cannot reach the terminal
    expect(plain.format({ ...record, path: '/\u001b[2Jx\r' })).toContain('api.localhost/\uFFFD[2Jx\uFFFD');
  });

  it('gives every name of a route its own row and URL', () => {
    const table = ProxyCommands.routeTable([
      {
        hosts: ['api.localhost', 'api.tiny.localhost'],
        project: 'tiny',
        service: 'api',
        state: 'stopped',
        target: null,
        servedBy: null,
        local: true,
        urls: ['http://api.localhost:7777/', 'https://api.localhost:7443/'],
        startOnRequest: true,
      },
    ]);
    expect(table.split('\n')).toEqual([
      'HOST                TARGET               STATE    URL',
      'api.localhost       (starts on request)  stopped  http://api.localhost:7777/',
      'api.tiny.localhost  (starts on request)  stopped  http://api.tiny.localhost:7777/',
    ]);
  });
});
