// DaemonProcess: what `devmesh down` checks before it signals the pid of daemon.json without the API. Real
// processes of this machine (Linux /proc): a reused pid, a process that is not DevMesh, a foreign URL.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DaemonProcess } from '../../main/cli/daemon-process.js';
import type { DaemonRecord } from '../../main/core/home/devmesh-home.js';

const linux = process.platform === 'linux';
const record = (over: Partial<DaemonRecord>): DaemonRecord => ({
  pid: process.pid,
  port: 7780,
  url: 'http://127.0.0.1:7780/',
  version: '0.0.0',
  face: 'daemon',
  startedAt: Date.now(),
  ...over,
});

describe.skipIf(!linux)('DaemonProcess.identify (needs /proc)', () => {
  it('refuses a pid whose process started long after the recorded daemon (a reused pid)', () => {
    const r = new DaemonProcess(record({ startedAt: Date.now() - 3_600_000 })).identify();
    expect(r).toMatchObject({ ok: false });
    expect(!r.ok && r.why).toMatch(/reused pid/);
  });

  it('refuses a process that is not DevMesh, and a URL off this machine', async () => {
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 100));
      const r = new DaemonProcess(record({ pid: sleeper.pid!, startedAt: Date.now() })).identify();
      expect(!r.ok && r.why).toMatch(/is not DevMesh/);
    } finally {
      sleeper.kill();
    }
    const far = new DaemonProcess(record({ url: 'http://10.1.2.3:7780/' })).identify();
    expect(!far.ok && far.why).toMatch(/not on this machine/);
  });
});
