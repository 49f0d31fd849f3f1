// `devmesh routes` with a TCP service, end to end: the real CLI and daemon, a project with an HTTP service and
// a TCP echo service. The text output gains a TCP section (address → who serves it), `--tcp` shows only it,
// `--tcp --json` prints proxy.tcp, and plain `--json` keeps the HTTP routes' shape.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteInfo, TcpRoute } from '../../shared/proxy.js';
import type { ServiceInfo } from '../../shared/service.js';
import { NODE, tempDir, waitFor, writeProject } from '../api/test-project.js';
import { CliHarness, ensureCliBuilt, type RunningCli } from './cli-harness.js';
import { scaled } from '../helpers/load-scale.js';
import { ECHO_JS } from '../core/proxy/tcp/tcp-harness.js';

const tmp = tempDir('devmesh-cli-tcp-');
const projectDir = join(tmp.dir, 'tcpcli');
const cli = new CliHarness(join(tmp.dir, 'home'), tmp.dir);
let daemon: RunningCli | undefined;

beforeAll(async () => {
  ensureCliBuilt();
  mkdirSync(projectDir);
  writeProject(projectDir, 'tcpcli', { api: {} });
  writeFileSync(join(projectDir, 'echo.js'), ECHO_JS);
  const yaml = [
    '  echo:',
    '    version: 1.0.0',
    `    command: "'${NODE}' echo.js"`,
    '    protocol: tcp',
    '    health: { tcp: true, interval: 100ms, start_timeout: 20s }',
  ].join('\n');
  appendFileSync(join(projectDir, 'devmesh.yaml'), `\n${yaml}\n`);
  process.env.DEVMESH_PROXY_HTTP_PORT = '0';
  process.env.DEVMESH_PROXY_HTTPS_PORT = '0';
  ({ daemon } = await cli.up(['--project', projectDir]));
  await waitFor(
    'api and echo to be healthy',
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

describe('devmesh routes with a TCP service', () => {
  it('shows a TCP section, --tcp alone, and keeps the JSON of the HTTP routes', async () => {
    const tcp = await cli.json<TcpRoute[]>(['routes', '--tcp']);
    expect(tcp).toHaveLength(1);
    expect(tcp[0]).toMatchObject({ project: 'tcpcli', service: 'echo', state: 'healthy', problem: null });
    const address = tcp[0]!.address!;
    expect(address).toMatch(/^127\.0\.0\.1:\d+$/);

    const text = await cli.run(['routes']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^TCP$/m);
    expect(text.stdout).toMatch(/^ADDRESS\s+SERVED BY\s+STATE\s+CONNS\s+FAILED\s+IN\s+OUT\s+SERVICE$/m);
    expect(text.stdout).toMatch(
      new RegExp(`^${address.replace(/\./g, '\\.')}\\s+\\S+/echo@1\\.0\\.0\\s+healthy\\s`, 'm'),
    );

    const only = await cli.run(['routes', '--tcp']);
    expect(only.stdout).not.toMatch(/^HOST\s+TARGET/m);
    expect(only.stdout).toContain(address);

    // the HTTP routes' JSON is what it was: RouteInfo objects only
    const http = await cli.json<RouteInfo[]>(['routes']);
    expect(http.every((r) => Array.isArray(r.hosts))).toBe(true);
  });
});
