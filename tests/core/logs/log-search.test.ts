// logs.search's engine on a store on disk: words through the FTS5 index, filters, services, time bounds,
// paging by cursor, counts; retention by age removing index rows too; an old store (schema 15) keeping
// its lines through migration 016 and finding them.
import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseLogQuery } from '../../../shared/log-query.js';
import { EventBus } from '../../../main/core/events/event-bus.js';
import { LogStore } from '../../../main/core/logs/log-store.js';
import { Database } from '../../../main/core/store/database.js';
import { MIGRATIONS } from '../../../main/core/store/migrations/index.js';
import { until } from '../../helpers/until.js';

const dirs: string[] = [];
const opened: { db: Database; logs: LogStore }[] = [];
afterEach(() => {
  for (const o of opened.splice(0)) {
    o.logs.dispose();
    o.db.close();
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function open(dir?: string, deps: ConstructorParameters<typeof LogStore>[2] = {}) {
  const folder = dir ?? mkdtempSync(join(tmpdir(), 'devmesh-search-'));
  if (!dir) dirs.push(folder);
  const db = Database.open(join(folder, 'devmesh.db'));
  const logs = new LogStore(db, new EventBus(), { flushIntervalMs: 5, ...deps });
  opened.push({ db, logs });
  return { db, logs, dir: folder };
}

const search = (logs: LogStore, q: string, extra: Partial<Parameters<LogStore['search']>[0]> = {}) =>
  logs.search({ project: 'shop', query: parseLogQuery(q), limit: 100, count: true, ...extra });

describe('LogStore.search', () => {
  it('finds words, phrases and prefixes across services, with filters and highlight ranges', () => {
    const { logs } = open();
    logs.append('shop', 'api', 'stdout', '{"level":"error","msg":"payment failed","user":{"id":42},"ts":1}');
    logs.append('shop', 'api', 'stdout', '{"level":30,"msg":"payment ok","user":{"id":7}}');
    logs.append('shop', 'web', 'stderr', 'GET /orders connection reset by peer');
    logs.append('shop', 'web', 'stdout', 'INFO connection pool ready');
    logs.append('other', 'web', 'stdout', 'payment in another project');

    expect(search(logs, 'payment').lines.map((l) => l.msg)).toEqual(['payment failed', 'payment ok']);
    expect(search(logs, '"connection reset"').lines.map((l) => l.service)).toEqual(['web']);
    expect(search(logs, 'conn*').total).toBe(2);
    expect(search(logs, 'connection -reset').lines.map((l) => l.text)).toEqual(['INFO connection pool ready']);
    expect(search(logs, '-payment').total).toBe(2);
    expect(search(logs, 'level>=warn').lines.map((l) => l.service)).toEqual(['api', 'web']);
    expect(search(logs, 'user.id=42').lines.map((l) => l.msg)).toEqual(['payment failed']);
    expect(search(logs, 'user.id>=7 service=api').total).toBe(2);
    expect(search(logs, 'payment', { services: ['web'] }).total).toBe(0);
    expect(search(logs, '', { minLevel: 50 }).lines.map((l) => l.msg)).toEqual(['payment failed']);

    const hit = search(logs, 'failed 42').lines[0]!;
    expect(hit).toMatchObject({ level: 50, msg: 'payment failed', fields: { user: { id: 42 } } });
    // ranges into the shown text, `payment failed  user.id=42`
    expect(hit.matches).toEqual([
      [8, 14],
      [24, 26],
    ]);
  });

  it('pages newest first by cursor, oldest first within a page, and bounds by time', () => {
    const { logs } = open();
    for (let i = 1; i <= 25; i++) logs.append('shop', 'api', 'stdout', `tick ${i}`);
    const first = search(logs, 'tick', { limit: 10 });
    expect(first.lines.map((l) => l.text)).toEqual(Array.from({ length: 10 }, (_, i) => `tick ${16 + i}`));
    expect(first.total).toBe(25);
    const second = search(logs, 'tick', { limit: 10, cursor: first.nextCursor! });
    expect(second.lines[0]!.text).toBe('tick 6');
    const third = search(logs, 'tick', { limit: 10, cursor: second.nextCursor! });
    expect(third.lines).toHaveLength(5);
    expect(third.nextCursor).toBeNull();

    const lines = search(logs, 'tick').lines;
    const mid = lines[12]!.ts;
    const since = search(logs, 'tick', { since: mid });
    expect(since.lines.every((l) => l.ts >= mid)).toBe(true);
    expect(since.lines[0]!.text).toBe(lines.find((l) => l.ts >= mid)!.text);
    expect(search(logs, 'tick', { until: lines[0]!.ts - 1 }).total).toBe(0);
  });

  it('drops lines past their age, from the index too', async () => {
    const { logs } = open(undefined, { ageCheckMs: 20 });
    logs.append('shop', 'api', 'stdout', 'ancient words');
    logs.flush();
    expect(search(logs, 'ancient').total).toBe(1);
    logs.setRetention('shop', { maxBytes: 1024 ** 3, maxAgeMs: 1 });
    await until('the age check', () => logs.usage('shop').lines === 0);
    expect(search(logs, 'ancient').total).toBe(0);
    expect(logs.usage('shop')).toEqual({ bytes: 0, lines: 0 });
  });

  it('keeps the lines of a store made before search (schema 15) and finds them after the upgrade', () => {
    const dir = mkdtempSync(join(tmpdir(), 'devmesh-search-old-'));
    dirs.push(dir);
    const old = new BetterSqlite3(join(dir, 'devmesh.db'));
    old.transaction(() => {
      for (const m of MIGRATIONS.slice(0, 15)) m.up(old);
      old.pragma('user_version = 15');
    })();
    const insert = old.prepare(
      "INSERT INTO log_lines (seq, project, service, stream, ts, text) VALUES (?, 'shop', 'api', ?, ?, ?)",
    );
    old.transaction(() => {
      for (let i = 1; i <= 300; i++) insert.run(i, i % 10 ? 'stdout' : 'stderr', Date.now(), `old line ${i} kept`);
    })();
    old.close();

    const { logs, db } = open(dir);
    expect(db.schemaVersion).toBeGreaterThanOrEqual(16);
    expect(search(logs, 'kept').total).toBe(300);
    expect(search(logs, '"old line 150"').lines.map((l) => l.seq)).toEqual([150]);
    expect(search(logs, 'level>=warn').total).toBe(30); // stderr lines
    expect(logs.usage('shop').lines).toBe(300);
    expect(logs.append('shop', 'api', 'stdout', 'new').seq).toBe(301);
  });
});
