// Each worktree runs its own copy of the app: a real repository whose devmesh.yaml declares a web depending on
// an api (fixed ports), real agents (fake CLIs in real terminals) in their own git worktrees, the copies opened
// through the API, their services started as real processes, and both checkouts answering at once through the
// real proxy: `api.localhost` the main checkout, `api.<label>.localhost` the copy. Stopping or removing the
// agent closes its copy. Hostile names, colliding labels, a broken devmesh.yaml and unknown agents are refused.
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { meshServicesOf } from '../../../main/core/project-views.js';
import type { ProjectInfo } from '../../../shared/service.js';
import { TestCore } from '../../api/test-core.js';
import { NODE, processAlive, waitFor } from '../../api/test-project.js';
import { scaled } from '../../helpers/load-scale.js';
import { git, writeScript } from '../agents/fake-cli.js';

// Each service says which checkout it runs from (its cwd), its port and the api it was given; web also calls it.
const SERVER = `
const http = require('http');
const name = process.argv[2];
const server = http.createServer((req, res) => {
  if (req.url === '/health') return res.end('ok');
  if (name === 'web' && req.url === '/via-api') {
    http.get(process.env.API_URL + '/', (r) => {
      let b = '';
      r.on('data', (d) => (b += d));
      r.on('end', () => res.end(b));
    }).on('error', (e) => { res.statusCode = 502; res.end(String(e)); });
    return;
  }
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ name, cwd: process.cwd(), port: process.env.PORT, apiUrl: process.env.API_URL || null }));
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log(name + ' up in ' + process.cwd()));
process.on('SIGTERM', () => { server.close(); process.exit(0); });
`;

function yaml(apiPort: number, webPort: number): string {
  const service = (name: string, port: number, extra: string[] = []) => [
    `  ${name}:`,
    '    version: 1.0.0',
    `    command: "'${NODE}' server.js ${name}"`,
    `    port: ${port}`,
    '    autostart: false',
    '    health:',
    '      http: /health',
    '      interval: 100ms',
    '      start_timeout: 20s',
    '    stop_timeout: 3s',
    ...extra,
  ];
  return [
    'project: shop',
    'services:',
    ...service('api', apiPort),
    ...service('web', webPort, ['    depends_on: [api]']),
  ]
    .concat('')
    .join('\n');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function get(port: number, host: string, path = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, headers: { host }, agent: false }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

let dm: TestCore;
let repo: string;
let proxyPort: number;

beforeAll(async () => {
  const [apiPort, webPort] = [await freePort(), await freePort()];
  dm = await TestCore.open({
    prefix: 'devmesh-wtcopy-',
    project: 'shop',
    prepare: (dir) => {
      writeFileSync(join(dir, 'devmesh.yaml'), yaml(apiPort, webPort));
      writeFileSync(join(dir, 'server.js'), SERVER);
      mkdirSync(join(dir, '..', 'home'), { recursive: true });
      writeFileSync(join(dir, '..', 'home', 'config.yaml'), 'proxy:\n  http_port: 0\n  https_port: false\n');
      git(dir, 'init', '-q', '-b', 'main');
      git(dir, 'add', '.');
      git(dir, '-c', 'user.name=T', '-c', 'user.email=t@devmesh.invalid', 'commit', '-q', '-m', 'first');
    },
  });
  repo = realpathSync(dm.projectDir);
  proxyPort = Number(new URL(dm.core.proxyInfo().httpUrl!).port);
  await dm.call('services.startAll', { project: 'shop', wait: true });
}, scaled(90_000));

afterAll(async () => {
  await dm?.dispose();
});

/** An agent (a fake CLI that waits for input) in a new worktree on `branch`. */
async function agentOn(name: string, branch: string) {
  const script = writeScript(join(dm.dir, 'bin'), `agent-${name}`, 'while read line; do echo "got $line"; done');
  return dm.call('agents.start', { command: script, name, cwd: repo, worktree: branch });
}

const json = (body: string) => JSON.parse(body) as { name: string; cwd: string; port: string; apiUrl: string | null };
const open = (): ProjectInfo[] => dm.core.projects.list();

describe('a worktree’s copy of the app', () => {
  it('runs beside the main checkout: own ports, own names, own dependency, own logs; local only', async () => {
    const agent = await agentOn('alpha', 'feature/Login_2');
    const copy = await dm.call('projects.openWorktree', { worktree: 'alpha' });
    expect(copy).toMatchObject({
      id: 'shop@feature-login-2',
      root: realpathSync(agent.worktree!.path),
      services: ['api', 'web'],
      worktree: { of: 'shop', branch: 'feature/Login_2', label: 'feature-login-2', agentId: agent.id },
    });
    expect(copy.identity).toBeUndefined(); // never identified: no teammate shares its locks or tasks
    // idempotent, and the same copy by branch or by a path inside the worktree
    expect((await dm.call('projects.openWorktree', { worktree: 'feature/Login_2' })).id).toBe(copy.id);
    mkdirSync(join(copy.root, 'sub'), { recursive: true });
    expect((await dm.call('projects.openWorktree', { worktree: join(copy.root, 'sub') })).id).toBe(copy.id);

    const started = await dm.call('services.startAll', { project: copy.id, wait: true });
    expect(started.map((s) => s.state)).toEqual(['healthy', 'healthy']);
    const main = await dm.call('services.list', {}); // omitted project: still the main checkout
    expect(main.map((s) => s.project)).toEqual(['shop', 'shop']);
    for (const s of started) expect(main.map((m) => m.port)).not.toContain(s.port);

    const mainApi = json((await get(proxyPort, 'api.localhost')).body);
    const copyApi = json((await get(proxyPort, 'api.feature-login-2.localhost')).body);
    expect(mainApi.cwd).toBe(repo);
    expect(copyApi.cwd).toBe(copy.root);
    expect(json((await get(proxyPort, 'web.shop.localhost')).body).cwd).toBe(repo);
    // the copy's web was given the copy's api, and reaches it through the proxy
    const copyWeb = json((await get(proxyPort, 'web.feature-login-2.localhost')).body);
    expect(copyWeb.apiUrl).toContain('/api.shop@feature-login-2;from=web.shop@feature-login-2');
    expect(json((await get(proxyPort, 'web.feature-login-2.localhost', '/via-api')).body).cwd).toBe(copy.root);
    expect(json((await get(proxyPort, 'web.localhost', '/via-api')).body).cwd).toBe(repo);

    const routes = await dm.call('proxy.routes', { project: copy.id });
    const route = routes.find((r) => r.service === 'api')!;
    expect(route.hosts).toEqual(['api.feature-login-2.localhost']);
    expect(route.urls[0]).toBe(`http://api.feature-login-2.localhost:${proxyPort}/`);
    expect((await dm.call('proxy.routes', { project: 'shop' })).find((r) => r.service === 'api')!.hosts).toEqual([
      'api.localhost',
      'api.shop.localhost',
    ]);

    const logs = (project: string) => dm.core.logs.tail(project, 'api', 50).map((l) => l.text);
    expect(logs(copy.id)).toContain(`api up in ${copy.root}`);
    expect(logs('shop')).not.toContain(`api up in ${copy.root}`);

    // never shown to teammates: not in the mesh's services, not through the peer ingress
    expect(meshServicesOf(dm.core.projects).map((s) => s.project)).toEqual(['shop', 'shop']);
    expect(dm.core.routes.resolveLocal('api.feature-login-2.localhost', '/').kind).toBe('unknown');
    expect(dm.core.routes.resolveLocal('api.localhost', '/').kind).toBe('forward');

    // the worktree's file watch stays the agent's (its edits, its review), not the copy's
    const watchOf = async () => (await dm.call('files.watched', {})).find((w) => w.root === copy.root);
    expect(await watchOf()).toMatchObject({ agentId: agent.id });

    // stopping the agent stops the copy's services and closes it; the main checkout's keep running
    const pids = (await dm.call('services.list', { project: copy.id })).map((s) => s.pid!);
    await dm.call('agents.stop', { agent: 'alpha' });
    await waitFor('the copy to close', () => !open().some((p) => p.id === copy.id));
    await waitFor('the copy’s services to stop', () => pids.every((pid) => !processAlive(pid)));
    // its names go once the close is done (project.closed)
    await waitFor(
      'the copy’s names to go',
      async () => (await get(proxyPort, 'api.feature-login-2.localhost')).status === 404,
    );
    expect(json((await get(proxyPort, 'api.localhost')).body).cwd).toBe(repo);
    expect(await watchOf()).toMatchObject({ agentId: agent.id }); // closing the copy left the agent's watch
  });

  it('closes the copy when its agent is removed', async () => {
    await agentOn('beta', 'beta-work');
    await dm.call('agents.stop', { agent: 'beta' });
    // the worktree stays after the stop: its copy can be opened again (by branch), then the removal closes it
    const copy = await dm.call('projects.openWorktree', { worktree: 'beta-work' });
    expect(copy.worktree?.agentId).not.toBeNull();
    const [api] = await dm.call('services.startAll', { project: copy.id, wait: true });
    expect(api!.state).toBe('healthy');
    await dm.call('agents.remove', { agent: 'beta' });
    await waitFor('the copy to close', () => !open().some((p) => p.id === copy.id));
    await waitFor('the copy’s api to stop', () => !processAlive(api!.pid!));
    expect(json((await get(proxyPort, 'api.localhost')).body).cwd).toBe(repo);
  });

  it('refuses two branches whose labels collide, and a project taking a copy’s label', async () => {
    await agentOn('gamma', 'feat/x');
    await agentOn('delta', 'feat-x');
    const first = await dm.call('projects.openWorktree', { worktree: 'gamma' });
    expect(first.id).toBe('shop@feat-x');
    const refused = await dm.refused('projects.openWorktree', { worktree: 'delta' });
    expect(refused.code).toBe('CONFLICT');
    expect(refused.message).toMatch(/branch "feat-x".*feat-x\.localhost.*'shop@feat-x' of branch "feat\/x"/);
    const other = join(dm.dir, 'other');
    mkdirSync(other);
    writeFileSync(
      join(other, 'devmesh.yaml'),
      'project: feat-x\nservices:\n  api:\n    version: 1.0.0\n    command: "true"\n',
    );
    const clash = await dm.refused('projects.open', { root: other });
    expect(clash.code).toBe('CONFLICT');
    expect(clash.message).toMatch(/project 'feat-x'.*open copy 'shop@feat-x'/);
    await dm.call('projects.close', { project: first.id });
  });

  it('names the broken devmesh.yaml of a worktree, and leaves the main checkout alone', async () => {
    const agent = await agentOn('epsilon', 'broken');
    const file = join(realpathSync(agent.worktree!.path), 'devmesh.yaml');
    writeFileSync(file, 'project: shop\nservices:\n  api:\n    port: banana\n');
    const refused = await dm.refused('projects.openWorktree', { worktree: 'epsilon' });
    expect(refused.code).toBe('CONFIG_INVALID');
    expect(refused.message).toContain(file);
    expect(open().map((p) => p.id)).toContain('shop');
    expect(open().some((p) => p.worktree?.branch === 'broken')).toBe(false);
    expect(json((await get(proxyPort, 'api.localhost')).body).cwd).toBe(repo);
  });

  it('says clearly when no agent, branch or worktree has the name', async () => {
    const refused = await dm.refused('projects.openWorktree', { worktree: 'ghost' });
    expect(refused.code).toBe('AGENT_NOT_FOUND');
    expect(refused.message).toMatch(/no agent, branch or worktree named "ghost"/);
    expect(refused.message).toContain('agents with a worktree:');
  });
});

describe('closing the main checkout', () => {
  it('closes its worktree copies first', async () => {
    const copy = await dm.call('projects.openWorktree', { worktree: 'gamma' });
    const [api] = await dm.call('services.startAll', { project: copy.id, wait: true });
    await dm.call('projects.close', { project: 'shop' });
    expect(open()).toEqual([]);
    await waitFor('the copy’s api to stop', () => !processAlive(api!.pid!));
  });
});
