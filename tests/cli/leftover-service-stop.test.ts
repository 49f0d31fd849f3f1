// A daemon dies and its process reaper with it (`kill -9` of both, as an OOM killer or a killed session
// would): the services it ran keep running. The next `devmesh up` stops each of them before anything starts,
// the way the service asks to be stopped in devmesh.yaml: its own stop_signal and its own stop_timeout. The
// service here stops on SIGINT only (SIGTERM would end its shell at once, with nothing cleaned up) and takes
// about 4 s to clean up, longer than the 3 s a leftover used to get before SIGKILL.
import BetterSqlite3 from 'better-sqlite3';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceInfo } from '../../shared/service.js';
import { processAlive, tempDir, waitFor } from '../api/test-project.js';
import { scaled } from '../helpers/load-scale.js';
import { CliHarness, ensureCliBuilt, type RunningCli } from './cli-harness.js';

const tmp = tempDir('devmesh-leftover-stop-');
const projectDir = join(tmp.dir, 'cleanup');
const running: RunningCli[] = [];
const leftovers: number[] = [];

// The trap's cleanup outlives the old 3 s; it writes which signal it got and the pid of the shell.
const WORKER = `trap 'sleep 4; echo "INT $$" > cleaned-up.txt; exit 0' INT
echo "worker $$"
while :; do sleep 0.2; done
`;

beforeAll(() => {
  ensureCliBuilt();
  mkdirSync(projectDir);
  writeFileSync(join(projectDir, 'worker.sh'), WORKER);
  writeFileSync(
    join(projectDir, 'devmesh.yaml'),
    [
      'project: cleanup',
      'services:',
      '  worker:',
      '    version: 1.0.0',
      '    command: exec /bin/sh worker.sh',
      '    stop_signal: SIGINT',
      '    stop_timeout: 30s',
      '    restart:',
      '      policy: no',
      '',
    ].join('\n'),
  );
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((d) => d.stop('SIGTERM', scaled(40_000))));
});

afterAll(() => {
  for (const pid of leftovers) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone, as it should be
    }
  }
  tmp.dispose();
});

function spawnUp(harness: CliHarness): RunningCli {
  const up = harness.spawn(['up', '--project', projectDir, '--port', '0']);
  running.push(up);
  return up;
}

async function worker(harness: CliHarness): Promise<ServiceInfo | undefined> {
  const r = await harness.run(['status', '--json']);
  if (r.code !== 0) return undefined;
  return (JSON.parse(r.stdout) as { services: ServiceInfo[] }).services.find((s) => s.name === 'worker');
}

/** the daemon's process reaper: its `sh` child running the reaper script */
function reaperOf(daemonPid: number): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === daemonPid && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('dropstop'))
        return Number(entry);
    } catch {
      // ended while we looked
    }
  }
  throw new Error(`no process reaper found under the daemon ${daemonPid}`);
}

describe('services left running by a daemon that died with its reaper', () => {
  it(
    'are stopped at the next start with their own stop_signal and given their own stop_timeout',
    async () => {
      const harness = new CliHarness(join(tmp.dir, 'home'), tmp.dir);
      const first = spawnUp(harness);
      await first.waitForOutput(/DevMesh is up/, scaled(60_000));
      const before = await waitFor(
        'the worker to be healthy',
        async () => {
          const s = await worker(harness);
          return s?.state === 'healthy' && s.pid !== null ? s : undefined;
        },
        scaled(30_000),
      );
      const pid = before.pid!;
      leftovers.push(pid);

      // The reaper first (it would stop the worker the moment the daemon is gone), then the daemon.
      process.kill(reaperOf(first.child.pid!), 'SIGKILL');
      first.child.kill('SIGKILL');
      await first.exited;
      expect(processAlive(pid)).toBe(true);

      const second = spawnUp(harness);
      await second.waitForOutput(/DevMesh is up/, scaled(120_000));
      // The start waited for the leftover: it is gone, and it got SIGINT and the time its cleanup took.
      expect(processAlive(pid)).toBe(false);
      const cleaned = join(projectDir, 'cleaned-up.txt');
      expect(existsSync(cleaned), second.stdout + second.stderr).toBe(true);
      expect(readFileSync(cleaned, 'utf8').trim()).toBe(`INT ${pid}`);

      // Its history (the transitions the UI shows) says so: stopped at start, with SIGINT, not killed.
      const db = new BetterSqlite3(join(harness.home, 'devmesh.db'), { readonly: true });
      try {
        const reasons = db
          .prepare("SELECT reason FROM service_events WHERE project = 'cleanup' AND service = 'worker' ORDER BY id")
          .all() as Array<{ reason: string }>;
        const atStart = reasons.find((r) => r.reason.includes(`pid ${pid}`));
        expect(atStart?.reason, JSON.stringify(reasons)).toMatch(/stopped at start \(stopped with SIGINT\)/);
      } finally {
        db.close();
      }
    },
    scaled(240_000),
  );
});
