// The shop example does what the README says: started in dependency order with the env DevMesh injects
// ($PORT, <NAME>_URL, <NAME>_PORT), web shows what api got from auth, and each service stops cleanly on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProjectConfigLoader } from '../../../main/core/config/project-config-loader.js';

const config = new ProjectConfigLoader().load(resolve(__dirname, '../../../examples/shop/devmesh.yaml'));

interface Running {
  child: ChildProcess;
  port: number;
  output: () => string;
}
const running = new Map<string, Running>();

afterAll(() => {
  for (const { child } of running.values()) if (child.exitCode === null) child.kill('SIGKILL');
});

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

async function waitHealthy(port: number, path: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}${path}`)).ok) return;
    } catch (err) {
      if (Date.now() > deadline)
        throw new Error(`not healthy on port ${port}: ${(err as Error).message}`, { cause: err });
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function start(name: string): Promise<void> {
  const service = config.services[name]!;
  const port = await freePort();
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', ...service.env, PORT: String(port) };
  for (const dep of service.dependsOn) {
    const key = dep.name.toUpperCase().replace(/-/g, '_');
    env[`${key}_URL`] = `http://127.0.0.1:${running.get(dep.name)!.port}`;
    env[`${key}_PORT`] = String(running.get(dep.name)!.port);
  }
  // The supervisor runs `command` through /bin/sh -c; here node is started directly so that SIGTERM
  // reaches the server itself, and with the Node running the tests.
  expect(service.command).toBe('node server.mjs');
  const child = spawn(process.execPath, ['server.mjs'], { cwd: service.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  running.set(name, { child, port, output: () => output });
  const health = service.health;
  await waitHealthy(port, health.kind === 'http' ? health.path : '/');
}

function stop(name: string): Promise<number | null> {
  const { child } = running.get(name)!;
  return new Promise((done) => {
    child.once('exit', (code) => done(code));
    child.kill('SIGTERM');
  });
}

describe('examples/shop', () => {
  it('serves a page with what web got from api, which got it from auth', async () => {
    for (const name of config.order) await start(name);
    const page = await fetch(`http://127.0.0.1:${running.get('web')!.port}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('Orders of ada');
    expect(html).toContain('teapot');
    expect(html).toContain('web 1.0.0 → api 1.4.0 → auth 2.3.1');

    expect(running.get('auth')!.output()).toMatch(/auth 2\.3\.1 listening on http:\/\/127\.0\.0\.1:\d+/);
    expect(running.get('auth')!.output()).toContain('GET /session');
    expect(running.get('api')!.output()).toContain('GET /orders');
    expect(running.get('web')!.output()).toContain('GET /');
  });

  it('stops each service with exit code 0 on SIGTERM, dependents first', async () => {
    for (const name of [...config.order].reverse()) expect(await stop(name)).toBe(0);
    expect(running.get('web')!.output()).toContain('web: SIGTERM, closing');
  });
});
