// Loading valid devmesh.yaml files: what the supervisor gets out of what the user wrote.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProjectConfigLoader } from '../../../main/core/config/project-config-loader.js';
import { DevMeshError } from '../../../shared/errors.js';

const loader = new ProjectConfigLoader();
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'devmesh-config-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const parse = (...lines: string[]) => loader.parse(lines.join('\n'), join(dir, 'devmesh.yaml'));

describe('the shop example', () => {
  it('loads, with auth before api before web', () => {
    const root = resolve(__dirname, '../../../examples/shop');
    const config = loader.load(join(root, 'devmesh.yaml'));
    expect(config.id).toBe('shop');
    expect(config.root).toBe(root);
    expect(config.order).toEqual(['auth', 'api', 'web']);
    expect(config.services.api!.dependsOn).toEqual([{ name: 'auth', range: '^2.1', onVersionMismatch: 'warn' }]);
    expect(config.services.web!.dependsOn).toEqual([{ name: 'api', range: '^1.2', onVersionMismatch: 'warn' }]);
    expect(config.services.auth!.cwd).toBe(join(root, 'auth'));
    for (const name of config.order) {
      expect(config.services[name]!.port).toBeNull();
      expect(config.services[name]!.health).toMatchObject({ kind: 'http', path: '/health', intervalMs: 5000 });
    }
  });

  it('is also found when given its folder', () => {
    expect(loader.load(resolve(__dirname, '../../../examples/shop')).id).toBe('shop');
  });
});

describe('defaults', () => {
  it('fills every optional key', () => {
    const config = parse('services:', '  api:', '    version: 1.0.0', '    command: node api.js');
    expect(config.services.api).toEqual({
      name: 'api',
      version: '1.0.0',
      command: 'node api.js',
      cwd: dir,
      env: {},
      port: null,
      health: { kind: 'none', graceMs: 500 },
      dependsOn: [],
      restart: {
        policy: 'on-failure',
        maxRestarts: 5,
        backoffInitialMs: 1000,
        backoffMaxMs: 30_000,
        resetAfterMs: 30_000,
      },
      autostart: true,
      startOnRequest: false,
      stopSignal: 'SIGTERM',
      stopTimeoutMs: 10_000,
      prefer: 'local',
      allowPeers: true,
      line: 2,
      protocol: 'http',
      tcpPort: null,
      database: null,
    });
    expect(config.configPath).toBe(join(dir, 'devmesh.yaml'));
  });

  it('fills health timings around the chosen check', () => {
    const config = parse('services:', '  db:', '    version: 1.0.0', '    command: x', '    health: { tcp: true }');
    expect(config.services.db!.health).toEqual({
      kind: 'tcp',
      intervalMs: 5000,
      timeoutMs: 2000,
      retries: 3,
      startTimeoutMs: 60_000,
    });
  });

  it('names the project after its folder when `project:` is omitted', () => {
    const root = join(dir, 'My Shop.v2');
    mkdirSync(root);
    writeFileSync(join(root, 'devmesh.yaml'), 'services:\n  a:\n    version: 1.0.0\n    command: x\n');
    expect(loader.load(join(root, 'devmesh.yaml')).id).toBe('my-shop-v2');
  });
});

describe('values', () => {
  it('reads durations with units and plain numbers as seconds', () => {
    const config = parse(
      'services:',
      '  api:',
      '    version: 1.0.0',
      '    command: x',
      '    stop_timeout: 1m30s',
      '    health: { exec: "pg_isready", interval: 250ms, timeout: 1.5, retries: 5, start_timeout: 2m }',
      '    restart: { policy: always, max_restarts: 0, backoff: 500ms, max_backoff: 1h, reset_after: 45 }',
    );
    const api = config.services.api!;
    expect(api.stopTimeoutMs).toBe(90_000);
    expect(api.health).toEqual({
      kind: 'exec',
      command: 'pg_isready',
      intervalMs: 250,
      timeoutMs: 1500,
      retries: 5,
      startTimeoutMs: 120_000,
    });
    expect(api.restart).toEqual({
      policy: 'always',
      maxRestarts: 0,
      backoffInitialMs: 500,
      backoffMaxMs: 3_600_000,
      resetAfterMs: 45_000,
    });
  });

  it('accepts restart as a bare policy, with `no` and `false` meaning never', () => {
    const config = parse(
      'services:',
      '  a: { version: 1.0.0, command: x, restart: no }',
      '  b: { version: 1.0.0, command: x, restart: false }',
      '  c: { version: 1.0.0, command: x, restart: always }',
    );
    expect(config.services.a!.restart.policy).toBe('no');
    expect(config.services.b!.restart.policy).toBe('no');
    expect(config.services.c!.restart).toMatchObject({ policy: 'always', maxRestarts: 5 });
  });

  it('turns env values into the strings that were written', () => {
    const config = parse(
      'services:',
      '  api:',
      '    version: 1.0.0',
      '    command: x',
      '    env: { LOG_LEVEL: debug, RATIO: 1.50, WORKERS: 4, VERBOSE: true, HEX: 0x1F }',
    );
    expect(config.services.api!.env).toEqual({
      LOG_LEVEL: 'debug',
      RATIO: '1.50',
      WORKERS: '4',
      VERBOSE: 'true',
      HEX: '0x1F',
    });
  });

  it('resolves cwd against the project folder and keeps fixed ports', () => {
    mkdirSync(join(dir, 'svc'));
    const config = parse(
      'services:',
      '  api: { version: 1.0.0, command: x, cwd: ./svc, port: 8080, autostart: false, stop_signal: SIGINT }',
    );
    expect(config.services.api).toMatchObject({
      cwd: join(dir, 'svc'),
      port: 8080,
      autostart: false,
      stopSignal: 'SIGINT',
    });
  });

  it('normalizes a leading v in versions', () => {
    expect(parse('services:', '  api: { version: v1.2.3, command: x }').services.api!.version).toBe('1.2.3');
  });
});

describe('dependencies', () => {
  it('accepts a list of names (any version) and a map of ranges', () => {
    const config = parse(
      'services:',
      '  web: { version: 1.0.0, command: x, depends_on: [api, cache] }',
      '  api: { version: 1.4.0, command: x, depends_on: { auth: "^2.1", cache: null, db: "*" } }',
      '  auth: { version: 2.3.1, command: x }',
      '  cache: { version: 7.0.0, command: x }',
      '  db: { version: 16.2.0, command: x }',
    );
    expect(config.services.web!.dependsOn).toEqual([
      { name: 'api', range: null, onVersionMismatch: 'warn' },
      { name: 'cache', range: null, onVersionMismatch: 'warn' },
    ]);
    expect(config.services.api!.dependsOn).toEqual([
      { name: 'auth', range: '^2.1', onVersionMismatch: 'warn' },
      { name: 'cache', range: null, onVersionMismatch: 'warn' },
      { name: 'db', range: null, onVersionMismatch: 'warn' },
    ]);
  });

  it('keeps an unquoted range as written (1.10 stays 1.10)', () => {
    const config = parse(
      'services:',
      '  a: { version: 1.10.2, command: x, depends_on: { b: 1.10 } }',
      '  b: { version: 1.10.0, command: x }',
    );
    expect(config.services.a!.dependsOn).toEqual([{ name: 'b', range: '1.10', onVersionMismatch: 'warn' }]);
  });

  it('orders every service after what it depends on, else in file order', () => {
    const config = parse(
      'services:',
      '  web: { version: 1.0.0, command: x, depends_on: [api] }',
      '  worker: { version: 1.0.0, command: x, depends_on: [queue] }',
      '  api: { version: 1.0.0, command: x, depends_on: [db, queue] }',
      '  queue: { version: 1.0.0, command: x }',
      '  db: { version: 1.0.0, command: x }',
      '  docs: { version: 1.0.0, command: x }',
    );
    expect(config.order).toEqual(['queue', 'worker', 'db', 'api', 'web', 'docs']);
    expect(Object.keys(config.services)).toEqual(['web', 'worker', 'api', 'queue', 'db', 'docs']);
  });

  it('lets a prerelease satisfy a range while it is being worked on', () => {
    const config = parse(
      'services:',
      '  a: { version: 1.0.0, command: x, depends_on: { b: ^2.1 } }',
      '  b: { version: 2.4.0-beta.1, command: x }',
    );
    expect(config.order).toEqual(['b', 'a']);
  });
});

describe('YAML conveniences', () => {
  it('ignores top-level x- keys and merges anchors into services', () => {
    const config = parse(
      'x-node: &node',
      '  command: node server.js',
      '  restart: always',
      'services:',
      '  api:',
      '    <<: *node',
      '    version: 1.0.0',
    );
    expect(config.services.api).toMatchObject({ command: 'node server.js', restart: { policy: 'always' }, line: 5 });
  });
});

describe('a missing file', () => {
  it('is CONFIG_NOT_FOUND, saying where and how to fix it', () => {
    const path = join(dir, 'devmesh.yaml');
    const err = (() => {
      try {
        loader.load(path);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(DevMeshError);
    expect((err as DevMeshError).code).toBe('CONFIG_NOT_FOUND');
    expect((err as DevMeshError).message).toBe(
      `no devmesh.yaml at ${path}: create one (see README, "The project file") or pass --project DIR`,
    );
  });
});
