// Logs: paging backwards, substring search, retention by size, and surviving a reopen of the store.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../../main/core/events/event-bus.js';
import { Database } from '../../../main/core/store/database.js';
import { LogStore } from '../../../main/core/logs/log-store.js';
import { parseLogQuery } from '../../../shared/log-query.js';

const request = (q: string) => ({ project: 'p', query: parseLogQuery(q), limit: 100, count: false });

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** `maxBytes`: what a project keeps (the lines' text); the age limit is far away */
function open(dir: string, maxBytes = 1024 ** 3): { db: Database; logs: LogStore } {
  const db = Database.open(join(dir, 'devmesh.db'));
  const retention = { maxBytes, maxAgeMs: 24 * 3_600_000 };
  return { db, logs: new LogStore(db, new EventBus(), { retention, flushIntervalMs: 5, flushBatchSize: 100 }) };
}

describe('LogStore', () => {
  it('pages backwards from the newest lines and filters by text', () => {
    const dir = mkdtempSync(join(tmpdir(), 'devmesh-logs-'));
    dirs.push(dir);
    const { db, logs } = open(dir);
    for (let i = 1; i <= 50; i++) logs.append('p', 'api', i % 2 ? 'stdout' : 'stderr', `line ${i}`);
    logs.append('p', 'web', 'stdout', 'not api');
    const newest = logs.page({ project: 'p', service: 'api', limit: 10 });
    expect(newest.lines.map((l) => l.text)).toEqual(Array.from({ length: 10 }, (_, i) => `line ${41 + i}`));
    expect(newest.hasMore).toBe(true);
    const older = logs.page({ project: 'p', service: 'api', limit: 10, before: newest.lines[0]!.seq });
    expect(older.lines[0]!.text).toBe('line 31');
    expect(logs.page({ project: 'p', service: 'api', limit: 100, search: 'line 4' }).lines).toHaveLength(11);
    expect(logs.page({ project: 'p', service: 'api', limit: 100, search: '100%' }).lines).toHaveLength(0);
    logs.dispose();
    db.close();
  });

  it("keeps a project's lines within its size, oldest dropped first, and the lines survive a restart", () => {
    const dir = mkdtempSync(join(tmpdir(), 'devmesh-logs-'));
    dirs.push(dir);
    const first = open(dir, 1000); // "line 123" is 8 bytes: about 110 lines fit
    for (let i = 1; i <= 1000; i++) first.logs.append('p', 'api', 'stdout', `line ${String(i).padStart(4, '0')}`);
    first.logs.dispose();
    first.db.close();
    const second = open(dir, 1000);
    const page = second.logs.page({ project: 'p', service: 'api', limit: 5000 });
    expect(page.lines.length).toBeLessThanOrEqual(1000 / 9);
    expect(page.lines.length).toBeGreaterThanOrEqual(80);
    expect(second.logs.usage('p').bytes).toBeLessThanOrEqual(1000);
    // the index lost the dropped lines too: a word only the first lines had finds nothing
    expect(second.logs.search(request('0001')).lines).toEqual([]);
    expect(second.logs.search(request('1000')).lines.map((l) => l.text)).toEqual(['line 1000']);
    expect(page.lines.at(-1)!.text).toBe('line 1000');
    // New lines continue the sequence instead of reusing numbers.
    const next = second.logs.append('p', 'api', 'stdout', 'after restart');
    expect(next.seq).toBeGreaterThan(page.lines.at(-1)!.seq);
    second.logs.dispose();
    second.db.close();
  });
});
