// The request log when its store fails: on a real full disk (a tmpfs) and with a row the table refuses.
// Nothing may throw into the proxy or a timer; the failure shows as a health problem with its rule, the
// live stream and the counters go on, and the rows are written once space is back (no restart).
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HealthChangedEvent } from '../../../shared/health.js';
import type { RequestRecord } from '../../../shared/proxy.js';
import { EventBus } from '../../../main/core/events/event-bus.js';
import { DaemonHealth } from '../../../main/core/health/daemon-health.js';
import { RequestLog } from '../../../main/core/proxy/request-log.js';
import { TrafficStats } from '../../../main/core/proxy/traffic-stats.js';
import { Database } from '../../../main/core/store/database.js';
import { FullDisk } from '../../helpers/full-disk.js';
import { until } from '../../helpers/until.js';
import pino from 'pino';

const base = {
  method: 'GET',
  host: 'api.localhost',
  bytesIn: 0,
  bytesOut: 120,
  project: 'shop',
  service: 'api',
  upstream: '127.0.0.1:4000',
  error: null,
  tls: true,
  websocket: false,
  caller: null,
  instance: null,
};
const disks: FullDisk[] = [];
const uncaught: unknown[] = [];
const onUncaught = (err: unknown): void => void uncaught.push(err);
process.on('uncaughtException', onUncaught);

afterEach(() => {
  for (const d of disks.splice(0)) d.dispose();
});

function open(dir: string) {
  const events = new EventBus();
  const changes: HealthChangedEvent[] = [];
  events.onDidEmitEvent((e) => e.type === 'health.changed' && changes.push(e));
  const health = new DaemonHealth({ logger: pino({ enabled: false }), emit: (e) => events.emit(e) });
  const db = Database.open(join(dir, 'devmesh.db'));
  const stats = new TrafficStats(events);
  const log = new RequestLog(db, events, stats, { health, flushIntervalMs: 5, where: join(dir, 'devmesh.db') });
  return { events, health, db, stats, log, changes };
}

describe('RequestLog when its store fails', () => {
  it('stores a row whose byte count the transport could not give (an HTTP/2 stream) instead of crashing', async () => {
    const disk = FullDisk.mount(8);
    disks.push(disk);
    const { log, db, health } = open(disk.dir);
    // what the HTTP/2 path handed it: req.socket.bytesWritten is undefined once the stream closed
    log.record({
      ...base,
      ts: Date.now(),
      path: '/h2',
      status: 200,
      durationMs: 3,
      bytesOut: undefined as unknown as number,
    });
    await until('the row stored', () => log.page({ limit: 10 }).requests.length === 1);
    expect(log.page({ limit: 10 }).requests[0]).toMatchObject({ path: '/h2', bytesOut: 0, status: 200 });
    expect(health.snapshot().ok).toBe(true);
    expect(uncaught).toEqual([]);
    log.dispose();
    db.close();
  });

  it.skipIf(FullDisk.unavailable() !== null)(
    'keeps streaming on a full disk, shows the problem, and catches up once space is freed',
    async () => {
      const disk = FullDisk.mount(4);
      disks.push(disk);
      const { events, log, db, health, stats, changes } = open(disk.dir);
      const live: RequestRecord[] = [];
      events.onDidProxyRequest((r) => live.push(r));
      log.record({ ...base, ts: Date.now(), path: '/before', status: 200, durationMs: 1 });
      log.flush();

      disk.fill();
      // enough rows that the WAL must grow past what it already holds
      for (let i = 0; i < 600; i++)
        log.record({ ...base, ts: Date.now(), path: `/full/${i}/${'x'.repeat(1500)}`, status: 200, durationMs: 1 });
      log.flush();
      const problem = await until('a health problem for the request log', () =>
        health.snapshot().problems.find((p) => p.component === 'request log'),
      );
      expect(problem.code).toBe('DISK_FULL');
      expect(problem.message).toMatch(/disk is full/);
      expect(problem.message).toContain(disk.dir);
      expect(problem.rule).toMatch(/written again every 5 s/);
      expect(changes.at(-1)!.problems.map((p) => p.component)).toEqual(['request log']);
      expect(live).toHaveLength(601);
      expect(stats.snapshot()[0]!.requests).toBe(601);
      expect(log.backlog.waiting).toBeGreaterThan(0);

      disk.release();
      await until('the waiting rows written', () => log.backlog.waiting === 0, 20_000);
      await until('the problem cleared', () => health.snapshot().ok);
      expect(changes.at(-1)!.problems).toEqual([]);
      expect(health.snapshot().recovered[0]).toMatchObject({ component: 'request log', code: 'DISK_FULL' });
      expect(log.page({ limit: 1000 }).requests).toHaveLength(601);
      expect(uncaught).toEqual([]);
      log.dispose();
      db.close();
    },
  );
});
