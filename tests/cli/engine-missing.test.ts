// A machine where the database engines were never installed, through the real CLI and a real daemon (`up`
// with a PATH and DEVMESH_ENGINE_LOCATIONS that hold no engine): the database services have no version (never a
// made-up 0.0.0); `devmesh status` and `devmesh db status` say the engine is missing, where DevMesh looked, and
// the commands that install it; `--json` carries the same as ServiceInfo.engineMissing / DatabaseInfo.
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseInfo } from '../../shared/database.js';
import type { ServiceInfo } from '../../shared/service.js';
import { tempDir, waitFor } from '../api/test-project.js';
import { scaled } from '../helpers/load-scale.js';
import { CliHarness, ensureCliBuilt, type RunningCli } from './cli-harness.js';

const tmp = tempDir('devmesh-cli-noengine-');
const projectDir = join(tmp.dir, 'shop');
const empty = join(tmp.dir, 'no-engines');
// git only (`devmesh status` asks the daemon for the project's git status)
const tools = join(tmp.dir, 'tools');
const cli = new CliHarness(join(tmp.dir, 'home'), tmp.dir, {
  PATH: tools,
  DEVMESH_ENGINE_LOCATIONS: empty,
  DEVMESH_PROXY_HTTP_PORT: '0',
  DEVMESH_PROXY_HTTPS_PORT: '0',
});
let daemon: RunningCli | undefined;

beforeAll(async () => {
  ensureCliBuilt();
  mkdirSync(projectDir);
  mkdirSync(empty);
  mkdirSync(tools);
  symlinkSync(execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim(), join(tools, 'git'));
  writeFileSync(
    join(projectDir, 'devmesh.yaml'),
    [
      'project: shop',
      'services:',
      '  cache:',
      '    database: { engine: redis }',
      '  store:',
      '    database: { engine: postgres }',
      '    autostart: false',
      '',
    ].join('\n'),
  );
  ({ daemon } = await cli.up(['--project', projectDir]));
  await waitFor(
    'the cache to fail its start',
    async () =>
      (await cli.json<{ services: ServiceInfo[] }>(['status'])).services.find((s) => s.name === 'cache')?.state ===
      'crashed',
    scaled(60_000),
  );
}, scaled(120_000));

afterAll(async () => {
  await daemon?.stop('SIGTERM', scaled(30_000));
  tmp.dispose();
});

describe('database engines that are not installed', () => {
  it('status: no version, what is missing, where DevMesh looked, and how to install it', async () => {
    const text = await cli.run(['status']);
    expect(text.code).toBe(0);
    expect(text.stdout).not.toContain('0.0.0');
    expect(text.stdout).toMatch(/^cache\s+no redis-server\s+crashed/m);
    expect(text.stdout).toMatch(/^store\s+no postgres\s+stopped/m);
    // a stopped service (never started) says it too, not only the crashed one
    expect(text.stdout).toContain(
      `store cannot start: shop/store: postgres is not installed on this machine: DevMesh looked on PATH (${tools}) ` +
        `and in ${empty}; install it: Debian/Ubuntu: \`sudo apt install postgresql\`; macOS: \`brew install postgresql@16\``,
    );
    expect(text.stdout).toContain('cache cannot start: shop/cache: redis-server is not installed');

    const { services } = await cli.json<{ services: ServiceInfo[] }>(['status']);
    const store = services.find((s) => s.name === 'store')!;
    expect(store.version).toBeNull();
    expect(store.engineMissing).toMatchObject({
      engine: 'postgres',
      program: 'postgres',
      lookedIn: [tools, empty],
      debianPackage: 'postgresql',
      brewFormula: 'postgresql@16',
    });
  });

  it('db status: the engine marked not installed, the message under the table, and the same in --json', async () => {
    const text = await cli.run(['db', 'status']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^cache\s+redis \(not installed\)\s+crashed/m);
    expect(text.stdout).toContain('`sudo apt install redis-server`');
    expect(text.stdout).toContain('`brew install redis`');
    const list = await cli.json<DatabaseInfo[]>(['db', 'status']);
    expect(list.find((d) => d.service === 'cache')).toMatchObject({
      engineVersion: null,
      engineMissing: {
        program: 'redis-server',
        debianPackage: 'redis-server',
        brewFormula: 'redis',
        lookedIn: [tools, empty],
      },
    });
  });

  it('starting it says the same, and the daemon keeps answering', async () => {
    const r = await cli.run(['start', 'store']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('shop/store: postgres is not installed on this machine');
    expect(r.stderr).toContain('`sudo apt install postgresql`');
    expect((await cli.run(['status'])).code).toBe(0);
  });
});
