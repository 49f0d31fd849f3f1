// daemon.log as the real daemon writes it: one JSON object a line, each key once. JSON.parse keeps the last
// of two equal keys without a word, so the raw text is checked (a child logger's bindings were written again
// by the log call: `"service":"api","service":"api"` on every "service state" line).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, waitFor, writeProject } from '../api/test-project.js';
import { repeatedKeys } from '../helpers/json-repeated-keys.js';
import { CliHarness, ensureCliBuilt, type RunningCli } from './cli-harness.js';
import { scaled } from '../helpers/load-scale.js';

const tmp = tempDir('devmesh-daemonlog-');
const projectDir = join(tmp.dir, 'tiny');
const cli = new CliHarness(join(tmp.dir, 'home'), tmp.dir);
const daemonLog = join(cli.home, 'logs', 'daemon.log');
let daemon: RunningCli | null = null;

const lines = (): string[] =>
  readFileSync(daemonLog, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
const logged = (pattern: RegExp) => lines().some((l) => pattern.test(l));
/** generous: the daemon and the CLI are real processes on a shared, often loaded machine */
const WAIT_MS = 60_000;

beforeAll(async () => {
  ensureCliBuilt();
  mkdirSync(projectDir);
  writeProject(projectDir, 'tiny', {
    api: {},
    worker: { dependsOn: ['api'] },
    flaky: {
      autostart: false,
      extra: 'setTimeout(() => { console.error("flaky: giving up"); process.exit(2); }, 200);',
    },
  });
  ({ daemon } = await cli.up(['--project', projectDir]));
});

afterAll(async () => {
  await daemon?.stop('SIGTERM');
  tmp.dispose();
});

describe('daemon.log', () => {
  it(
    'writes each key once on every line, through starts, stops, crashes, a bad edit and a shutdown',
    async () => {
      await waitFor(
        'worker healthy in daemon.log',
        () => lines().some((l) => l.includes('"worker"') && l.includes('"to":"healthy"')),
        WAIT_MS,
      );
      expect((await cli.run(['restart', 'worker'])).code).toBe(0);
      expect((await cli.run(['stop', 'worker'])).code).toBe(0);
      await cli.run(['start', 'flaky', '--no-wait']);
      await waitFor(
        'flaky to crash',
        () => lines().some((l) => l.includes('"flaky"') && l.includes('"to":"crashed"')),
        WAIT_MS,
      );
      const yaml = readFileSync(join(projectDir, 'devmesh.yaml'), 'utf8');
      writeFileSync(join(projectDir, 'devmesh.yaml'), `${yaml}\n  broken: [\n`);
      await waitFor('the invalid edit in daemon.log', () => logged(/devmesh\.yaml is invalid/), WAIT_MS);
      writeFileSync(join(projectDir, 'devmesh.yaml'), yaml);
      await waitFor('the reload in daemon.log', () => logged(/devmesh\.yaml reloaded/), WAIT_MS);
      expect((await cli.run(['down'])).code).toBe(0);
      expect(await daemon!.exited).toBe(0);
      daemon = null;

      const all = lines();
      expect(all.some((l) => /"msg":"service state"/.test(l))).toBe(true);
      expect(all.some((l) => /"msg":"daemon stopped"/.test(l))).toBe(true);
      const offenders = all.map((l) => ({ line: l, repeated: repeatedKeys(l) })).filter((o) => o.repeated.length > 0);
      expect(offenders, offenders.map((o) => `${o.repeated.join(', ')} in ${o.line}`).join('\n')).toEqual([]);
      // The fields are still there, once: the service's name on its state lines, the domain on the daemon's.
      const state = all
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((o) => o.msg === 'service state' && o.service === 'worker');
      expect(state).toMatchObject({ domain: 'projects', project: 'tiny', service: 'worker' });
    },
    scaled(240_000),
  );
});
