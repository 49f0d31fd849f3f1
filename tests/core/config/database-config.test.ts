// The `database:` block of devmesh.yaml: the services it adds or makes, their defaults, and the mistakes a
// user makes in it, each reported with its line.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProjectConfigLoader } from '../../../main/core/config/project-config-loader.js';
import type { ProjectConfig } from '../../../main/core/config/project-config.js';
import type { DevMeshError } from '../../../shared/errors.js';

// The engines "found on this machine", as the databases domain would answer.
const loader = new ProjectConfigLoader({
  engineVersion: (engine) => ({ postgres: '15.4.0', redis: '7.0.15', sqlite: '3.45.0' })[engine],
});
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'devmesh-dbconfig-'));
  writeFileSync(join(dir, 'seed.sql'), 'create table t (id int);');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function load(...lines: string[]): ProjectConfig {
  return loader.parse(['project: shop', 'services:', ...lines].join('\n'), join(dir, 'devmesh.yaml'));
}

function problems(...lines: string[]): string[] {
  try {
    load(...lines);
  } catch (err) {
    expect((err as DevMeshError).code).toBe('CONFIG_INVALID');
    return (err as Error).message.split('\n').slice(1);
  }
  throw new Error('expected the file to be rejected');
}

describe('a database block on a service with a command', () => {
  it('adds <owner>-db, a tcp service the owner depends on, started first', () => {
    const config = load(
      '  api:',
      '    version: 1.2.0',
      '    command: node api.js',
      '    database: { engine: postgres, version: ">=14", seed: seed.sql }',
    );
    expect(config.order).toEqual(['api-db', 'api']);
    const db = config.services['api-db']!;
    expect(db).toMatchObject({
      name: 'api-db',
      version: '15.4.0',
      protocol: 'tcp',
      stopSignal: 'SIGINT',
      stopTimeoutMs: 30_000,
      port: null,
      dependsOn: [],
      database: {
        engine: 'postgres',
        range: '>=14',
        name: 'shop',
        seed: { kind: 'file', path: join(dir, 'seed.sql') },
        owner: 'api',
      },
    });
    const api = config.services.api!;
    expect(api.database).toBeNull();
    expect(api.protocol).toBe('http');
    expect(api.dependsOn.map((d) => d.name)).toEqual(['api-db']);
  });

  it('names the database, seeds from a snapshot, and stops redis with SIGTERM', () => {
    const config = load(
      '  worker:',
      '    version: 1.0.0',
      '    command: node worker.js',
      '    database: { engine: redis, name: jobs, seed: "snapshot:nightly-1" }',
    );
    expect(config.services['worker-db']).toMatchObject({
      version: '7.0.15',
      stopSignal: 'SIGTERM',
      database: { engine: 'redis', name: 'jobs', seed: { kind: 'snapshot', name: 'nightly-1' }, owner: 'worker' },
    });
  });

  it('refuses a declared service that has the name it would add, naming both', () => {
    expect(
      problems(
        '  api:',
        '    version: 1.0.0',
        '    command: node api.js',
        '    database: { engine: postgres }',
        '  api-db:',
        '    version: 1.0.0',
        '    command: node other.js',
      ),
    ).toEqual([
      "devmesh.yaml:6: services.api.database: this block adds a service 'api-db' for api's database, but a service " +
        "'api-db' is already declared (line 7): rename that service, or give api no database block",
    ]);
  });
});

describe('a database-only service (no command)', () => {
  it('is the database itself, versioned by the engine found unless it says otherwise', () => {
    const config = load(
      '  api:',
      '    version: 1.0.0',
      '    command: node api.js',
      '    depends_on: [cache, store]',
      '  cache:',
      '    database: { engine: redis }',
      '  store:',
      '    version: 2.0.0',
      '    stop_timeout: 5s',
      '    database: { engine: postgres }',
    );
    expect(config.order.indexOf('cache')).toBeLessThan(config.order.indexOf('api'));
    expect(config.services.cache).toMatchObject({
      version: '7.0.15',
      command: '',
      protocol: 'tcp',
      stopTimeoutMs: 30_000,
      database: { engine: 'redis', owner: null, name: 'shop' },
    });
    expect(config.services.store).toMatchObject({ version: '2.0.0', stopTimeoutMs: 5000, stopSignal: 'SIGINT' });
  });

  it('has no version when the engine is not installed, and no made-up one for dependents to miss', () => {
    const none = new ProjectConfigLoader({ engineVersion: () => null });
    const yaml = [
      'services:',
      '  cache:',
      '    database: { engine: redis }',
      '  api:',
      '    version: 1.0.0',
      '    command: node api.js',
      '    depends_on: { cache: ">=7" }',
      '',
    ].join('\n');
    const config = none.parse(yaml, join(dir, 'devmesh.yaml'));
    expect(config.services.cache!.version).toBeNull();
    // not "needs cache >=7, but cache is version 0.0.0": the engine's absence is said where it is (its start)
    expect(config.warnings).toEqual([]);
  });

  it('still needs a command and version when it has no database block', () => {
    expect(problems('  api:', '    port: 4000')).toEqual([
      'devmesh.yaml:3: services.api.version: required: a semver version like 1.2.3',
      'devmesh.yaml:3: services.api.command: required: a command to run',
    ]);
  });
});

describe('sqlite', () => {
  it('adds no service: the owner itself carries the database', () => {
    const config = load('  api:', '    version: 1.0.0', '    command: node api.js', '    database: { engine: sqlite }');
    expect(config.order).toEqual(['api']);
    expect(config.services.api!.database).toEqual({
      engine: 'sqlite',
      range: null,
      name: 'shop',
      seed: null,
      owner: 'api',
    });
  });

  it('refuses a database-only sqlite service, saying why', () => {
    expect(problems('  files:', '    database: { engine: sqlite }')).toEqual([
      "devmesh.yaml:4: services.files.database: a sqlite database runs inside its owner's process and has no " +
        "service of its own: give 'files' a command, or move this block to the service that uses the database",
    ]);
  });
});

describe('mistakes in the block', () => {
  it('are reported each at its line, with did-you-mean for unknown keys', () => {
    expect(
      problems(
        '  api:',
        '    version: 1.0.0',
        '    command: node api.js',
        '    database:',
        '      engin: postgres',
        '      seed: missing.sql',
        '  web:',
        '    version: 1.0.0',
        '    command: node web.js',
        '    database:',
        '      engine: mysql',
        '      version: "not a range"',
        '      name: "my db"',
      ),
    ).toEqual([
      "devmesh.yaml:6: services.api.database.engine: required: 'postgres', 'redis' or 'sqlite'",
      "devmesh.yaml:7: services.api.database.engin: unknown key; did you mean 'engine'?",
      `devmesh.yaml:13: services.web.database.engine: expected 'postgres', 'redis' or 'sqlite', got "mysql"`,
      'devmesh.yaml:14: services.web.database.version: expected a semver range like "^16" or ">=15", got "not a range"',
      'devmesh.yaml:15: services.web.database.name: expected a database name: letters, digits, "_" and "-", at ' +
        'most 63, starting with a letter or "_", got "my db"',
    ]);
  });

  it('a seed file that does not exist, or a bad snapshot name', () => {
    expect(
      problems(
        '  api:',
        '    version: 1.0.0',
        '    command: node api.js',
        '    database: { engine: postgres, seed: data/missing.sql }',
        '  web:',
        '    version: 1.0.0',
        '    command: node web.js',
        '    database: { engine: redis, seed: "snapshot:../etc" }',
      ),
    ).toEqual([
      `devmesh.yaml:6: services.api.database.seed: no seed file at ${join(dir, 'data/missing.sql')}: create it, ` +
        'fix the path (relative to devmesh.yaml), or remove seed',
      'devmesh.yaml:10: services.web.database.seed: expected snapshot:<name>, a name of letters, digits, ".", "_" ' +
        'and "-", got "snapshot:../etc"',
    ]);
  });
});
