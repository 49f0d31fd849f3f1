// The request log: live delivery, paging with filters, and the per-service traffic counters.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { RequestRecord } from '../../../shared/proxy.js';
import { EventBus } from '../../../main/core/events/event-bus.js';
import { RequestLog } from '../../../main/core/proxy/request-log.js';
import { TrafficStats } from '../../../main/core/proxy/traffic-stats.js';
import { Database } from '../../../main/core/store/database.js';
import { until } from '../../helpers/until.js';
import { MIGRATIONS } from '../../../main/core/store/migrations/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const base = {
  method: 'GET',
  host: 'api.localhost',
  bytesIn: 0,
  bytesOut: 120,
  project: 'shop',
  service: 'api',
  upstream: '127.0.0.1:4000',
  error: null,
  tls: false,
  websocket: false,
  caller: null,
  instance: null,
};

describe('RequestLog and TrafficStats', () => {
  it('streams each request, pages with filters, and counts rates, errors and latency per service', () => {
    const dir = mkdtempSync(join(tmpdir(), 'devmesh-req-'));
    dirs.push(dir);
    const db = Database.open(join(dir, 'devmesh.db'));
    const events = new EventBus();
    let now = 1_000_000;
    const stats = new TrafficStats(events, () => now);
    const log = new RequestLog(db, events, stats, { retain: 1000 });
    const live: RequestRecord[] = [];
    events.onDidProxyRequest((r) => live.push(r));

    for (let i = 0; i < 100; i++)
      log.record({
        ...base,
        ts: now,
        path: `/orders/${i}`,
        status: i % 10 === 0 ? 502 : 200,
        durationMs: i + 1,
        error: i % 10 === 0 ? 'connection refused by api' : null,
      });
    log.record({ ...base, ts: now, path: '/', status: 200, durationMs: 1, service: 'web', host: 'web.localhost' });
    expect(live).toHaveLength(101);
    expect(live[0]!.seq).toBeLessThan(live[1]!.seq);

    const newest = log.page({ limit: 10 });
    expect(newest.requests.at(-1)!.service).toBe('web');
    expect(newest.hasMore).toBe(true);
    expect(log.page({ limit: 1000, service: 'api', errorsOnly: true }).requests.map((r) => r.path)).toEqual(
      Array.from({ length: 10 }, (_, i) => `/orders/${i * 10}`),
    );
    expect(log.page({ limit: 1000, search: 'orders/9' }).requests).toHaveLength(11);

    const api = stats.snapshot('shop').find((s) => s.service === 'api')!;
    expect(api).toMatchObject({ requests: 100, errors: 10, requestsPerSec: 10, errorsPerSec: 1, p50Ms: 51, p95Ms: 96 });
    now += 11_000; // the 10 s window has passed
    expect(stats.snapshot('shop').find((s) => s.service === 'api')).toMatchObject({ requests: 100, requestsPerSec: 0 });
    log.dispose();
    db.close();
  });

  it('under a flood stores at most the per-second cap, but streams and counts every request', () => {
    const dir = mkdtempSync(join(tmpdir(), 'devmesh-req-'));
    dirs.push(dir);
    const db = Database.open(join(dir, 'devmesh.db'));
    const events = new EventBus();
    const stats = new TrafficStats(events, () => 5_000_000);
    const log = new RequestLog(db, events, stats, { maxStoredPerSecond: 50 });
    let streamed = 0;
    events.onDidProxyRequest(() => streamed++);
    for (let i = 0; i < 200; i++) log.record({ ...base, ts: 5_000_000, path: `/${i}`, status: 200, durationMs: 1 });
    log.record({ ...base, ts: 5_001_000, path: '/next-second', status: 200, durationMs: 1 });
    expect(streamed).toBe(201);
    expect(log.unstored).toBe(150);
    const stored = log.page({ limit: 5000 }).requests;
    expect(stored).toHaveLength(51);
    expect(stored.at(-1)!.path).toBe('/next-second');
    expect(stats.snapshot()[0]!.requests).toBe(201);
    log.dispose();
    db.close();
  });

  it('stores the caller and the instance, and reads them back after a restart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'devmesh-req-'));
    dirs.push(dir);
    const path = join(dir, 'devmesh.db');
    const first = Database.open(path);
    const log = new RequestLog(first, new EventBus(), new TrafficStats(new EventBus()));
    log.record({
      ...base,
      ts: 1,
      path: '/a',
      status: 200,
      durationMs: 1,
      caller: 'web.shop',
      instance: 'id-alice/shop/api',
    });
    log.record({ ...base, ts: 2, path: '/b', status: 404, durationMs: 1, upstream: null });
    log.record({
      ...base,
      ts: 3,
      path: '/c',
      status: 200,
      durationMs: 1,
      caller: `${'w'.repeat(1000)}.shop`,
      instance: 'me/shop/api',
    });
    log.dispose();
    first.close();

    const second = Database.open(path);
    const rows = new RequestLog(second, new EventBus(), new TrafficStats(new EventBus())).page({ limit: 10 }).requests;
    expect(rows.map((r) => [r.path, r.caller, r.instance])).toEqual([
      ['/a', 'web.shop', 'id-alice/shop/api'],
      ['/b', null, null],
      // a caller is named by the client: bounded like host and path
      ['/c', 'w'.repeat(255), 'me/shop/api'],
    ]);
    second.close();
  });

  it('migration 4 adds the columns to a store of schema 3, keeping its rows', () => {
    const dir = mkdtempSync(join(tmpdir(), 'devmesh-req-'));
    dirs.push(dir);
    const path = join(dir, 'devmesh.db');
    const old = new BetterSqlite3(path);
    for (const [i, m] of MIGRATIONS.slice(0, 3).entries()) {
      m.up(old);
      old.pragma(`user_version = ${i + 1}`);
    }
    old
      .prepare(
        `INSERT INTO proxy_requests (seq, ts, method, host, path, status, bytes_in, bytes_out, duration_ms, project, service, upstream, error, tls, websocket)
       VALUES (7, 1000, 'GET', 'api.localhost', '/old', 200, 0, 10, 1.5, 'shop', 'api', '127.0.0.1:4000', NULL, 0, 0)`,
      )
      .run();
    old.close();

    const db = Database.open(path);
    expect(db.schemaVersion).toBe(MIGRATIONS.length);
    const log = new RequestLog(db, new EventBus(), new TrafficStats(new EventBus()));
    const added = log.record({
      ...base,
      ts: 2000,
      path: '/new',
      status: 200,
      durationMs: 1,
      caller: 'web.shop',
      instance: 'me/shop/api',
    });
    expect(added.seq).toBe(8);
    expect(log.page({ limit: 10 }).requests.map((r) => [r.path, r.caller, r.instance])).toEqual([
      ['/old', null, null],
      ['/new', 'web.shop', 'me/shop/api'],
    ]);
    log.dispose();
    db.close();
  });
  it('writes a burst in short slices, the event loop running between them, and keeps the table at its retention', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'devmesh-req-'));
    dirs.push(dir);
    const db = Database.open(join(dir, 'devmesh.db'));
    const stats = new TrafficStats(new EventBus(), () => 7_000_000);
    const log = new RequestLog(db, new EventBus(), stats, {
      retain: 300,
      flushIntervalMs: 1,
      maxStoredPerSecond: 10_000,
    });
    const stored = db.db.prepare('SELECT COUNT(*) AS n FROM proxy_requests');
    for (let i = 0; i < 1000; i++) log.record({ ...base, ts: 7_000_000, path: `/${i}`, status: 200, durationMs: 1 });
    // what other work (a proxied request) sees between two turns of the loop while the burst is written
    const seen: number[] = [];
    const deadline = Date.now() + 10_000;
    while ((seen.at(-1) ?? 0) < 300 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      seen.push((stored.get() as { n: number }).n);
    }
    const partial = seen.filter((n) => n > 0 && n < 300);
    expect(partial.length, `rows stored at each turn: ${seen.join(' ')}`).toBeGreaterThan(0);
    await until('every slice written', () => log.backlog.waiting === 0);
    expect((stored.get() as { n: number }).n).toBe(300);
    const kept = log.page({ limit: 1000 }).requests;
    expect(kept[0]!.path).toBe('/700');
    expect(kept.at(-1)!.path).toBe('/999');
    log.dispose();
    db.close();
  });
});
