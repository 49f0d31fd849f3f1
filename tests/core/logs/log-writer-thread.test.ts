// The log store writing through its worker thread (ThreadLogWriter), as the daemon does: SQLite on disk, a real
// thread, real services printing into real pipes. Lines arrive in order and none is lost; readers see the pending
// lines without duplicates while a write is in flight; a service printing faster than the store takes its lines
// is held back (its pipe not read) instead of growing the daemon's memory; an idle thread ends and a new one
// starts; a thread that dies loses nothing; dispose stores what is pending.
import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LogLine } from '../../../shared/service.js';
import { parseLogQuery } from '../../../shared/log-query.js';
import { EventBus } from '../../../main/core/events/event-bus.js';
import { DaemonHealth } from '../../../main/core/health/daemon-health.js';
import { LogStore, type LogStoreDeps } from '../../../main/core/logs/log-store.js';
import { ThreadLogWriter } from '../../../main/core/logs/log-writer-thread.js';
import { logWriterFor } from '../../../main/core/logs/log-writer.js';
import { Database } from '../../../main/core/store/database.js';
import { SupervisorHarness, nodeScript, project, service } from '../../helpers/supervisor-harness.js';
import { until } from '../../helpers/until.js';
import { scaled } from '../../helpers/load-scale.js';
import pino from 'pino';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'devmesh-logthread-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function openStore(dir: string, deps: LogStoreDeps = {}) {
  const database = Database.open(join(dir, 'devmesh.db'));
  const writer = (deps.writer as ThreadLogWriter | undefined) ?? new ThreadLogWriter(database.path);
  const health = new DaemonHealth({ logger: pino({ level: 'silent' }), emit: () => undefined });
  const logs = new LogStore(database, new EventBus(), { health, ...deps, writer });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await logs.dispose();
    database.close();
  };
  cleanups.push(close);
  return { database, logs, writer, health, close };
}

const search = (q: string, extra: object = {}) => ({
  project: 'p',
  query: parseLogQuery(q),
  limit: 100,
  count: true,
  ...extra,
});

/** seqs strictly growing (oldest first) with no repeats */
function inOrder(lines: LogLine[]): boolean {
  return lines.every((l, i) => i === 0 || l.seq > lines[i - 1]!.seq);
}

describe('the log store with its writer thread', () => {
  it('a store on disk gets a writer thread, one in memory writes inline', () => {
    const dir = tempDir();
    const onDisk = Database.open(join(dir, 'devmesh.db'));
    const inMemory = Database.open(':memory:');
    cleanups.push(
      () => onDisk.close(),
      () => inMemory.close(),
    );
    expect(logWriterFor(onDisk)).toBeInstanceOf(ThreadLogWriter);
    expect(logWriterFor(inMemory)).not.toBeInstanceOf(ThreadLogWriter);
  });

  it('stores a flood in order with none lost, and readers see pending lines once, while writes are in flight', async () => {
    const { logs, writer, close, database } = openStore(tempDir(), { maxBatch: 2000, flushBatchSize: 500 });
    const total = 30_000;
    let sawPending = false;
    for (let i = 1; i <= total; i++) {
      logs.append('p', i % 3 ? 'api' : 'web', 'stdout', `request ${i} served${i % 1000 === 0 ? ' milestone' : ''}`);
      if (i % 5000 === 0) {
        // a reader in the middle of the flood: the newest line is there, no line twice, in order
        const page = logs.page({ project: 'p', service: i % 3 ? 'api' : 'web', limit: 300 });
        expect(page.lines.at(-1)!.text).toMatch(new RegExp(`^request ${i} `));
        expect(inOrder(page.lines)).toBe(true);
        const found = logs.search(search('milestone', { limit: 1000 }));
        expect(found.total).toBe(i / 1000);
        expect(inOrder(found.lines)).toBe(true);
        expect(found.lines.at(-1)!.text).toBe(`request ${i} served milestone`);
        sawPending ||= writer.running;
      }
    }
    expect(sawPending).toBe(true);
    await until('the flood stored', () => logs.settled().then(() => true), scaled(60_000));
    expect(logs.search(search('served')).total).toBe(total);
    expect(logs.usage('p').lines).toBe(total);
    await close();
    // on disk, from another connection: every line once, in order, and indexed
    const reader = new BetterSqlite3(database.path, { readonly: true });
    cleanups.push(() => reader.close());
    const stats = reader
      .prepare('SELECT count(*) AS n, count(DISTINCT seq) AS d, min(seq) AS lo, max(seq) AS hi FROM log_lines')
      .get();
    expect(stats).toEqual({ n: total, d: total, lo: 1, hi: total });
    const indexed = reader.prepare("SELECT count(*) AS n FROM log_fts WHERE log_fts MATCH 'milestone'").get();
    expect(indexed).toEqual({ n: total / 1000 });
  });

  it('tells readers of service output to wait while the writer is behind, and lets them go once it catches up', async () => {
    const { logs } = openStore(tempDir(), { maxBatch: 1000, flushBatchSize: 1000, highWaterLines: 3000 });
    for (let i = 0; i < 2999; i++) logs.append('p', 'api', 'stdout', `line ${i}`);
    expect(logs.congested()).toBeNull();
    logs.append('p', 'api', 'stdout', 'the line at the high water');
    const behind = logs.congested();
    expect(behind).toBeInstanceOf(Promise);
    await until('the writer to catch up', () => behind!.then(() => true), scaled(30_000));
    expect(logs.congested()).toBeNull();
    await logs.settled();
    expect(logs.usage('p').lines).toBe(3000);
  });

  it('holds back a real service printing faster than the store takes it: every line arrives, in order', async () => {
    const dir = tempDir();
    const h = new SupervisorHarness('demo', {
      dir,
      logThread: true,
      logStore: { maxBatch: 1000, highWaterLines: 2000 },
    });
    cleanups.push(() => h.dispose());
    const lines = 60_000;
    const printer = nodeScript(
      dir,
      `for (let i = 1; i <= ${lines}; i++) process.stdout.write('printed ' + i + ' of a flood\\n');`,
    );
    await h.supervisor.apply(project(dir, [service('flood', { command: printer }, dir)]));
    let mostPending = 0;
    const watch = setInterval(() => (mostPending = Math.max(mostPending, h.logs.unstored)), 2);
    cleanups.push(() => clearInterval(watch));
    await h.supervisor.start('flood');
    await until(
      'the flood to end',
      () => h.supervisor.get('flood').current === 'stopped' || h.supervisor.get('flood').current === 'crashed',
      scaled(120_000),
    );
    await h.logs.settled();
    const found = h.logs.search({ ...search('flood', { limit: 3 }), project: 'demo' });
    expect(found.total).toBe(lines);
    expect(found.lines.map((l) => l.text)).toEqual([
      `printed ${lines - 2} of a flood`,
      `printed ${lines - 1} of a flood`,
      `printed ${lines} of a flood`,
    ]);
    const all = h.logs
      .page({ project: 'demo', service: 'flood', limit: lines + 10 })
      .lines.filter((l) => l.stream === 'stdout');
    expect(all.map((l) => l.text)).toEqual(Array.from({ length: lines }, (_, i) => `printed ${i + 1} of a flood`));
    // the daemon held at most the high water and the chunks read meanwhile (a 64 KB chunk is ~2,600 of these
    // lines), not the flood: without the pause the backlog grows towards all 60,000
    expect(mostPending).toBeGreaterThan(0);
    expect(mostPending).toBeLessThan(12_000);
  });

  it('stores what is pending when disposed', async () => {
    const dir = tempDir();
    const first = openStore(dir, { maxBatch: 1000 });
    for (let i = 1; i <= 20_000; i++) first.logs.append('p', 'api', 'stdout', `before the stop ${i}`);
    await first.close();
    const second = openStore(dir);
    expect(second.logs.usage('p').lines).toBe(20_000);
    expect(second.logs.search(search('"before the stop 20000"')).total).toBe(1);
  });

  it('ends an idle thread and starts a new one for the next write', async () => {
    const dir = tempDir();
    const database = Database.open(join(dir, 'devmesh.db'));
    const writer = new ThreadLogWriter(database.path, { idleMs: 50 });
    const { logs } = openStore(dir, { writer });
    logs.append('p', 'api', 'stdout', 'first');
    logs.flush();
    expect(writer.running).toBe(true);
    await logs.settled();
    await until('the idle thread to end', () => !writer.running, scaled(10_000));
    logs.append('p', 'api', 'stdout', 'second');
    logs.flush();
    expect(writer.running).toBe(true);
    await logs.settled();
    expect([logs.search(search('first')).total, logs.search(search('second')).total]).toEqual([1, 1]);
    database.close();
  });

  it('loses nothing when the thread dies mid-write: the store reports it and the next try stores the lines', async () => {
    const { logs, writer, health } = openStore(tempDir(), { retryMs: 100 });
    for (let i = 1; i <= 5000; i++) logs.append('p', 'api', 'stdout', `kept ${i}`);
    logs.flush();
    // the thread ends under the write in flight, as a crash in it would end it
    await (writer as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    const problem = await until('the failed write reported', () =>
      health.snapshot().problems.find((p) => p.component === 'service logs'),
    );
    expect(problem.message).toMatch(/log writer thread stopped/);
    await until('the store to recover', () => health.snapshot().ok, scaled(20_000));
    await logs.settled();
    expect(logs.search(search('kept')).total).toBe(5000);
    expect(logs.usage('p').lines).toBe(5000);
  });
});
