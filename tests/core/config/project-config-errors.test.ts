// Invalid devmesh.yaml files: every problem is reported at once, each with the line to fix and, where the
// user probably made a typo, what they meant.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProjectConfigLoader } from '../../../main/core/config/project-config-loader.js';
import type { ConfigIssue } from '../../../main/core/config/project-config.js';
import { DevMeshError } from '../../../shared/errors.js';

const loader = new ProjectConfigLoader();
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'devmesh-config-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function failure(lines: string[]): DevMeshError {
  try {
    loader.parse(lines.join('\n'), join(dir, 'devmesh.yaml'));
  } catch (err) {
    expect(err).toBeInstanceOf(DevMeshError);
    return err as DevMeshError;
  }
  throw new Error('expected the file to be rejected');
}

/** The problem lines of the error message, as the user reads them. */
function problems(...lines: string[]): string[] {
  const err = failure(lines);
  expect(err.code).toBe('CONFIG_INVALID');
  return err.message.split('\n').slice(1);
}

describe('the error', () => {
  it('says how many problems, where the file is, and carries them as issues', () => {
    const err = failure(['services:', '  api:', '    version: 1.0', '    command: node api.js', '    port: 80a']);
    const path = join(dir, 'devmesh.yaml');
    expect(err.message).toBe(
      [
        `${path} has 2 problems:`,
        'devmesh.yaml:3: services.api.version: expected a semver version like 1.2.3, got "1.0" (did you mean "1.0.0"?)',
        'devmesh.yaml:5: services.api.port: expected a number 1-65535, got "80a"',
      ].join('\n'),
    );
    expect((err.details as { issues: ConfigIssue[] }).issues[1]).toEqual({
      file: 'devmesh.yaml',
      line: 5,
      path: 'services.api.port',
      message: 'expected a number 1-65535, got "80a"',
    });
  });

  it('says "1 problem" for one', () => {
    expect(failure(['services:', '  api: { version: 1.0.0, command: "" }']).message).toMatch(/has 1 problem:\n/);
  });
});

describe('unknown keys', () => {
  it('suggest the key that was meant, at any level', () => {
    expect(
      problems(
        'projet: shop',
        'services:',
        '  api:',
        '    version: 1.0.0',
        '    command: x',
        '    dependsOn: []',
        '    helth:',
        '      http: /health',
        '    restart:',
        '      max_restart: 3',
        '    health:',
        '      http: /health',
        '      intervall: 2s',
        '    colour: red',
      ),
    ).toEqual([
      "devmesh.yaml:1: projet: unknown key; did you mean 'project'?",
      "devmesh.yaml:6: services.api.dependsOn: unknown key; did you mean 'depends_on'?",
      "devmesh.yaml:7: services.api.helth: unknown key; did you mean 'health'?",
      "devmesh.yaml:10: services.api.restart.max_restart: unknown key; did you mean 'max_restarts'?",
      "devmesh.yaml:13: services.api.health.intervall: unknown key; did you mean 'interval'?",
      'devmesh.yaml:14: services.api.colour: unknown key; expected one of version, command, cwd, env, port, health, depends_on, restart, autostart, start_on_request, stop_signal, stop_timeout, prefer, allow_peers, protocol, tcp_port, database',
    ]);
  });
});

describe('wrong values', () => {
  it('say what was expected and what was found', () => {
    expect(
      problems(
        'project: My Shop',
        'services:',
        '  api:',
        '    version: [1]',
        '    command: x',
        '    port: 70000',
        '    autostart: yes',
        '    stop_signal: SIGSTOP',
        '    stop_timeout: 10 seconds',
        '    restart: sometimes',
        '    env: { 1BAD: x, OK: null }',
        '  Web!: { version: 1.0.0, command: x }',
      ),
    ).toEqual([
      "devmesh.yaml:1: project: expected a project id: lowercase letters, digits, '-' and '_', starting with a letter or digit, at most 63 characters, got \"My Shop\"",
      'devmesh.yaml:4: services.api.version: expected a semver version like 1.2.3, got a list',
      'devmesh.yaml:6: services.api.port: expected a number 1-65535, got 70000',
      'devmesh.yaml:7: services.api.autostart: expected true or false, got "yes"',
      'devmesh.yaml:8: services.api.stop_signal: expected one of SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGKILL, SIGUSR1, SIGUSR2, got "SIGSTOP"',
      'devmesh.yaml:9: services.api.stop_timeout: expected a duration like 500ms, 2s or 1m, got "10 seconds"',
      "devmesh.yaml:10: services.api.restart: expected 'no', 'on-failure' or 'always', got \"sometimes\"",
      'devmesh.yaml:11: services.api.env.1BAD: expected a variable name of letters, digits and _, not starting with a digit, got "1BAD"',
      'devmesh.yaml:11: services.api.env.OK: expected a string, number or boolean, got nothing',
      "devmesh.yaml:12: services.Web!: invalid service name \"Web!\": use lowercase letters, digits, '-' and '_', starting with a letter or digit, at most 63 characters",
    ]);
  });

  it('report missing required keys at the service', () => {
    expect(problems('services:', '  api:', '    cwd: .', '  web: {}')).toEqual([
      'devmesh.yaml:2: services.api.version: required: a semver version like 1.2.3',
      'devmesh.yaml:2: services.api.command: required: a command to run',
      'devmesh.yaml:4: services.web.version: required: a semver version like 1.2.3',
      'devmesh.yaml:4: services.web.command: required: a command to run',
    ]);
  });

  it('check health checks and restart settings', () => {
    expect(
      problems(
        'services:',
        '  a:',
        '    version: 1.0.0',
        '    command: x',
        '    health: { interval: 1s }',
        '  b:',
        '    version: 1.0.0',
        '    command: x',
        '    health:',
        '      http: /health',
        '      tcp: true',
        '  c:',
        '    version: 1.0.0',
        '    command: x',
        '    health: { http: health, retries: 0 }',
        '    restart: { policy: never, backoff: 5s, max_backoff: 1s }',
      ),
    ).toEqual([
      'devmesh.yaml:5: services.a.health: needs one check: http: /path, tcp: true or exec: "command"',
      'devmesh.yaml:11: services.b.health.tcp: only one of http, tcp and exec may be set; found http and tcp',
      'devmesh.yaml:15: services.c.health.http: expected a path like /health, got "health"',
      'devmesh.yaml:15: services.c.health.retries: expected a whole number 1-100, got 0',
      "devmesh.yaml:16: services.c.restart.policy: expected 'no', 'on-failure' or 'always', got \"never\"",
    ]);
  });

  it('reject a max_backoff shorter than backoff', () => {
    expect(
      problems(
        'services:',
        '  a:',
        '    version: 1.0.0',
        '    command: x',
        '    restart:',
        '      backoff: 5s',
        '      max_backoff: 1s',
      ),
    ).toEqual(['devmesh.yaml:7: services.a.restart.max_backoff: max_backoff (1s) is shorter than backoff (5s)']);
  });

  it('reject a file that is not a map of services', () => {
    expect(problems('services:')).toEqual([
      'devmesh.yaml:1: services: expected a map of service name to service, got nothing',
    ]);
    expect(problems('services: {}')).toEqual(['devmesh.yaml:1: services: no services: declare at least one']);
    expect(problems('')).toEqual(['devmesh.yaml:1: expected a map with project and services, got nothing']);
    expect(problems('- api')).toEqual(['devmesh.yaml:1: expected a map with project and services, got a list']);
  });
});

describe('versions and dependencies', () => {
  it('reject invalid semver versions and ranges', () => {
    expect(
      problems(
        'services:',
        '  a: { version: latest, command: x, depends_on: { b: "^^2" } }',
        '  b: { version: 2.0.0, command: x }',
      ),
    ).toEqual([
      'devmesh.yaml:2: services.a.version: expected a semver version like 1.2.3, got "latest"',
      'devmesh.yaml:2: services.a.depends_on.b: expected a semver range like "^2.1" or ">=1.4 <2", got "^^2"',
    ]);
  });

  it('reject unknown services, suggesting the one meant', () => {
    expect(
      problems(
        'services:',
        '  api: { version: 1.0.0, command: x }',
        '  web:',
        '    version: 1.0.0',
        '    command: x',
        '    depends_on:',
        '      - apii',
        '      - redis',
      ),
    ).toEqual([
      "devmesh.yaml:7: services.web.depends_on[0]: unknown service 'apii'; did you mean 'api'?",
      "devmesh.yaml:8: services.web.depends_on[1]: unknown service 'redis'",
    ]);
  });

  it('reject a service depending on itself, or on one name twice', () => {
    expect(
      problems('services:', '  api:', '    version: 1.0.0', '    command: x', '    depends_on: [api, api]'),
    ).toEqual([
      'devmesh.yaml:5: services.api.depends_on[0]: a service cannot depend on itself',
      "devmesh.yaml:5: services.api.depends_on[1]: 'api' is listed twice",
    ]);
  });

  it('warn (not refuse) when the version of a dependency is outside the range: the version policy decides at routing time', () => {
    expect(
      new ProjectConfigLoader().parse(
        [
          'services:',
          '  auth: { version: 1.9.0, command: x }',
          '  api:',
          '    version: 1.0.0',
          '    command: x',
          '    depends_on:',
          '      auth: ^2.1',
        ].join('\n'),
        '/tmp/devmesh.yaml',
      ).warnings,
    ).toEqual(['devmesh.yaml:7: services.api.depends_on.auth: needs auth ^2.1, but auth is version 1.9.0 (line 2)']);
  });

  it('name each dependency cycle, from its service declared first', () => {
    expect(
      problems(
        'services:',
        '  web:',
        '    version: 1.0.0',
        '    command: x',
        '    depends_on: [api]',
        '  api:',
        '    version: 1.0.0',
        '    command: x',
        '    depends_on: [auth]',
        '  auth:',
        '    version: 1.0.0',
        '    command: x',
        '    depends_on:',
        '      web: "*"',
        '  a: { version: 1.0.0, command: x, depends_on: [b] }',
        '  b: { version: 1.0.0, command: x, depends_on: [a] }',
      ),
    ).toEqual([
      'devmesh.yaml:5: services.web.depends_on[0]: dependency cycle: web → api → auth → web',
      'devmesh.yaml:15: services.a.depends_on[0]: dependency cycle: a → b → a',
    ]);
  });
});

describe('ports and folders', () => {
  it('reject two services on one fixed port', () => {
    expect(
      problems(
        'services:',
        '  api: { version: 1.0.0, command: x, port: 3000 }',
        '  web: { version: 1.0.0, command: x }',
        '  admin:',
        '    version: 1.0.0',
        '    command: x',
        '    port: 3000',
      ),
    ).toEqual(["devmesh.yaml:7: services.admin.port: port 3000 is already used by service 'api' (line 2)"]);
  });

  it('reject a cwd that is not an existing folder', () => {
    expect(problems('services:', '  api:', '    version: 1.0.0', '    command: x', '    cwd: ./nope')).toEqual([
      `devmesh.yaml:5: services.api.cwd: no directory at ${join(dir, 'nope')}`,
    ]);
  });
});

describe('several problems', () => {
  it('are all reported together, in line order', () => {
    const lines = problems(
      'services:',
      '  web:',
      '    version: 1.0.0',
      '    command: x',
      '    depends_on: { apii: ^1.0 }',
      '    port: 8080',
      '  api:',
      '    version: two',
      '    command: x',
      '    helth: { http: /health }',
      '  admin: { version: 1.0.0, command: x, port: 8080, cwd: ./missing }',
    );
    expect(lines).toEqual([
      "devmesh.yaml:5: services.web.depends_on.apii: unknown service 'apii'; did you mean 'api'?",
      'devmesh.yaml:8: services.api.version: expected a semver version like 1.2.3, got "two"',
      "devmesh.yaml:10: services.api.helth: unknown key; did you mean 'health'?",
      "devmesh.yaml:11: services.admin.port: port 8080 is already used by service 'web' (line 2)",
      `devmesh.yaml:11: services.admin.cwd: no directory at ${join(dir, 'missing')}`,
    ]);
  });
});

describe('YAML syntax errors', () => {
  it('carry the line they are on', () => {
    expect(problems('services:', '  api:', '    version: 1.0.0', '    command: x', '\tport: 3')).toEqual([
      'devmesh.yaml:5: Tabs are not allowed as indentation',
    ]);
  });

  it('point at the line where an unclosed quote or bracket was opened', () => {
    expect(problems('services:', '  api:', '    version: 1.0.0', '    command: "node api.js', '  web: {}')).toEqual([
      'devmesh.yaml:4: Missing closing "quote',
    ]);
    expect(
      problems('services:', '  api:', '    version: 1.0.0', '    depends_on: [auth, db', '    command: x'),
    ).toEqual(['devmesh.yaml:4: Flow sequence in block collection must be sufficiently indented and end with a ]']);
  });

  it('include an alias to an anchor never set', () => {
    expect(problems('services:', '  api:', '    version: 1.0.0', '    command: x', '    env: *common')).toEqual([
      'devmesh.yaml:5: Unresolved alias (the anchor must be set before the alias): common',
    ]);
  });

  it('include duplicate keys', () => {
    expect(
      problems('services:', '  api: { version: 1.0.0, command: x }', '  api: { version: 1.0.0, command: y }'),
    ).toEqual(['devmesh.yaml:3: Map keys must be unique']);
  });

  it('include bad indentation', () => {
    const lines = problems('services:', '  api:', '    version: 1.0.0', '   command: x');
    expect(lines[0]).toMatch(/^devmesh\.yaml:4: /);
  });
});

describe('files that cannot be used at all', () => {
  it('refuses one over the size limit', () => {
    const small = new ProjectConfigLoader({ maxBytes: 100 });
    expect(() => small.parse('#'.repeat(200), join(dir, 'devmesh.yaml'))).toThrow(
      /devmesh\.yaml: the file is over 100 bytes/,
    );
  });
});
