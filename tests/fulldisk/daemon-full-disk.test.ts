// A real daemon (`devmesh up`) whose $DEVMESH_HOME is on a disk that fills up (a tmpfs), driven as a user
// would: through the proxy, the CLI and the API. The daemon stays up, the services keep running and
// answering, decisions that must be recorded are refused with DISK_FULL naming the disk and the fix (and
// nothing changes), service commands keep working, and once space is freed every problem clears without a
// restart; the audit chain then shows the outage as a gap, never "ok" over it.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Health } from '../../shared/health.js';
import type { StatusReport } from '../../main/cli/status-view.js';
import { tempDir, waitFor, writeProject } from '../api/test-project.js';
import { httpGet } from '../api/wire-test-client.js';
import { CliHarness, ensureCliBuilt, type RunningCli } from '../cli/cli-harness.js';
import { FullDisk } from '../helpers/full-disk.js';
import { scaled } from '../helpers/load-scale.js';

const unavailable = FullDisk.unavailable();
const WAIT_MS = 60_000;
const tmp = tempDir('devmesh-fulldisk-');
afterAll(() => tmp.dispose());

describe.skipIf(unavailable !== null)(
  `the daemon on a full disk${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    it(
      'stays up, keeps services serving, refuses recorded decisions cleanly, and recovers without a restart',
      async () => {
        ensureCliBuilt();
        const disk = FullDisk.mount(64, 'devmesh-fulldisk-home-');
        let daemon: RunningCli | null = null;
        try {
          const projectDir = join(tmp.dir, 'shop');
          mkdirSync(projectDir);
          writeProject(projectDir, 'shop', { api: {}, web: { dependsOn: ['api'] } });
          const cli = new CliHarness(join(disk.dir, 'home'), projectDir);
          const up = await cli.up(['--project', projectDir]);
          daemon = up.daemon;
          const proxyPort = Number(
            (await up.daemon.waitForOutput(/Services are at http:\/\/<service>\.localhost:(\d+)/))[1],
          );
          const report = () => cli.json<StatusReport>(['status']);
          await waitFor(
            'both services healthy',
            async () => (await report()).services.every((s) => s.state === 'healthy'),
            WAIT_MS,
          );
          const pids = (await report()).services.map((s) => s.pid);
          expect((await cli.run(['locks', 'take', 'src/a.ts'])).code).toBe(0);

          disk.fill();
          // the proxy keeps serving (as a browser's GET of http://api.localhost:PORT/), and logs every request
          for (let i = 0; i < 50; i++)
            expect((await httpGet(proxyPort, `/orders/${i}`, `api.localhost:${proxyPort}`)).status).toBe(200);

          const lock = await cli.run(['locks', 'take', 'src/b.ts']);
          expect(lock.code).not.toBe(0);
          expect(lock.stderr).toMatch(/DISK_FULL|disk is full|free/i);
          expect(lock.stderr).toContain(join(disk.dir, 'home'));
          expect(lock.stderr).toMatch(/refused, nothing changed/);
          const state = await cli.run(['state', 'set', 'release', '"1.2"']);
          expect(state.code).not.toBe(0);
          expect(state.stderr).toMatch(/refused, nothing changed/);
          const locks = await cli.json<Array<{ locks: Array<{ target: { path?: string } }> }>>(['locks']);
          expect(locks.flatMap((s) => s.locks.map((l) => l.target.path))).toEqual(['src/a.ts']);

          // service commands work: a stop is not left in "stopping", a start comes back healthy
          expect((await cli.run(['stop', 'web'])).code).toBe(0);
          expect((await cli.run(['start', 'web'])).code).toBe(0);
          const during = await report();
          expect(during.services.find((s) => s.name === 'api')!.pid).toBe(pids[0]);
          const components = during.health.problems.map((p) => p.component);
          expect(components).toEqual(expect.arrayContaining(['audit chain']));
          for (const p of during.health.problems) expect(p.code).toBe('DISK_FULL');
          const verifyDuring = await cli.run(['audit', 'verify', '--json']);
          expect(verifyDuring.code).not.toBe(0); // never "ok" while decisions go unrecorded

          disk.release();
          const healed = await waitFor(
            'every problem to clear',
            async () => {
              const h: Health = (await report()).health;
              return h.ok ? h : null;
            },
            WAIT_MS,
          );
          expect(healed.recovered.map((p) => p.component)).toEqual(expect.arrayContaining(['audit chain']));
          expect((await cli.run(['locks', 'take', 'src/b.ts'])).code).toBe(0);
          expect((await httpGet(proxyPort, '/after', `api.localhost:${proxyPort}`)).status).toBe(200);
          const requests = (await cli.run(['requests', '-n', '200', '--json'])).stdout
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l) as { path: string });
          expect(requests.map((r) => r.path)).toEqual(expect.arrayContaining(['/orders/0', '/orders/49', '/after']));
          const verdict = JSON.parse((await cli.run(['audit', 'verify', '--json'])).stdout) as {
            ok: boolean;
            firstBroken: unknown;
            mirror: string;
            gaps: Array<{ unrecorded: number }>;
          };
          expect(verdict.firstBroken).toBeNull();
          expect(verdict.mirror).toBe('ok');
          // the web service stopped and started while nothing could be recorded: a gap, not "ok"
          expect(verdict.ok).toBe(false);
          expect(verdict.gaps.reduce((n, g) => n + g.unrecorded, 0)).toBeGreaterThan(0);
          expect(daemon.child.exitCode).toBeNull();
        } finally {
          await daemon?.stop('SIGTERM', 30_000);
          disk.dispose();
        }
      },
      scaled(300_000),
    );
  },
);
