// Finding the machine's postgres and redis: on PATH or, with a minimal PATH (a desktop app's), in the
// engines' standard locations; and when they are missing or too old, a message naming what to install.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EngineLocator } from '../../../main/core/databases/engine-locator.js';
import { DevMeshError } from '../../../shared/errors.js';
import { existsSync } from 'node:fs';

const haveEngines = existsSync('/usr/lib/postgresql') && existsSync('/usr/bin/redis-server');
let empty: string;
beforeEach(() => {
  empty = mkdtempSync(join(tmpdir(), 'devmesh-nothing-'));
});
afterEach(() => rmSync(empty, { recursive: true, force: true }));

describe.skipIf(!haveEngines)('the engine locator', () => {
  it('finds postgres in its standard location when PATH holds nothing', () => {
    const locator = new EngineLocator({ path: empty });
    const found = locator.find('postgres');
    expect(found?.binary).toMatch(/^\/usr\/lib\/postgresql\/\d+\/bin\/postgres$/);
    expect(found?.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(locator.program('postgres', 'initdb')).toBe(join(found!.binDir, 'initdb'));
    expect(locator.find('redis')?.binary).toBe('/usr/bin/redis-server');
  });

  it('names the package to install when the engine is nowhere', () => {
    const locator = new EngineLocator({
      path: empty,
      locations: { postgres: [empty], redis: [empty] },
      platform: 'linux',
    });
    expect(locator.find('postgres')).toBeNull();
    expect(() => locator.require('postgres', null, 'shop/api-db')).toThrow(DevMeshError);
    const problem = locator.problem('postgres', null, 'shop/api-db')!;
    expect(problem).toContain('shop/api-db: postgres is not installed');
    expect(problem).toContain('Debian/Ubuntu: `sudo apt install postgresql`');
    expect(problem).toContain('macOS: `brew install postgresql@16`');
    expect(locator.problem('redis', null, 'shop/cache')).toContain('`sudo apt install redis-server`');
    const mac = new EngineLocator({ path: empty, locations: { redis: [] }, platform: 'darwin' });
    expect(mac.problem('redis', null, 'shop/cache')).toMatch(/install it: macOS: `brew install redis`/);
    try {
      locator.require('redis', null, 'shop/cache');
    } catch (err) {
      expect((err as DevMeshError).code).toBe('ENGINE_MISSING');
    }
  });

  it('says which version it found when the range is not satisfied', () => {
    const locator = new EngineLocator({ path: empty, platform: 'linux' });
    const version = locator.version('postgres')!;
    const problem = locator.problem('postgres', '>=99', 'shop/api-db');
    expect(problem).toContain(
      `shop/api-db: needs postgres >=99, but this machine has ${version} (/usr/lib/postgresql/`,
    );
    expect(problem).toContain('or change database.version in devmesh.yaml');
    expect(locator.problem('postgres', `^${version.split('.')[0]}`, 'shop/api-db')).toBeNull();
  });
});
