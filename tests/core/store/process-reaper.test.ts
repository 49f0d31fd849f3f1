// The reaper's promise: when DevMesh goes away without stopping its services (killed, crashed), the
// services' process groups are stopped anyway. Here the "daemon" is a real Node process we SIGKILL.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { pidAlive, waitFor } from '../../helpers/supervisor-harness.js';

describe('ProcessReaper', () => {
  it('stops the watched process groups when its owner is killed with SIGKILL', async () => {
    const reaperModule = new URL('../../../main/core/services/process-reaper.ts', import.meta.url).pathname;
    // The owner: starts a reaper, starts a "service" group (a shell with a grandchild), watches it, then idles.
    const owner = spawn(process.execPath, ['--experimental-transform-types', '--no-warnings', '--input-type=module', '-e', `
      import { spawn } from 'node:child_process';
      const { ProcessReaper } = await import(${JSON.stringify(reaperModule)});
      const logger = { warn() {}, debug() {}, info() {} };
      const reaper = ProcessReaper.start(logger);
      const svc = spawn('/bin/sh', ['-c', 'sleep 300 & echo $!; wait'], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
      svc.stdout.once('data', (d) => { reaper.watch(svc.pid); console.log(JSON.stringify({ shell: svc.pid, child: Number(String(d).trim()) })); });
      setInterval(() => {}, 1e9);
    `], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pids = await new Promise<{ shell: number; child: number }>((resolve, reject) => {
      owner.stdout!.once('data', (d: Buffer) => resolve(JSON.parse(d.toString())));
      owner.once('exit', (code) => reject(new Error(`owner exited early with ${code}`)));
    });
    expect(pidAlive(pids.shell) && pidAlive(pids.child)).toBe(true);
    owner.kill('SIGKILL');
    await waitFor(() => !pidAlive(pids.shell) && !pidAlive(pids.child), 8000, 'the service group to be reaped');
  });
});
