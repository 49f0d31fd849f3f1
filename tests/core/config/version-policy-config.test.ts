// The mesh keys of devmesh.yaml: `on_version_mismatch` (project-wide and per dependency), and a service's
// `prefer` and `allow_peers`; what they normalize to, and how their mistakes are reported.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KNOWN_KEYS } from '../../../main/core/config/config-schema.js';
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

function problems(...lines: string[]): string[] {
  try {
    parse(...lines);
  } catch (err) {
    expect(err).toBeInstanceOf(DevMeshError);
    expect((err as DevMeshError).code).toBe('CONFIG_INVALID');
    return (err as DevMeshError).message.split('\n').slice(1);
  }
  throw new Error('expected the file to be rejected');
}

describe('on_version_mismatch', () => {
  it('defaults to warn, for the project and every dependency', () => {
    const config = parse(
      'services:',
      '  auth: { version: 2.0.0, command: x }',
      '  api: { version: 1.0.0, command: x, depends_on: { auth: ^2 } }',
    );
    expect(config.onVersionMismatch).toBe('warn');
    expect(config.services.api!.dependsOn).toEqual([{ name: 'auth', range: '^2', onVersionMismatch: 'warn' }]);
  });

  it('applies the project-level policy to dependencies that do not set their own', () => {
    const config = parse(
      'on_version_mismatch: refuse',
      'services:',
      '  auth: { version: 2.0.0, command: x }',
      '  db: { version: 16.0.0, command: x }',
      '  api:',
      '    version: 1.0.0',
      '    command: x',
      '    depends_on:',
      '      auth: ^2',
      '      db: { version: ">=15", on_version_mismatch: warn }',
      '  web: { version: 1.0.0, command: x, depends_on: [api] }',
    );
    expect(config.onVersionMismatch).toBe('refuse');
    expect(config.services.api!.dependsOn).toEqual([
      { name: 'auth', range: '^2', onVersionMismatch: 'refuse' },
      { name: 'db', range: '>=15', onVersionMismatch: 'warn' },
    ]);
    expect(config.services.web!.dependsOn).toEqual([{ name: 'api', range: null, onVersionMismatch: 'refuse' }]);
  });

  it('accepts the object form with any version, and keeps an unquoted version as written', () => {
    const config = parse(
      'services:',
      '  auth: { version: 2.0.0, command: x }',
      '  db: { version: 1.10.0, command: x }',
      '  api:',
      '    version: 1.0.0',
      '    command: x',
      '    depends_on:',
      '      auth: { version: "*", on_version_mismatch: refuse }',
      '      db: { version: 1.10 }',
    );
    expect(config.services.api!.dependsOn).toEqual([
      { name: 'auth', range: null, onVersionMismatch: 'refuse' },
      { name: 'db', range: '1.10', onVersionMismatch: 'warn' },
    ]);
  });

  it('says in the load warning when a local mismatch will be refused', () => {
    const config = parse(
      'services:',
      '  auth: { version: 1.9.0, command: x }',
      '  api:',
      '    version: 1.0.0',
      '    command: x',
      '    depends_on:',
      '      auth: { version: ^2.1, on_version_mismatch: refuse }',
    );
    expect(config.warnings).toEqual([
      'devmesh.yaml:7: services.api.depends_on.auth: needs auth ^2.1, but auth is version 1.9.0 (line 2); with on_version_mismatch: refuse, requests to it fail unless a teammate runs a version in range',
    ]);
  });

  it('reports bad values, unknown keys and a missing version with their lines', () => {
    expect(
      problems(
        'on_version_mismatch: block',
        'services:',
        '  auth: { version: 2.0.0, command: x }',
        '  db: { version: 1.0.0, command: x }',
        '  cache: { version: 1.0.0, command: x }',
        '  queue: { version: 1.0.0, command: x }',
        '  api:',
        '    version: 1.0.0',
        '    command: x',
        '    depends_on:',
        '      auth:',
        '        version: ^2',
        '        on_version_missmatch: refuse',
        '      db: { version: "^^1", on_version_mismatch: never }',
        '      cache: { on_version_mismatch: refuse }',
        '      queue: [1, 2]',
      ),
    ).toEqual([
      "devmesh.yaml:1: on_version_mismatch: expected 'warn' or 'refuse', got \"block\"",
      "devmesh.yaml:13: services.api.depends_on.auth.on_version_missmatch: unknown key; did you mean 'on_version_mismatch'?",
      'devmesh.yaml:14: services.api.depends_on.db.version: expected a semver range like "^2.1" or ">=1.4 <2", got "^^1"',
      "devmesh.yaml:14: services.api.depends_on.db.on_version_mismatch: expected 'warn' or 'refuse', got \"never\"",
      'devmesh.yaml:15: services.api.depends_on.cache.version: required: a semver range like "^2.1", or nothing for any version',
      'devmesh.yaml:16: services.api.depends_on.queue: expected a version range like "^2.1", nothing for any version, or a map with version and on_version_mismatch, got a list',
    ]);
  });

  it('suggests dependency keys even for a dependency named like a service key', () => {
    expect(
      problems(
        'services:',
        '  health: { version: 1.0.0, command: x }',
        '  api:',
        '    version: 1.0.0',
        '    command: x',
        '    depends_on:',
        '      health: { versoin: ^1 }',
      ),
    ).toEqual([
      'devmesh.yaml:7: services.api.depends_on.health.version: required: a semver range like "^2.1", or nothing for any version',
      "devmesh.yaml:7: services.api.depends_on.health.versoin: unknown key; did you mean 'version'?",
    ]);
  });
});

describe('prefer and allow_peers', () => {
  it('default to local and true', () => {
    const api = parse('services:', '  api: { version: 1.0.0, command: x }').services.api!;
    expect(api).toMatchObject({ prefer: 'local', allowPeers: true });
  });

  it('accept local, peer or a teammate name, and allow_peers false', () => {
    const config = parse(
      'services:',
      '  a: { version: 1.0.0, command: x, prefer: peer }',
      '  b: { version: 1.0.0, command: x, prefer: " alice " }',
      '  c: { version: 1.0.0, command: x, prefer: local, allow_peers: false }',
      '  d: { version: 1.0.0, command: x, allow_peers: false }',
    );
    expect(config.services.a).toMatchObject({ prefer: 'peer', allowPeers: true });
    expect(config.services.b).toMatchObject({ prefer: 'alice', allowPeers: true });
    expect(config.services.c).toMatchObject({ prefer: 'local', allowPeers: false });
    expect(config.services.d).toMatchObject({ prefer: 'local', allowPeers: false });
  });

  it('report bad values, typos, and preferring teammates while refusing them', () => {
    expect(
      problems(
        'services:',
        '  a: { version: 1.0.0, command: x, prefer: "" }',
        '  b: { version: 1.0.0, command: x, prefer: [alice], allow_peers: no }',
        '  c: { version: 1.0.0, command: x, prefers: peer, allowPeers: true }',
        '  d: { version: 1.0.0, command: x, prefer: peer, allow_peers: false }',
        '  e: { version: 1.0.0, command: x, prefer: bob, allow_peers: false }',
        `  f: { version: 1.0.0, command: x, prefer: ${'x'.repeat(65)} }`,
      ),
    ).toEqual([
      "devmesh.yaml:2: services.a.prefer: expected 'local', 'peer' or a teammate's agent name, got \"\"",
      "devmesh.yaml:3: services.b.prefer: expected 'local', 'peer' or a teammate's agent name, got a list",
      'devmesh.yaml:3: services.b.allow_peers: expected true or false, got "no"',
      "devmesh.yaml:4: services.c.prefers: unknown key; did you mean 'prefer'?",
      "devmesh.yaml:4: services.c.allowPeers: unknown key; did you mean 'allow_peers'?",
      'devmesh.yaml:5: services.d.prefer: prefer: peer routes to teammates, but allow_peers is false; remove one of the two',
      'devmesh.yaml:6: services.e.prefer: prefer: bob routes to teammates, but allow_peers is false; remove one of the two',
      `devmesh.yaml:7: services.f.prefer: expected 'local', 'peer' or a teammate's agent name (at most 64 characters), got "${'x'.repeat(57)}..."`,
    ]);
  });

  it('are among the keys did-you-mean knows', () => {
    expect(KNOWN_KEYS.service).toEqual(expect.arrayContaining(['prefer', 'allow_peers']));
    expect(KNOWN_KEYS.project).toContain('on_version_mismatch');
    expect(KNOWN_KEYS.dependency).toEqual(['version', 'on_version_mismatch']);
    expect(problems('on_version_mismatsh: warn', 'services:', '  a: { version: 1.0.0, command: x }')).toEqual([
      "devmesh.yaml:1: on_version_mismatsh: unknown key; did you mean 'on_version_mismatch'?",
    ]);
  });
});
