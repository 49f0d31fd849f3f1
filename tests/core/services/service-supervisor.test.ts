// The supervisor with real processes: start order, health, crash/backoff/restart, the crash-loop bound,
// stopping whole process trees, busy ports, log capture and config changes.
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DevMeshError } from '../../../shared/errors.js';
import {
  SupervisorHarness,
  httpServer,
  nodeScript,
  pidAlive,
  project,
  service,
  waitFor,
} from '../../helpers/supervisor-harness.js';

let h: SupervisorHarness;
beforeEach(() => {
  h = new SupervisorHarness();
});
afterEach(async () => {
  await h.dispose();
});

const httpHealth = {
  kind: 'http' as const,
  path: '/health',
  intervalMs: 100,
  timeoutMs: 1000,
  retries: 2,
  startTimeoutMs: 10_000,
};

describe('ServiceSupervisor', () => {
  it('starts services in dependency order, each dependency healthy before its dependent starts', async () => {
    const d = h.dir;
    await h.supervisor.apply(
      project(d, [
        service('auth', { command: httpServer(d, 'setTimeout(() => {}, 1e9)'), health: httpHealth }, d),
        service(
          'api',
          {
            command: httpServer(d),
            health: httpHealth,
            dependsOn: [{ name: 'auth', range: '^1', onVersionMismatch: 'warn' }],
          },
          d,
        ),
        service(
          'web',
          {
            command: httpServer(d),
            health: httpHealth,
            dependsOn: [{ name: 'api', range: null, onVersionMismatch: 'warn' }],
          },
          d,
        ),
      ]),
    );
    const info = await h.supervisor.start('web', { wait: true });
    expect(info.state).toBe('healthy');
    const order = h.transitions().map((e) => `${e.service}:${e.to}`);
    expect(order.indexOf('auth:healthy')).toBeLessThan(order.indexOf('api:starting'));
    expect(order.indexOf('api:healthy')).toBeLessThan(order.indexOf('web:starting'));
    // Each service got its own port as $PORT, and its dependency's address.
    const ports = h.supervisor.list().map((s) => s.port);
    expect(new Set(ports).size).toBe(3);
    const res = await fetch(`http://127.0.0.1:${h.supervisor.get('api').info().port}/`);
    expect(await res.text()).toBe('api ok');
    expect(() => h.supervisor.get('wbe')).toThrow(
      "no service 'wbe' in project demo; did you mean 'web'? (its services: auth, api, web)",
    );
  });

  it('passes the dependency address to the dependent as AUTH_URL / AUTH_PORT', async () => {
    const d = h.dir;
    const printEnv = nodeScript(
      d,
      'console.log("auth at", process.env.AUTH_URL, process.env.AUTH_PORT); setInterval(() => {}, 1e9)',
    );
    await h.supervisor.apply(
      project(d, [
        service('auth', { command: httpServer(d), health: httpHealth }, d),
        service('api', { command: printEnv, dependsOn: [{ name: 'auth', range: null, onVersionMismatch: 'warn' }] }, d),
      ]),
    );
    await h.supervisor.start('api', { wait: true });
    const authPort = h.supervisor.get('auth').info().port;
    await waitFor(() => h.logs.tail('demo', 'api').some((l) => l.text.startsWith('auth at')), 5000, 'the env line');
    const line = h.logs.tail('demo', 'api').find((l) => l.text.startsWith('auth at'))!;
    expect(line.text).toBe(`auth at http://127.0.0.1:${authPort} ${authPort}`);
  });

  it('marks a service unhealthy when its health check fails, and healthy again when it recovers', async () => {
    const d = h.dir;
    await h.supervisor.apply(project(d, [service('api', { command: httpServer(d), health: httpHealth }, d)]));
    await h.supervisor.start('api', { wait: true });
    writeFileSync(join(d, 'health-status'), '500');
    await h.until('api', 'unhealthy');
    expect(h.supervisor.get('api').info().reason).toMatch(/GET \/health → 500/);
    writeFileSync(join(d, 'health-status'), '200');
    await h.until('api', 'healthy');
    expect(h.supervisor.get('api').info().reason).toMatch(/recovered/);
  });

  it('restarts a crashed service with backoff, then gives up after max_restarts with a clear reason', async () => {
    const d = h.dir;
    const crasher = nodeScript(d, 'console.error("Error: database is gone"); setTimeout(() => process.exit(3), 150)');
    await h.supervisor.apply(project(d, [service('api', { command: crasher }, d)]));
    await h.supervisor.start('api');
    await h.until('api', 'crashed', 20_000);
    await waitFor(
      () => /not restarting/.test(h.supervisor.get('api').info().reason ?? ''),
      20_000,
      'the crash-loop bound',
    );
    const info = h.supervisor.get('api').info();
    expect(info.restarts).toBe(3);
    expect(info.reason).toMatch(/exited with code 3: Error: database is gone/);
    expect(info.reason).toMatch(/max_restarts: 3/);
    const seq = h.transitions('api').map((e) => e.to);
    expect(seq.filter((s) => s === 'backing-off')).toHaveLength(3);
    expect(seq.slice(0, 4)).toEqual(['starting', 'healthy', 'crashed', 'backing-off']);
    const backoff = h.transitions('api').find((e) => e.to === 'backing-off')!;
    expect(backoff.reason).toMatch(/restarting in \d+\.\d s \(attempt 1 of 3\) after: exited with code 3/);
  });

  it('does not restart a service with restart: no, and treats exit 0 as stopped', async () => {
    const d = h.dir;
    await h.supervisor.apply(
      project(d, [
        service(
          'once',
          {
            command: nodeScript(d, 'setTimeout(() => process.exit(0), 300)'),
            restart: {
              policy: 'on-failure',
              maxRestarts: 3,
              backoffInitialMs: 50,
              backoffMaxMs: 100,
              resetAfterMs: 1000,
            },
          },
          d,
        ),
        service(
          'fail',
          {
            command: nodeScript(d, 'setTimeout(() => process.exit(1), 300)'),
            restart: { policy: 'no', maxRestarts: 3, backoffInitialMs: 50, backoffMaxMs: 100, resetAfterMs: 1000 },
          },
          d,
        ),
      ]),
    );
    await h.supervisor.startAll();
    await h.until('once', 'stopped');
    await h.until('fail', 'crashed');
    await new Promise((r) => setTimeout(r, 300));
    expect(h.supervisor.get('fail').current).toBe('crashed');
    expect(h.supervisor.get('once').info().reason).toBe('exited with code 0');
  });

  it('stop ends the whole process tree, with SIGKILL after stop_timeout when the signal is ignored', async () => {
    const d = h.dir;
    // A shell that ignores SIGTERM and a grandchild that would otherwise be orphaned.
    const stubborn = `trap '' TERM; sleep 300 & echo "child $!"; while true; do sleep 1; done`;
    await h.supervisor.apply(project(d, [service('api', { command: stubborn, stopTimeoutMs: 400 }, d)]));
    await h.supervisor.start('api', { wait: true });
    await waitFor(() => h.logs.tail('demo', 'api').some((l) => l.text.startsWith('child ')), 5000, 'the child pid');
    const childPid = Number(
      h.logs
        .tail('demo', 'api')
        .find((l) => l.text.startsWith('child '))!
        .text.split(' ')[1],
    );
    const shellPid = h.supervisor.get('api').info().pid!;
    expect(pidAlive(childPid)).toBe(true);
    const info = await h.supervisor.stop('api');
    expect(info.state).toBe('stopped');
    expect(info.reason).toMatch(/SIGKILL after stop_timeout/);
    await waitFor(() => !pidAlive(childPid) && !pidAlive(shellPid), 3000, 'the tree to be gone');
  });

  it('refuses to start on a busy fixed port, naming the port and the process holding it', async () => {
    const d = h.dir;
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      await h.supervisor.apply(project(d, [service('api', { command: httpServer(d), port }, d)]));
      const err = await h.supervisor
        .get('api')
        .start()
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DevMeshError);
      expect((err as DevMeshError).code).toBe('PORT_BUSY');
      expect((err as DevMeshError).message).toContain(`port ${port} is busy, held by pid ${process.pid}`);
      expect((err as DevMeshError).message).toContain('services.api.port');
      expect(h.supervisor.get('api').info()).toMatchObject({ state: 'crashed' });
    } finally {
      blocker.close();
    }
  });

  it('captures stdout and stderr line by line with timestamps into the log store', async () => {
    const d = h.dir;
    const talker = nodeScript(
      d,
      'console.log("one"); console.error("two"); process.stdout.write("three\\nfour"); setTimeout(() => {}, 1e9)',
    );
    await h.supervisor.apply(project(d, [service('api', { command: talker }, d)]));
    await h.supervisor.start('api', { wait: true });
    await waitFor(() => h.logs.tail('demo', 'api').some((l) => l.text === 'three'), 5000, 'output');
    await h.supervisor.stop('api');
    const page = h.logs.page({ project: 'demo', service: 'api', limit: 100 });
    const output = page.lines.filter((l) => l.stream !== 'system').map((l) => `${l.stream}:${l.text}`);
    expect(output).toEqual(expect.arrayContaining(['stdout:one', 'stderr:two', 'stdout:three', 'stdout:four']));
    expect(page.lines.every((l) => l.ts > Date.now() - 60_000)).toBe(true);
    expect(page.lines.some((l) => l.stream === 'system' && /^started pid \d+/.test(l.text))).toBe(true);
    expect(
      h.logs.page({ project: 'demo', service: 'api', limit: 10, search: 'THREE' }).lines.map((l) => l.text),
    ).toEqual(['three']);
  });

  it('applies a changed config by restarting only the changed services', async () => {
    const d = h.dir;
    const a = service('a', { command: httpServer(d), health: httpHealth }, d);
    const b = service('b', { command: httpServer(d), health: httpHealth }, d);
    await h.supervisor.apply(project(d, [a, b]));
    await h.supervisor.startAll({ wait: true });
    const pidA = h.supervisor.get('a').info().pid;
    const pidB = h.supervisor.get('b').info().pid;
    const changes = await h.supervisor.apply(
      project(d, [a, { ...b, env: { NEW: '1' } }, service('c', { command: httpServer(d) }, d)]),
    );
    expect(changes).toEqual({ added: ['c'], removed: [], changed: ['b'] });
    await h.until('b', 'healthy');
    expect(h.supervisor.get('a').info().pid).toBe(pidA);
    expect(h.supervisor.get('b').info().pid).not.toBe(pidB);
    const removed = await h.supervisor.apply(project(d, [a]));
    expect(removed.removed.sort()).toEqual(['b', 'c']);
    expect(h.supervisor.names()).toEqual(['a']);
  });

  it('keeps the registry in SQLite: name, version, port, pid and state', async () => {
    const d = h.dir;
    await h.supervisor.apply(
      project(d, [service('api', { command: httpServer(d), version: '1.4.0', health: httpHealth }, d)]),
    );
    await h.supervisor.start('api', { wait: true });
    const row = h.registry.get('demo', 'api')!;
    expect(row).toMatchObject({
      version: '1.4.0',
      state: 'healthy',
      pid: h.supervisor.get('api').info().pid,
      port: h.supervisor.get('api').info().port,
    });
    await h.supervisor.stop('api');
    expect(h.registry.get('demo', 'api')).toMatchObject({ state: 'stopped', pid: null });
    expect(h.registry.transitions('demo', 'api').map((t) => t.to_state)).toEqual([
      'stopped',
      'stopping',
      'healthy',
      'starting',
    ]);
  });
});
