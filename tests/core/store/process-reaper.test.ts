// The reaper's promise: when DevMesh goes away without stopping its services (killed, crashed), the
// services' process groups and its terminals' sessions are stopped anyway, and the moment it died is noted.
// Here the "daemon" is a real Node process we SIGKILL.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ProcessReaper } from '../../../main/core/services/process-reaper.js';
import { processAlive } from '../../api/test-project.js';
import { pidAlive, waitFor } from '../../helpers/supervisor-harness.js';

describe('ProcessReaper', () => {
  it('stops the watched process groups when its owner is killed with SIGKILL', async () => {
    const reaperModule = new URL('../../../main/core/services/process-reaper.ts', import.meta.url).pathname;
    // The owner: starts a reaper, starts a "service" group (a shell with a grandchild), watches it, then idles.
    const owner = spawn(
      process.execPath,
      [
        '--experimental-transform-types',
        '--no-warnings',
        '--input-type=module',
        '-e',
        `
      import { spawn } from 'node:child_process';
      const { ProcessReaper } = await import(${JSON.stringify(reaperModule)});
      const logger = { warn() {}, debug() {}, info() {} };
      const reaper = ProcessReaper.start(logger);
      const svc = spawn('/bin/sh', ['-c', 'sleep 300 & echo $!; wait'], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
      svc.stdout.once('data', (d) => { reaper.watch(svc.pid); console.log(JSON.stringify({ shell: svc.pid, child: Number(String(d).trim()) })); });
      setInterval(() => {}, 1e9);
    `,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const pids = await new Promise<{ shell: number; child: number }>((resolve, reject) => {
      owner.stdout!.once('data', (d: Buffer) => resolve(JSON.parse(d.toString())));
      owner.once('exit', (code) => reject(new Error(`owner exited early with ${code}`)));
    });
    expect(pidAlive(pids.shell) && pidAlive(pids.child)).toBe(true);
    owner.kill('SIGKILL');
    await waitFor(() => !pidAlive(pids.shell) && !pidAlive(pids.child), 8000, 'the service group to be reaped');
  });
});

describe('ProcessReaper and terminals', () => {
  it("ends a terminal's whole session (HUP ignored, a job in its own group) and notes when its owner died", async () => {
    const reaperModule = new URL('../../../main/core/services/process-reaper.ts', import.meta.url).pathname;
    const dir = mkdtempSync(join(tmpdir(), 'devmesh-reaper-'));
    const note = join(dir, 'died');
    // The owner: a reaper told where to note the death, a PTY whose shell ignores SIGHUP and puts its job in a
    // process group of its own (set -m), watched as a session.
    const owner = spawn(
      process.execPath,
      [
        '--experimental-transform-types',
        '--no-warnings',
        '--input-type=module',
        '-e',
        `
      import { createRequire } from 'node:module';
      const pty = createRequire(${JSON.stringify(`${process.cwd()}/package.json`)})('node-pty');
      const { ProcessReaper } = await import(${JSON.stringify(reaperModule)});
      const logger = { warn() {}, debug() {}, info() {} };
      const reaper = ProcessReaper.start(logger, { note: ${JSON.stringify(note)} });
      const term = pty.spawn('/bin/sh', ['-c', 'set -m; trap "" HUP; sleep 300 & echo "job $!"; wait'], {});
      reaper.watchSession(term.pid);
      term.onData((d) => { const m = /job (\\d+)/.exec(String(d)); if (m) console.log(JSON.stringify({ shell: term.pid, job: Number(m[1]) })); });
      setInterval(() => {}, 1e9);
    `,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const pids = await new Promise<{ shell: number; job: number }>((resolve, reject) => {
        owner.stdout!.once('data', (d: Buffer) => resolve(JSON.parse(d.toString())));
        owner.once('exit', (code) => reject(new Error(`owner exited early with ${code}`)));
      });
      expect(processAlive(pids.shell) && processAlive(pids.job)).toBe(true);
      const killedAt = Math.floor(Date.now() / 1000);
      owner.kill('SIGKILL');
      await waitFor(
        () => !processAlive(pids.shell) && !processAlive(pids.job),
        15_000,
        "the terminal's session to be reaped",
      );
      const diedAt = Number(readFileSync(note, 'utf8'));
      expect(diedAt).toBeGreaterThanOrEqual(killedAt);
    } finally {
      owner.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes no note on a clean shutdown', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'devmesh-reaper-'));
    try {
      const reaper = ProcessReaper.start(pino({ level: 'silent' }), { note: join(dir, 'died') });
      const pid = reaper.pid!;
      reaper.dispose();
      await waitFor(() => !processAlive(pid), 5000, 'the reaper to end');
      expect(existsSync(join(dir, 'died'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
