// One DevMesh per DEVMESH_HOME, with real `devmesh` processes: two `devmesh up` started at the same
// instant on one home leave exactly one daemon, the other refuses naming the running one's pid and URL
// and never touches its services; the hold goes with the daemon, even on `kill -9`.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceInfo } from '../../shared/service.js';
import { processAlive, tempDir, waitFor, writeProject } from '../api/test-project.js';
import { scaled } from '../helpers/load-scale.js';
import { CliHarness, ensureCliBuilt, type RunningCli } from './cli-harness.js';

const tmp = tempDir('devmesh-single-');
const projectDir = join(tmp.dir, 'solo');
const running: RunningCli[] = [];
const ROUNDS = 3;

function spawnUp(harness: CliHarness, args: string[] = []): RunningCli {
  const up = harness.spawn(['up', '--project', projectDir, '--port', '0', ...args]);
  running.push(up);
  return up;
}

async function api(harness: CliHarness): Promise<ServiceInfo | undefined> {
  const r = await harness.run(['status', '--json']);
  if (r.code !== 0) return undefined;
  return (JSON.parse(r.stdout) as { services: ServiceInfo[] }).services.find((s) => s.name === 'api');
}

async function healthyApi(harness: CliHarness): Promise<ServiceInfo> {
  return waitFor(
    'api to be healthy',
    async () => {
      const s = await api(harness);
      return s?.state === 'healthy' && s.pid !== null ? s : undefined;
    },
    scaled(30_000),
  );
}

function record(harness: CliHarness): { pid: number; url: string } {
  return JSON.parse(readFileSync(join(harness.home, 'daemon.json'), 'utf8')) as { pid: number; url: string };
}

beforeAll(() => {
  ensureCliBuilt();
  mkdirSync(projectDir);
  writeProject(projectDir, 'solo', { api: {} });
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((d) => d.stop('SIGTERM', scaled(20_000))));
});

afterAll(() => tmp.dispose());

describe('one DevMesh per home', () => {
  it(
    `two \`devmesh up\` at the same instant: one runs, the other refuses naming it (${ROUNDS} rounds)`,
    async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const harness = new CliHarness(join(tmp.dir, `race-${round}`), tmp.dir);
        const pair = [spawnUp(harness), spawnUp(harness)];
        // Each one either prints its address or exits; bounded, so a hang fails the round.
        await waitFor(
          `round ${round}: both to settle`,
          () => pair.every((p) => p.child.exitCode !== null || /DevMesh is up/.test(p.stdout)),
          scaled(60_000),
        );
        const up = pair.filter((p) => /DevMesh is up/.test(p.stdout));
        const refused = pair.filter((p) => p.child.exitCode !== null);
        expect(up.length, `round ${round}: ${pair.map((p) => p.stdout + p.stderr).join('\n---\n')}`).toBe(1);
        expect(refused.length).toBe(1);
        const winner = up[0]!;
        const loser = refused[0]!;
        expect(loser.child.exitCode).not.toBe(0);
        const { pid, url } = record(harness);
        expect(pid).toBe(winner.child.pid);
        expect(loser.stderr).toContain('already running');
        expect(loser.stderr).toContain(`pid ${pid}`);
        expect(loser.stderr).toContain(url);
        // The winner's service runs, with the pid the registry holds, and stays so.
        const before = await healthyApi(harness);
        expect(processAlive(before.pid!)).toBe(true);
        expect((await api(harness))?.pid).toBe(before.pid);
        expect(await winner.stop('SIGTERM', scaled(20_000))).toBe(0);
        rmSync(harness.home, { recursive: true, force: true });
      }
    },
    scaled(240_000),
  );

  it(
    "refuses while a daemon runs even when daemon.json is gone, and leaves that daemon's services alone",
    async () => {
      const harness = new CliHarness(join(tmp.dir, 'no-record'), tmp.dir);
      const first = spawnUp(harness);
      await first.waitForOutput(/DevMesh is up: (\S+)/, scaled(30_000));
      const before = await healthyApi(harness);
      const url = record(harness).url;
      // A cleanup script removed the record: `up` can no longer find the daemon by it.
      rmSync(join(harness.home, 'daemon.json'));
      const second = spawnUp(harness);
      const code = await waitFor(
        'the second `up` to exit',
        () => second.child.exitCode ?? undefined,
        scaled(30_000),
      ).catch(() => null);
      expect(code, second.stdout + second.stderr).not.toBe(null);
      expect(code).not.toBe(0);
      expect(second.stderr).toContain(`pid ${first.child.pid}`);
      // the URL is known from the running daemon itself, not the deleted record
      expect(second.stderr).toContain(url);
      expect(processAlive(before.pid!)).toBe(true);
      expect(first.child.exitCode).toBe(null);
      // the first daemon still serves its UI at its address
      const stillThere = await fetch(url)
        .then((r) => r.status)
        .catch(() => 0);
      expect(stillThere).toBe(200);
    },
    scaled(120_000),
  );

  it(
    'after `kill -9` of the daemon, a new `devmesh up` starts',
    async () => {
      const harness = new CliHarness(join(tmp.dir, 'killed'), tmp.dir);
      const first = spawnUp(harness);
      await first.waitForOutput(/DevMesh is up/, scaled(30_000));
      const before = await healthyApi(harness);
      first.child.kill('SIGKILL');
      await first.exited;
      const second = spawnUp(harness);
      await second.waitForOutput(/DevMesh is up/, scaled(30_000));
      const after = await healthyApi(harness);
      expect(after.pid).not.toBe(before.pid);
      expect(record(harness).pid).toBe(second.child.pid);
    },
    scaled(120_000),
  );
});
