// `protocol: tcp` and `tcp_port:` in devmesh.yaml: what a TCP service may declare, and the clear message for
// each way to get it wrong (a stable port without protocol tcp, one port claimed twice).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProjectConfigLoader } from '../../../main/core/config/project-config-loader.js';
import { DevMeshError } from '../../../shared/errors.js';

const loader = new ProjectConfigLoader();
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'devmesh-tcp-config-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function load(...lines: string[]) {
  return loader.parse(lines.join('\n'), join(dir, 'devmesh.yaml'));
}

function problems(...lines: string[]): string[] {
  try {
    load(...lines);
  } catch (err) {
    expect(err).toBeInstanceOf(DevMeshError);
    expect((err as DevMeshError).code).toBe('CONFIG_INVALID');
    return (err as DevMeshError).message.split('\n').slice(1);
  }
  throw new Error('expected the file to be rejected');
}

describe('protocol and tcp_port', () => {
  it('reads a TCP service with a fixed stable port, and defaults the rest to http', () => {
    const config = load(
      'services:',
      '  db:',
      '    version: 15.0.0',
      '    command: postgres -p $PORT',
      '    protocol: tcp',
      '    tcp_port: 15432',
      '  cache: { version: 7.0.0, command: redis-server, protocol: tcp }',
      '  api: { version: 1.0.0, command: node api.js, depends_on: [db, cache] }',
    );
    expect(config.services.db).toMatchObject({ protocol: 'tcp', tcpPort: 15432, port: null });
    expect(config.services.cache).toMatchObject({ protocol: 'tcp', tcpPort: null });
    expect(config.services.api).toMatchObject({ protocol: 'http', tcpPort: null });
  });

  it('allows an HTTP health check on a TCP service', () => {
    const config = load(
      'services:',
      '  grpc: { version: 1.0.0, command: x, protocol: tcp, port: 9000, health: { http: /healthz } }',
    );
    expect(config.services.grpc!.health).toMatchObject({ kind: 'http', path: '/healthz' });
  });

  it('rejects an unknown protocol', () => {
    expect(problems('services:', '  db: { version: 1.0.0, command: x, protocol: udp }')).toEqual([
      `devmesh.yaml:2: services.db.protocol: expected 'http' or 'tcp', got "udp"`,
    ]);
  });

  it('rejects tcp_port on a service that is not protocol tcp', () => {
    expect(problems('services:', '  api:', '    version: 1.0.0', '    command: x', '    tcp_port: 15000')).toEqual([
      'devmesh.yaml:5: services.api.tcp_port: tcp_port is the stable address of a TCP service: add protocol: tcp, ' +
        'or remove tcp_port',
    ]);
  });

  it("rejects tcp_port equal to the service's own port", () => {
    const lines = problems(
      'services:',
      '  db:',
      '    version: 1.0.0',
      '    command: x',
      '    protocol: tcp',
      '    port: 15432',
      '    tcp_port: 15432',
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^devmesh\.yaml:7: services\.db\.tcp_port: tcp_port 15432 is also the service's own port/);
  });

  it('rejects two services with the same tcp_port, and a tcp_port that is another service port', () => {
    expect(
      problems(
        'services:',
        '  db: { version: 1.0.0, command: x, protocol: tcp, tcp_port: 15432 }',
        '  replica: { version: 1.0.0, command: x, protocol: tcp, tcp_port: 15432 }',
        '  api: { version: 1.0.0, command: x, port: 16379 }',
        '  cache: { version: 1.0.0, command: x, protocol: tcp, tcp_port: 16379 }',
      ),
    ).toEqual([
      "devmesh.yaml:3: services.replica.tcp_port: tcp_port 15432 is already used by service 'db' as its tcp_port " +
        '(line 2)',
      "devmesh.yaml:5: services.cache.tcp_port: tcp_port 16379 is already used by service 'api' (line 4)",
    ]);
  });
});
