// The proxy's routing decision over real projects: names, path routing, ambiguity across projects,
// foreign hosts, unavailable services and start_on_request.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProjectManager } from '../../../main/core/projects/project-manager.js';
import { RouteTable } from '../../../main/core/proxy/route-table.js';
import { SupervisorHarness, nodeScript, waitFor } from '../../helpers/supervisor-harness.js';

let h: SupervisorHarness;
let projects: ProjectManager;
let routes: RouteTable;

function writeProject(id: string, yaml: (server: string) => string): string {
  const dir = join(h.dir, id);
  mkdirSync(dir, { recursive: true });
  const server = nodeScript(
    dir,
    `require('http').createServer((q, r) => r.end('ok')).listen(Number(process.env.PORT), '127.0.0.1')`,
  );
  writeFileSync(join(dir, 'devmesh.yaml'), yaml(JSON.stringify(server)));
  return dir;
}

beforeEach(async () => {
  h = new SupervisorHarness();
  projects = new ProjectManager({
    events: h.events,
    logs: h.logs,
    registry: h.registry,
    reaper: h.reaper,
    logger: h.logger,
    watch: false,
  });
  routes = new RouteTable(projects, h.events, () => ({ httpPort: 7777, httpsPort: 7443 }));
  await projects.open(
    writeProject(
      'shop',
      (s) => `project: shop
services:
  api: { version: 1.0.0, command: ${s}, health: { tcp: true } }
  web: { version: 1.0.0, command: ${s}, health: { tcp: true }, depends_on: [api] }
  lazy: { version: 1.0.0, command: ${s}, health: { tcp: true }, autostart: false, start_on_request: true }
  idle: { version: 1.0.0, command: ${s}, autostart: false }
`,
    ),
  );
  await projects.open(
    writeProject(
      'blog',
      (s) => `project: blog\nservices:\n  api: { version: 2.0.0, command: ${s}, health: { tcp: true } }\n`,
    ),
  );
  await waitFor(
    () => projects.all().every((p) => p.supervisor.list().every((s) => s.state === 'healthy' || !s.autostart)),
    15_000,
    'autostart',
  );
});
afterEach(async () => {
  routes.dispose();
  await projects.dispose();
  await h.dispose();
});

describe('RouteTable', () => {
  it('routes <service>.localhost and <service>.<project>.localhost to the running instance', () => {
    const web = routes.resolve('web.localhost:7777', '/');
    const port = projects.resolve('shop').supervisor.get('web').info().port;
    expect(web).toMatchObject({
      kind: 'forward',
      project: 'shop',
      service: 'web',
      target: { host: '127.0.0.1', port },
      upstream: `127.0.0.1:${port}`,
      stripPrefix: null,
      rewrite: null,
      alternates: [],
    });
    // X-DevMesh-Upstream names the agent, the service and its version.
    expect(web).toMatchObject({
      label: `local/web@${projects.resolve('shop').supervisor.get('web').definition.version}`,
    });
    expect(routes.resolve('WEB.SHOP.LOCALHOST', '/x')).toMatchObject({
      kind: 'forward',
      service: 'web',
      project: 'shop',
    });
    expect(routes.resolve('api.blog.localhost', '/')).toMatchObject({ kind: 'forward', project: 'blog' });
  });

  it('asks for the project when a service name is in several projects', () => {
    const d = routes.resolve('api.localhost', '/');
    expect(d).toMatchObject({
      kind: 'unknown',
      message: "'api' is a service of several projects: use api.shop.localhost or api.blog.localhost",
    });
  });

  it('routes by path on plain localhost, stripping the service segment', () => {
    expect(routes.resolve('localhost:7777', '/web/orders?x=1')).toMatchObject({
      kind: 'forward',
      service: 'web',
      stripPrefix: '/web',
    });
    expect(routes.resolve('127.0.0.1:7777', '/api.blog/')).toMatchObject({
      kind: 'forward',
      project: 'blog',
      stripPrefix: '/api.blog',
    });
    expect(routes.resolve(undefined, '/')).toMatchObject({ kind: 'unknown', name: '' });
  });

  it('refuses names it does not serve (no open proxy) and suggests close names', () => {
    expect(routes.resolve('example.com', '/')).toEqual({ kind: 'foreign', host: 'example.com' });
    expect(routes.resolve('169.254.169.254', '/')).toEqual({ kind: 'foreign', host: '169.254.169.254' });
    expect(routes.resolve('wbe.localhost', '/')).toMatchObject({
      kind: 'unknown',
      message: "no service named 'wbe' in the open projects; did you mean 'web'?",
    });
  });

  it('says a stopped service is unavailable, and starts a start_on_request service on demand', async () => {
    expect(routes.resolve('idle.localhost', '/')).toMatchObject({
      kind: 'unavailable',
      state: 'stopped',
      startOnRequest: false,
    });
    expect(routes.resolve('lazy.localhost', '/')).toMatchObject({
      kind: 'unavailable',
      state: 'stopped',
      startOnRequest: true,
    });
    await routes.ensureRunning('shop', 'lazy', 10_000);
    expect(routes.resolve('lazy.localhost', '/')).toMatchObject({ kind: 'forward' });
  });

  it('never answers from a remembered decision once the service stopped, moved to another port, or a project opened', async () => {
    const sup = projects.resolve('shop').supervisor;
    const first = routes.resolve('web.localhost', '/');
    expect(routes.resolve('web.localhost', '/')).toBe(first); // remembered: the same decision
    await sup.stop('web');
    expect(routes.resolve('web.localhost', '/')).toMatchObject({ kind: 'unavailable', state: 'stopped' });
    await sup.start('web', { wait: true });
    const port = sup.get('web').info().port;
    expect(routes.resolve('web.localhost', '/')).toMatchObject({ kind: 'forward', target: { port } });
    expect(routes.resolve('idle.localhost', '/')).toMatchObject({ kind: 'unavailable' });
    // path routing and callers are decided every time
    expect(routes.resolve('localhost', '/web/')).not.toBe(routes.resolve('localhost', '/web/'));
    await projects.open(
      writeProject(
        'docs',
        (s) => `project: docs\nservices:\n  web: { version: 3.0.0, command: ${s}, health: { tcp: true } }\n`,
      ),
    );
    expect(routes.resolve('web.localhost', '/')).toMatchObject({
      kind: 'unknown',
      message: expect.stringContaining('several projects'),
    });
  });

  it('lists routes with their names, targets and proxy URLs', () => {
    const list = routes.list('shop');
    expect(list.find((r) => r.service === 'web')).toMatchObject({
      hosts: ['web.localhost', 'web.shop.localhost'],
      urls: ['http://web.localhost:7777/', 'https://web.localhost:7443/'],
      state: 'healthy',
    });
    expect(list.find((r) => r.service === 'api')!.hosts).toEqual(['api.shop.localhost']);
    expect(list.find((r) => r.service === 'idle')).toMatchObject({ target: null, state: 'stopped' });
  });
});
