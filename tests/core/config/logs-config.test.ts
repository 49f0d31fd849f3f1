// The `logs:` block of devmesh.yaml: how much log a project keeps, by size and age; its defaults, units,
// and the mistakes it reports with their line.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProjectConfigLoader } from '../../../main/core/config/project-config-loader.js';
import type { DevMeshError } from '../../../shared/errors.js';

const loader = new ProjectConfigLoader();
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'devmesh-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const parse = (...lines: string[]) =>
  loader.parse([...lines, 'services:', '  api: { version: 1.0.0, command: x }'].join('\n'), join(dir, 'devmesh.yaml'));

function problems(...lines: string[]): string[] {
  try {
    parse(...lines);
  } catch (err) {
    expect((err as DevMeshError).code).toBe('CONFIG_INVALID');
    return (err as DevMeshError).message.split('\n').slice(1);
  }
  throw new Error('expected the file to be rejected');
}

describe('logs:', () => {
  it('keeps 1 GB or 14 days by default', () => {
    expect(parse().logs).toEqual({ retainBytes: 1024 ** 3, retainAgeMs: 14 * 86_400_000 });
  });

  it('reads sizes and ages with their units', () => {
    expect(parse('logs: { retain_size: 500MB, retain_age: 7d }').logs).toEqual({
      retainBytes: 500 * 1024 ** 2,
      retainAgeMs: 7 * 86_400_000,
    });
    expect(parse('logs:', '  retain_size: 1.5 GB', '  retain_age: 1d12h').logs).toEqual({
      retainBytes: 1.5 * 1024 ** 3,
      retainAgeMs: 36 * 3_600_000,
    });
    expect(parse('logs: { retain_age: 2w }').logs!.retainBytes).toBe(1024 ** 3);
  });

  it('reports a wrong unit, a size out of range and an unknown key with their line', () => {
    expect(problems('logs:', '  retain_size: 12 parsecs', '  retain_age: 3 days')).toEqual([
      'devmesh.yaml:2: logs.retain_size: expected a size like 500MB or 1GB, got "12 parsecs"',
      'devmesh.yaml:3: logs.retain_age: expected an age like 14d, 36h or 2w, got "3 days"',
    ]);
    expect(problems('logs: { retain_size: 10KB }')).toEqual([
      'devmesh.yaml:1: logs.retain_size: expected a size from 1MB to 1TB, got "10KB"',
    ]);
    expect(problems('logs: { retain_sise: 1GB }')[0]).toMatch(/logs.*retain_sise.*did you mean 'retain_size'/);
    expect(problems('logs: 1GB')[0]).toMatch(/logs: expected a map with retain_size and retain_age/);
  });
});
