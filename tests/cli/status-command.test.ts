// `devmesh status` against a real daemon: a live edit of devmesh.yaml that is invalid (the last valid config
// keeps running) and the daemon's own problems (its home on a disk that fills up) are shown above the table,
// in text and in --json; both clear once fixed.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Health } from '../../shared/health.js';
import type { ServiceInfo } from '../../shared/service.js';
import type { StatusReport } from '../../main/cli/status-view.js';
import { tempDir, waitFor, writeProject } from '../api/test-project.js';
import { FullDisk } from '../helpers/full-disk.js';
import { CliHarness, ensureCliBuilt, type RunningCli } from './cli-harness.js';
import { scaled } from '../helpers/load-scale.js';

const tmp = tempDir('devmesh-status-');
const daemons: RunningCli[] = [];
const unavailable = FullDisk.unavailable();
/** generous: the daemon and the CLI are real processes on a shared, often loaded machine */
const WAIT_MS = 60_000;

afterEach(async () => {
  await Promise.all(daemons.splice(0).map((d) => d.stop('SIGTERM')));
});
afterAll(() => tmp.dispose());

async function upWith(home: string, projectDir: string): Promise<CliHarness> {
  ensureCliBuilt();
  const cli = new CliHarness(home, tmp.dir);
  const { daemon } = await cli.up(['--project', projectDir]);
  daemons.push(daemon);
  const healthy = async () =>
    (await report(cli)).services.find((s: ServiceInfo) => s.name === 'api' && s.state === 'healthy');
  await waitFor('api healthy', healthy, WAIT_MS);
  return cli;
}

const report = (cli: CliHarness) => cli.json<StatusReport>(['status']);

describe('devmesh status', () => {
  it(
    'shows an invalid live edit of devmesh.yaml, in text and JSON, until it is fixed',
    async () => {
      const projectDir = join(tmp.dir, 'tiny');
      mkdirSync(projectDir);
      writeProject(projectDir, 'tiny', { api: {} });
      const cli = await upWith(join(tmp.dir, 'home'), projectDir);
      const yaml = readFileSync(join(projectDir, 'devmesh.yaml'), 'utf8');
      writeFileSync(join(projectDir, 'devmesh.yaml'), yaml.replace('version: 1.0.0', 'version: one'));

      const broken = await waitFor(
        'the config error',
        async () => {
          const r = await report(cli);
          return r.projects[0]?.configError ? r : null;
        },
        WAIT_MS,
      );
      expect(broken.projects[0]).toMatchObject({ id: 'tiny', configPath: join(projectDir, 'devmesh.yaml') });
      expect(broken.projects[0]!.configError).toMatch(/devmesh\.yaml:\d+: services\.api\.version/);
      expect(broken.services.map((s) => [s.name, s.state])).toEqual([['api', 'healthy']]); // still running
      const text = await cli.run(['status']);
      expect(text.code).toBe(0);
      const lines = text.stdout.split('\n');
      const banner = lines.findIndex((l) =>
        l.includes(`${join(projectDir, 'devmesh.yaml')} is invalid; the last valid config keeps running`),
      );
      expect(banner).toBeGreaterThanOrEqual(0);
      expect(banner).toBeLessThan(lines.findIndex((l) => l.startsWith('SERVICE')));
      expect(text.stdout).toMatch(/services\.api\.version/);
      expect((await cli.run(['status', '--project', 'tiny'])).stdout).toContain(
        'is invalid; the last valid config keeps running',
      );

      writeFileSync(join(projectDir, 'devmesh.yaml'), yaml);
      await waitFor('the error to clear', async () => (await report(cli)).projects[0]?.configError === null, WAIT_MS);
      expect((await cli.run(['status'])).stdout).not.toContain('is invalid');
      expect((await report(cli)).health).toMatchObject({ ok: true, problems: [] });
    },
    scaled(240_000),
  );

  const fullTitle = `shows the daemon's problems above the table while its home's disk is full${unavailable ? ` (skipped: ${unavailable})` : ''}`;
  it.skipIf(unavailable !== null)(
    fullTitle,
    async () => {
      const disk = FullDisk.mount(64, 'devmesh-status-full-');
      try {
        const projectDir = join(tmp.dir, 'full');
        mkdirSync(projectDir);
        writeProject(projectDir, 'full', { api: {}, web: {} });
        const cli = await upWith(join(disk.dir, 'home'), projectDir);
        await waitFor(
          'web healthy',
          async () => (await report(cli)).services.find((s) => s.name === 'web' && s.state === 'healthy'),
          WAIT_MS,
        );
        disk.fill();

        // The supervisor keeps working: stop answers, and the service is stopped, not stuck in "stopping".
        const stop = await cli.run(['stop', 'web']);
        expect(stop.code, stop.stderr).toBe(0);
        expect(stop.stdout).toMatch(/^web: stopped/);
        const full = await waitFor(
          'the registry problem',
          async () => {
            const r = await report(cli);
            return r.health.problems.some((p) => p.component === 'service registry') ? r : null;
          },
          WAIT_MS,
        );
        const problem = full.health.problems.find((p) => p.component === 'service registry')!;
        expect(problem).toMatchObject({ code: 'DISK_FULL' });
        expect(problem.message).toContain(join(disk.dir, 'home'));
        const text = (await cli.run(['status'])).stdout;
        expect(text).toMatch(/^DevMesh has (a problem|\d+ problems):$/m);
        expect(text).toMatch(
          /^! service registry \(DISK_FULL, for \d+s; \d+ failed writes?(, \d+ dropped)?\): The service registry/m,
        );
        expect(text).toMatch(/^! service registry .* could not be written to .*: the disk is full/m);
        expect(text).toMatch(/^ {2}meanwhile: service states are decided in memory/m);
        expect(text.indexOf('DevMesh has')).toBeLessThan(text.indexOf('SERVICE'));
        expect((await cli.run(['start', 'web'])).code).toBe(0);

        disk.release();
        const healed = await waitFor(
          'the problems to clear',
          async () => {
            const h = (await report(cli)).health as Health;
            return h.ok ? h : null;
          },
          WAIT_MS,
        );
        expect(healed.recovered.map((p) => p.component)).toContain('service registry');
        const after = await cli.run(['status']);
        expect(after.stdout).not.toContain('DevMesh has');
        expect(after.stdout).toMatch(/^web\s+\S+\s+healthy/m);
      } finally {
        await Promise.all(daemons.splice(0).map((d) => d.stop('SIGTERM')));
        disk.release();
        disk.dispose();
      }
    },
    scaled(240_000),
  );
});
