// The supervisor with its store and daemon.log on a disk that fills up: a real tmpfs, filled to the last
// byte, real SQLite and real processes. Services keep running; stop, start and restart work; the health
// ledger names the problem and its rule; once space is freed it clears by itself and the registry on disk
// holds the current states, without a restart.
import BetterSqlite3 from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogLine } from '../../../shared/service.js';
import type { HealthProblem } from '../../../shared/health.js';
import { DevMeshError } from '../../../shared/errors.js';
import { DaemonHealth } from '../../../main/core/health/daemon-health.js';
import { createLogger, logDestinationState } from '../../../main/core/logging/create-logger.js';
import { EventBus } from '../../../main/core/events/event-bus.js';
import { Database } from '../../../main/core/store/database.js';
import { LogStore } from '../../../main/core/logs/log-store.js';
import { REGISTRY_RULE } from '../../../main/core/services/service-registry.js';
import { processAlive } from '../../api/test-project.js';
import { SupervisorHarness, nodeScript, project, service, waitFor } from '../../helpers/supervisor-harness.js';
import { FullDisk } from '../../helpers/full-disk.js';
import { scaled } from '../../helpers/load-scale.js';

const unavailable = FullDisk.unavailable();
const RECOVERY_MS = 60_000; // the stores retry every 3 s; generous for a loaded machine

let disk: FullDisk;
beforeEach(() => {
  if (unavailable === null) disk = FullDisk.mount(16);
});

function problem(health: DaemonHealth, component: string): HealthProblem | undefined {
  return health.snapshot().problems.find((p) => p.component === component);
}

/** Fills the disk so that the store's very next commit needs space it cannot get. */
function fillDisk(database: Database): void {
  database.db.pragma('wal_checkpoint(TRUNCATE)');
  disk.fill();
}

describe.skipIf(unavailable !== null)(
  `the supervisor on a full disk${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    let h: SupervisorHarness;
    let health: DaemonHealth;
    let logger: ReturnType<typeof createLogger>;

    beforeEach(() => {
      logger = createLogger({ name: 'devmesh', destination: join(disk.dir, 'daemon.log') });
      health = new DaemonHealth({ logger: logger.child({ domain: 'health' }), emit: () => undefined });
      h = new SupervisorHarness('demo', { dir: disk.dir, logger, health });
    });
    afterEach(async () => {
      try {
        await h.dispose();
      } finally {
        disk.release();
        disk.dispose();
      }
    });

    it(
      'keeps services running and stop/start/restart working; clears by itself once space is freed',
      async () => {
        const d = h.dir;
        const ticker = nodeScript(
          d,
          'let n = 0; setInterval(() => console.log("tick " + ++n), 50); process.on("SIGTERM", () => process.exit(0))',
        );
        const sleeper = nodeScript(d, 'setInterval(() => {}, 1e9); process.on("SIGTERM", () => process.exit(0))');
        await h.supervisor.apply(
          project(d, [service('api', { command: ticker }, d), service('web', { command: sleeper }, d)]),
        );
        await h.supervisor.startAll({ wait: true });
        const apiPid = h.supervisor.get('api').info().pid!;
        const live: LogLine[] = [];
        h.events.onDidLogLine((l) => live.push(l));

        fillDisk(h.database);
        const fullSince = Date.now();

        // Stop: stopped, not stuck in "stopping" behind a write that threw.
        const stopped = await h.supervisor.stop('web');
        expect(stopped.state).toBe('stopped');
        const registryProblem = problem(health, 'service registry');
        expect(registryProblem).toMatchObject({ code: 'DISK_FULL', rule: REGISTRY_RULE });
        expect(registryProblem!.message).toContain(join(d, 'devmesh.db'));
        expect(registryProblem!.message).toMatch(/the disk is full.*no restart needed/);
        expect(registryProblem!.dropped).toBeGreaterThan(0); // the transitions it could not store
        expect(h.registry.get('demo', 'web')).toMatchObject({ state: 'stopped', pid: null }); // decided in memory

        // api runs on; its lines reach the ring and the live stream while the store refuses them.
        await waitFor(() => problem(health, 'service logs') !== undefined, RECOVERY_MS, 'the service logs problem');
        expect(problem(health, 'service logs')!.rule).toMatch(
          /lines stay in memory.*retried every 3 s.*dropped and counted/,
        );
        await waitFor(
          () => live.some((l) => l.service === 'api' && l.ts > fullSince + 300),
          RECOVERY_MS,
          'live lines while full',
        );
        expect(processAlive(apiPid)).toBe(true);
        const whileFull = h.logs
          .tail('demo', 'api')
          .filter((l) => l.ts > fullSince && l.text.startsWith('tick '))
          .at(-1)!;
        const paged = h.logs.page({ project: 'demo', service: 'api', limit: 1000, search: whileFull.text });
        expect(paged.lines.map((l) => l.seq)).toContain(whileFull.seq); // unsaved lines are paged too

        // Start and restart work too.
        expect((await h.supervisor.start('web', { wait: true })).state).toBe('healthy');
        expect((await h.supervisor.restart('api', { wait: true })).state).toBe('healthy');
        // A chatty daemon: daemon.log is on the full disk too, and logging never throws out of the caller.
        for (let i = 0; i < 10; i++)
          expect(() => logger.info({ i, pad: 'x'.repeat(2000) }, 'a long line')).not.toThrow();
        expect(logDestinationState(logger)!.failures).toBeGreaterThan(0);

        disk.release();
        await waitFor(() => health.snapshot().ok, RECOVERY_MS, 'the health ledger to clear');
        expect(health.snapshot().recovered.map((p) => p.component)).toEqual(
          expect.arrayContaining(['service registry', 'service logs']),
        );
        await waitFor(() => h.registry.saved, RECOVERY_MS, 'the registry to be stored');

        // On disk, read by another connection: the current states, and the lines written while it was full.
        const reader = new BetterSqlite3(join(d, 'devmesh.db'), { readonly: true });
        try {
          for (const name of ['api', 'web']) {
            const info = h.supervisor.get(name).info();
            const row = reader
              .prepare('SELECT state, pid FROM services WHERE project = ? AND name = ?')
              .get('demo', name);
            expect(row).toEqual({ state: info.state, pid: info.pid });
          }
          const stored = reader.prepare('SELECT text FROM log_lines WHERE seq = ?').get(whileFull.seq) as
            { text: string } | undefined;
          expect(stored?.text).toBe(whileFull.text);
        } finally {
          reader.close();
        }
        // daemon.log kept what it could not write and wrote it once it could (one JSON object a line).
        await waitFor(
          () => readFileSync(join(d, 'daemon.log'), 'utf8').includes('"to":"stopped"'),
          RECOVERY_MS,
          'the stop in daemon.log',
        );
      },
      scaled(180_000),
    );

    it('a start that fails on a full disk names its own cause (the busy port), not the store', async () => {
      const d = h.dir;
      const blocker: Server = createServer();
      await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
      const port = (blocker.address() as { port: number }).port;
      try {
        await h.supervisor.apply(
          project(d, [service('api', { command: nodeScript(d, 'setInterval(() => {}, 1e9)'), port }, d)]),
        );
        fillDisk(h.database);
        const err = await h.supervisor.start('api', { wait: true }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(DevMeshError);
        expect((err as DevMeshError).code).toBe('PORT_BUSY');
        expect((err as DevMeshError).message).toContain(`port ${port} is busy`);
        expect(h.supervisor.get('api').info()).toMatchObject({ state: 'crashed' });
      } finally {
        blocker.close();
      }
    });
  },
);

describe.skipIf(unavailable !== null)('the service log store on a full disk', () => {
  it(
    'keeps the newest unsaved lines up to its bound, drops and counts the rest, and stores them once it can',
    async () => {
      const logger = createLogger({ name: 'devmesh', destination: join(disk.dir, 'daemon.log') });
      const health = new DaemonHealth({ logger, emit: () => undefined });
      const database = Database.open(join(disk.dir, 'devmesh.db'));
      const logs = new LogStore(database, new EventBus(), { health, flushBatchSize: 10, maxUnsaved: 50, retryMs: 200 });
      try {
        for (let i = 1; i <= 20; i++) logs.append('p', 'api', 'stdout', `before ${i}`);
        logs.flush();
        fillDisk(database);
        for (let i = 1; i <= 200; i++) logs.append('p', 'api', 'stdout', `while full ${i}`);
        expect(problem(health, 'service logs')).toMatchObject({ code: 'DISK_FULL', dropped: 150 });
        // Nothing is lost to a reader yet beyond the bound: the ring has the newest, the page the unsaved.
        expect(logs.tail('p', 'api').at(-1)!.text).toBe('while full 200');
        const page = logs.page({ project: 'p', service: 'api', limit: 1000 }).lines.map((l) => l.text);
        expect(page).toEqual([
          ...Array.from({ length: 20 }, (_, i) => `before ${i + 1}`),
          ...Array.from({ length: 50 }, (_, i) => `while full ${151 + i}`),
        ]);

        disk.release();
        await waitFor(() => health.snapshot().ok, RECOVERY_MS, 'the log store to recover');
        const reader = new BetterSqlite3(join(disk.dir, 'devmesh.db'), { readonly: true });
        try {
          const texts = (
            reader.prepare("SELECT text FROM log_lines WHERE text LIKE 'while full %' ORDER BY seq").all() as {
              text: string;
            }[]
          ).map((r) => r.text);
          expect(texts).toEqual(Array.from({ length: 50 }, (_, i) => `while full ${151 + i}`));
        } finally {
          reader.close();
        }
        expect(health.snapshot().recovered[0]).toMatchObject({ component: 'service logs', dropped: 150 });
      } finally {
        logs.dispose();
        database.close();
        disk.release();
        disk.dispose();
      }
    },
    scaled(180_000),
  );
});
