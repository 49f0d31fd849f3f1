// End to end: the real headless daemon (`devmesh up` on the shop example) runs three services, a terminal
// whose processes ignore SIGHUP (one of them a job in its own process group), and holds a lock; then it is
// killed with SIGKILL. Its process reaper ends the services and the terminal's whole session. The daemon
// started again on the same home says what happened to each of them, in the services' history and in the
// audit chain, naming the dead daemon's pid and when it died; a lock taken after the restart never reuses
// a lock id from before it, so an old id cannot release a new lock.
import BetterSqlite3 from 'better-sqlite3';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../shared/audit.js';
import { ApiClient } from '../../main/cli/api-client.js';
import { DevMeshHome } from '../../main/core/home/devmesh-home.js';
import { processAlive, tempDir, waitFor } from '../api/test-project.js';
import { DaemonProcess } from './daemon-process.js';
import { scaled } from '../helpers/load-scale.js';

const SERVICES = ['auth', 'api', 'web'];
// `set -m`: the background job gets its own process group, as in an interactive shell; HUP is ignored, so
// closing the PTY (what the kernel does when the daemon dies) ends neither process.
// The job's pid goes to the file named by $1.
const TERMINAL_SCRIPT = 'set -m; trap "" HUP; sleep 600 & echo $! > "$1.tmp"; mv "$1.tmp" "$1"; wait';

const tmp = tempDir('devmesh-e2e-crash-files-');
let first: DaemonProcess | undefined;
let second: DaemonProcess | undefined;
const clients: ApiClient[] = [];
const leftovers: number[] = [];

afterAll(async () => {
  for (const c of clients) await c.close();
  await first?.crash();
  if (second)
    await second.stop(); // removes the home both used
  else if (first) rmSync(first.home, { recursive: true, force: true });
  for (const pid of leftovers) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone, as it should be
    }
  }
  tmp.dispose();
});

async function connect(home: string): Promise<ApiClient> {
  const client = await ApiClient.connect(new DevMeshHome(home));
  clients.push(client);
  return client;
}

async function entries(api: ApiClient, kind: string): Promise<AuditEntry[]> {
  return (await api.call('audit.list', { kind, limit: 1000 })).entries;
}

describe('a daemon killed with SIGKILL', () => {
  it(
    'has its terminals reaped, and the restart records what happened to each service, terminal and lock',
    async () => {
      first = DaemonProcess.start({ homePrefix: 'devmesh-e2e-crash-', env: { SHELL: '/bin/sh' } });
      await first.url(60_000);
      const home = first.home;
      const api = await connect(home);
      await waitFor(
        'the shop services to be healthy',
        async () => {
          const list = await api.call('services.list', { project: 'shop' });
          return list.length === 3 && list.every((s) => s.state === 'healthy') ? list : null;
        },
        60_000,
        200,
      );
      const before = await api.call('services.list', { project: 'shop' });
      const servicePids = before.map((s) => s.pid!);
      leftovers.push(...servicePids);

      const jobFile = join(tmp.dir, 'job.pid');
      const term = await api.call('terminals.create', {
        command: '/bin/sh',
        args: ['-c', TERMINAL_SCRIPT, 'sh', jobFile],
        project: 'shop',
        record: false,
      });
      const termPid = term.pid!;
      leftovers.push(termPid);
      const job = await waitFor(
        'the terminal to start its job',
        () => existsSync(jobFile) && Number(readFileSync(jobFile, 'utf8')),
        20_000,
        50,
      );
      leftovers.push(job);
      expect(processAlive(job)).toBe(true);

      const lock = await api.call('locks.acquire', {
        project: 'shop',
        holder: 'user',
        mode: 'WRITE',
        target: { kind: 'file', path: 'api/server.mjs' },
        ttlMs: 600_000,
      });
      const daemonPid = first.child.pid!;

      await first.crash();
      // The reaper ends every service group and the terminal's whole session, HUP ignored or not.
      await waitFor('the services to be reaped', () => servicePids.every((p) => !processAlive(p)), 20_000, 100);
      await waitFor('the terminal to be reaped', () => !processAlive(termPid), 20_000, 100);
      await waitFor("the terminal's job in its own process group to be reaped", () => !processAlive(job), 20_000, 100);

      second = DaemonProcess.start({ home, env: { SHELL: '/bin/sh' } });
      // its own line: the dead daemon's daemon.json is still there until the new one replaces it
      const restarted = second;
      await waitFor(
        'the restarted daemon to be up',
        () => {
          if (restarted.child.exitCode !== null) throw new Error(`the restarted daemon exited:\n${restarted.output}`);
          return /DevMesh is up/.test(restarted.output);
        },
        60_000,
        100,
      );
      const api2 = await connect(home);
      const died = new RegExp(`daemon died \\(pid ${daemonPid}, at \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\)`);

      // The services' history (the transitions table), as the UI and `devmesh status` read it.
      const db = new BetterSqlite3(join(home, 'devmesh.db'), { readonly: true });
      try {
        for (const name of SERVICES) {
          const rows = db
            .prepare(
              "SELECT from_state, to_state, reason FROM service_events WHERE project = 'shop' AND service = ? ORDER BY id",
            )
            .all(name) as { from_state: string; to_state: string; reason: string }[];
          const stopped = rows.find((r) => r.to_state === 'stopped' && died.test(r.reason));
          expect(stopped, `${name}: ${JSON.stringify(rows)}`).toMatchObject({ from_state: 'healthy' });
        }
      } finally {
        db.close();
      }

      // The audit chain: each service, the terminal and the lock, with why.
      const stoppedEntries = await entries(api2, 'service.stopped');
      for (const name of SERVICES) {
        const e = stoppedEntries.find(
          (x) => x.subject === `shop/${name}` && died.test((x.data as { reason?: string }).reason ?? ''),
        );
        expect(e, `${name}: ${JSON.stringify(stoppedEntries)}`).toBeDefined();
      }
      const ended = (await entries(api2, 'terminal.ended')).find(
        (e) => (e.data as { terminalId?: string }).terminalId === term.id,
      );
      expect(ended?.data).toMatchObject({ pid: termPid });
      expect((ended?.data as { reason: string }).reason).toMatch(died);
      const dropped = (await entries(api2, 'lock.dropped')).find(
        (e) => (e.data as { lockId?: string }).lockId === lock.id,
      );
      expect(dropped, JSON.stringify(await entries(api2, 'lock'))).toMatchObject({
        subject: 'api/server.mjs',
        data: { holder: 'user', mode: 'WRITE' },
      });
      expect((dropped!.data as { reason: string }).reason).toMatch(died);

      // Lock ids are never reused: the holder's old id does not name (and cannot release) a new lock.
      const again = await api2.call('locks.acquire', {
        project: 'shop',
        holder: 'user',
        mode: 'WRITE',
        target: { kind: 'file', path: 'web/server.mjs' },
      });
      expect(again.id).not.toBe(lock.id);
      await expect(api2.call('locks.release', { project: 'shop', holder: 'user', lockId: lock.id })).rejects.toThrow(
        /no lock/,
      );
      expect((await api2.call('locks.list', { project: 'shop' })).flatMap((s) => s.locks).map((l) => l.id)).toEqual([
        again.id,
      ]);

      expect(await api2.call('audit.verify', {})).toMatchObject({ ok: true });
    },
    scaled(240_000),
  );
});
