// The daemon's logger: a field a child logger already carries is written once, whatever the call passes.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../main/core/logging/create-logger.js';
import { repeatedKeys } from '../../helpers/json-repeated-keys.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function logFile(): { path: string; lines: () => Record<string, unknown>[]; raw: () => string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'devmesh-logger-'));
  dirs.push(dir);
  const path = join(dir, 'daemon.log');
  const raw = () => readFileSync(path, 'utf8').split('\n').filter(Boolean);
  return { path, raw, lines: () => raw().map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('createLogger', () => {
  it("drops a call's field its logger carries with the same value, and keeps a differing one apart", () => {
    const file = logFile();
    const logger = createLogger({ name: 'devmesh', destination: file.path });
    const runner = logger.child({ domain: 'projects' }).child({ project: 'shop' }).child({ service: 'api' });
    runner.info({ service: 'api', domain: 'projects', to: 'healthy' }, 'service state');
    runner.warn({ service: 'web', pid: process.pid, name: 'devmesh' }, 'odd');
    logger.info({ pid: 4242 }, 'a service pid under the base key');
    logger.info('plain');
    expect(file.raw().flatMap((l) => repeatedKeys(l))).toEqual([]);
    const [state, odd, pid, plain] = file.lines();
    expect(state).toMatchObject({
      domain: 'projects',
      project: 'shop',
      service: 'api',
      to: 'healthy',
      msg: 'service state',
    });
    expect(odd).toMatchObject({ service: 'api', service_call: 'web', pid: process.pid, msg: 'odd' });
    expect(pid).toMatchObject({ pid: process.pid, pid_call: 4242 });
    expect(plain).toMatchObject({ msg: 'plain', name: 'devmesh' });
  });
});
