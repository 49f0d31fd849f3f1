// Stopping a service started the way users write it, `command: node server.mjs`: Debian's /bin/sh (dash)
// stays the parent of node and dies on SIGTERM at once. The service's own processes still get the stop
// signal and the whole stop_timeout for their cleanup; SIGKILL comes only after that, to what is left.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { processAlive } from '../../api/test-project.js';
import { SupervisorHarness, project, service, waitFor } from '../../helpers/supervisor-harness.js';

let h: SupervisorHarness;
beforeEach(() => {
  h = new SupervisorHarness();
});
afterEach(async () => {
  await h.dispose();
});

/** Node's pid as the service prints it: the shell's child, not the pid DevMesh spawned. */
async function nodePid(name: string): Promise<number> {
  await waitFor(
    () => h.logs.tail('demo', name).some((l) => l.text.startsWith('node pid ')),
    30_000,
    `${name}'s node pid`,
  );
  return Number(
    h.logs
      .tail('demo', name)
      .find((l) => l.text.startsWith('node pid '))!
      .text.slice('node pid '.length),
  );
}

describe('graceful stop of `node server.mjs` (sh stays the parent)', () => {
  it('gives node its stop signal and the time to clean up: the file it writes on SIGTERM is there', async () => {
    const d = h.dir;
    // Like Vite: on SIGTERM it takes a while (here ~300 ms), writes what it must, then exits.
    writeFileSync(
      join(d, 'server.mjs'),
      `import { writeFileSync } from 'node:fs';
       setInterval(() => {}, 1e9);
       process.on('SIGTERM', () => setTimeout(() => { writeFileSync('cleaned-up', 'bye ' + process.pid); process.exit(0); }, 300));
       console.log('node pid ' + process.pid); // last: the handler is in place once the test sees it`,
    );
    await h.supervisor.apply(project(d, [service('web', { command: 'node server.mjs', stopTimeoutMs: 10_000 }, d)]));
    await h.supervisor.start('web', { wait: true });
    const pid = await nodePid('web');
    expect(pid).not.toBe(h.supervisor.get('web').info().pid); // sh is the parent: the case under test

    const info = await h.supervisor.stop('web');
    expect(info.state).toBe('stopped');
    expect(info.reason).not.toMatch(/SIGKILL/);
    expect(existsSync(join(d, 'cleaned-up'))).toBe(true);
    expect(readFileSync(join(d, 'cleaned-up'), 'utf8')).toBe(`bye ${pid}`);
    expect(processAlive(pid)).toBe(false); // an orphan's zombie may linger until PID 1 reaps it

    // Started again at once: nothing of the old run is left to get in the way.
    await h.supervisor.start('web', { wait: true });
    expect(await nodePid('web')).toBeGreaterThan(0);
  });

  it('SIGKILLs a node that ignores SIGTERM, but only after its stop_timeout', async () => {
    const d = h.dir;
    writeFileSync(
      join(d, 'server.mjs'),
      `let got = false;
       process.on('SIGTERM', () => { got = true; console.log('SIGTERM received, ignoring it'); });
       setInterval(() => { if (got) console.log('still here after SIGTERM'); }, 50);
       console.log('node pid ' + process.pid);`,
    );
    await h.supervisor.apply(project(d, [service('api', { command: 'node server.mjs', stopTimeoutMs: 1500 }, d)]));
    await h.supervisor.start('api', { wait: true });
    const pid = await nodePid('api');

    const info = await h.supervisor.stop('api');
    expect(info.state).toBe('stopped');
    expect(info.reason).toMatch(/killed with SIGKILL after stop_timeout \(1500 ms\)/);
    const lines = h.logs.tail('demo', 'api').map((l) => l.text);
    // It lived on after the signal (the stop_timeout was its own), and then it was gone.
    expect(lines).toContain('SIGTERM received, ignoring it');
    expect(lines).toContain('still here after SIGTERM');
    expect(processAlive(pid)).toBe(false); // an orphan's zombie may linger until PID 1 reaps it
  });
});
