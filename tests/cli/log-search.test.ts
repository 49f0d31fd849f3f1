// Log search against a real daemon (`devmesh up`) with its store on disk: a service printing JSON (pino,
// zap shapes) and plain lines, searched through the API and the CLI (--search, --level, --since, --json, a
// pipe into head); a project's size limit from devmesh.yaml trimming the store; lines older than the age
// limit dropped at start; hostile searches (FTS syntax, 10 KB, NUL bytes) refused clearly, the daemon
// still answering afterwards.
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogSearchResult } from '../../shared/logs.js';
import type { LogLine } from '../../shared/service.js';
import { ApiClient } from '../../main/cli/api-client.js';
import { DevMeshHome } from '../../main/core/home/devmesh-home.js';
import { EventBus } from '../../main/core/events/event-bus.js';
import { LogStore } from '../../main/core/logs/log-store.js';
import { Database } from '../../main/core/store/database.js';
import { tempDir, waitFor, writeProject } from '../api/test-project.js';
import { BIN, CliHarness, ensureCliBuilt, type RunningCli } from './cli-harness.js';
import { scaled } from '../helpers/load-scale.js';

const tmp = tempDir('devmesh-cli-logsearch-');
const projectDir = join(tmp.dir, 'shop');
const bulkDir = join(tmp.dir, 'bulk');
const home = join(tmp.dir, 'home');
const cli = new CliHarness(home, tmp.dir);
let daemon: RunningCli | undefined;
const DAY = 86_400_000;

// api prints JSON lines of two loggers and plain ones; bulk prints ~1.3 MB of numbered lines (the size limit is 1 MB)
const API = `
console.log(JSON.stringify({ level: 30, time: Date.now(), pid: process.pid, msg: 'order placed', user: { id: 42 }, order: 'A-1' }));
console.log(JSON.stringify({ level: 50, time: Date.now(), msg: 'payment declined', user: { id: 7 }, code: 'card_expired' }));
console.log(JSON.stringify({ level: 'warn', ts: 1.5, caller: 'pay.go:12', msg: 'payment retry', 'user.id': 42 }));
console.log('plain line: cache warmed in 12ms');
console.error('Traceback (most recent call last): payment module');
`;
const BULK = `for (let i = 0; i < 13000; i++) console.log('bulk ' + String(i).padStart(6, '0') + ' ' + 'z'.repeat(90));`;

async function call<T>(fn: (c: ApiClient) => Promise<T>): Promise<T> {
  const client = await ApiClient.connect(new DevMeshHome(home), { connectTimeoutMs: 20_000, callTimeoutMs: 30_000 });
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}
const search = (input: Record<string, unknown>): Promise<LogSearchResult> =>
  call((c) => c.call('logs.search', { project: 'shop', query: '', ...input }));

beforeAll(async () => {
  ensureCliBuilt();
  mkdirSync(projectDir);
  mkdirSync(bulkDir);
  mkdirSync(home);
  // lines a previous run stored 20 days ago (past the default 14 days) and an hour ago
  const db = Database.open(join(home, 'devmesh.db'));
  const old = new LogStore(db, new EventBus());
  old.append('shop', 'api', 'stdout', 'ancient line from last month');
  old.append('shop', 'api', 'stdout', 'recent line from earlier today');
  old.flush();
  db.db.prepare("UPDATE log_lines SET ts = ? WHERE text LIKE 'ancient%'").run(Date.now() - 20 * DAY);
  db.db.prepare("UPDATE log_lines SET ts = ? WHERE text LIKE 'recent%'").run(Date.now() - 3_600_000);
  old.dispose();
  db.close();

  writeProject(projectDir, 'shop', { api: { extra: API } });
  // its own project: the size limit is a project's
  writeProject(bulkDir, 'bulk', { bulk: { extra: BULK } });
  appendFileSync(join(bulkDir, 'devmesh.yaml'), 'logs:\n  retain_size: 1MB\n  retain_age: 14d\n');
  ({ daemon } = await cli.up(['--project', projectDir], scaled(90_000)));
  const opened = await cli.run(['open', bulkDir]);
  expect(opened.code, opened.stderr).toBe(0);
  await waitFor(
    'the services to print',
    async () =>
      (await search({ project: 'bulk', query: '"bulk 012999"' })).lines.length === 1 &&
      (await search({ query: 'retry' })).lines.length === 1,
    scaled(60_000),
    200,
  );
}, scaled(180_000));

afterAll(async () => {
  await daemon?.stop('SIGTERM');
  tmp.dispose();
});

describe('logs.search on a real daemon', () => {
  it('parses JSON lines into level, message and fields, and filters on them', async () => {
    const payments = await search({ query: 'payment', services: ['api'], count: true });
    expect(payments.lines.map((l) => [l.msg ?? l.text, l.level])).toEqual([
      ['payment declined', 50],
      ['payment retry', 40],
      ['Traceback (most recent call last): payment module', 40],
    ]);
    expect(payments.total).toBe(3);
    const declined = payments.lines[0]!;
    expect(declined.fields).toEqual({ user: { id: 7 }, code: 'card_expired' });
    expect(declined.matches).toEqual([[0, 7]]);
    // nested (pino) and flat dotted (zap) keys alike
    expect((await search({ query: 'user.id=42' })).lines.map((l) => l.msg)).toEqual(['order placed', 'payment retry']);
    expect((await search({ query: 'level>=error' })).lines.map((l) => l.msg)).toEqual(['payment declined']);
    expect((await search({ query: 'cache', level: 'warn' })).lines).toEqual([]);
    expect((await search({ query: '"cache warmed"' })).lines[0]!.level).toBeNull();
  });

  it('keeps the project within its size limit from devmesh.yaml, oldest lines first', async () => {
    // ~100 bytes a line, 1 MB kept (trimmed to 90% when over); a trim follows each written batch, so it may
    // lag the last line by a moment
    const limit = Math.ceil((1024 * 1024) / 100);
    let all = await search({ project: 'bulk', query: 'bulk -hello', count: true, limit: 1 });
    await waitFor(
      'the size trim',
      async () =>
        (all = await search({ project: 'bulk', query: 'bulk -hello', count: true, limit: 1 })).total! <= limit,
      scaled(30_000),
      100,
    );
    expect(all.lines[0]!.text).toMatch(/^bulk 012999 /);
    expect(all.total!).toBeLessThanOrEqual(limit);
    expect(all.total!).toBeGreaterThan(5000);
    expect((await search({ project: 'bulk', query: '"bulk 000000"' })).lines).toEqual([]);
    // the other project keeps its lines
    expect((await search({ query: 'payment', count: true })).total).toBe(3);
  });

  it('dropped lines past the age limit at start, and kept the recent ones', async () => {
    expect((await search({ query: 'ancient' })).lines).toEqual([]);
    const recent = await search({ query: '"recent line"' });
    expect(recent.lines.map((l) => l.text)).toEqual(['recent line from earlier today']);
    expect((await search({ query: '"recent line"', since: Date.now() - 600_000 })).lines).toEqual([]);
  });

  it.each([
    ['"unclosed', /quote at column 1 that is never closed/],
    ['*', /"\*" at column 1 with no letters or digits/],
    ['level>=loud', /unknown level "loud"/],
    ['x'.repeat(10 * 1024), /at most 4096 characters/],
    ['pay\u0000ment', /control character \(U\+0000\)/],
  ])('refuses the hostile search %#: a clear BAD_REQUEST, and the daemon still answers', async (query, message) => {
    const err = await search({ query }).then(
      () => null,
      (e: Error & { code?: string }) => e,
    );
    expect(err?.code).toBe('BAD_REQUEST');
    expect(err?.message).toMatch(message);
    expect(err?.message).not.toMatch(/sqlite|fts5/i);
    expect(daemon!.child.exitCode).toBeNull();
    expect((await search({ query: 'payment' })).lines.length).toBe(3);
  });

  it('answers FTS5 operators as plain words, never as syntax', async () => {
    for (const query of ['payment AND OR NOT', 'NEAR(payment retry', 'col:payment', 'payment^ "" OR', '(((']) {
      const r = await search({ query: query.replace(' ""', '') }).catch((e: Error) => e);
      if (r instanceof Error) expect(r.message).toMatch(/^logs\.search|the log search/);
    }
    expect((await search({ query: 'NOT payment' })).lines).toEqual([]); // "not" is a word no line has
    expect(daemon!.child.exitCode).toBeNull();
  });
});

describe('devmesh logs --search', () => {
  it('prints matching lines of every service as JSON, with --level and --since', async () => {
    const r = await cli.run([
      'logs',
      '--search',
      'payment',
      '--level',
      'warn',
      '--since',
      '1h',
      '--project',
      'shop',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as LogLine);
    expect(lines.map((l) => l.level)).toEqual([50, 40, 40]);
    expect(lines[0]).toMatchObject({ service: 'api', msg: 'payment declined' });

    const counted = await cli.run(['logs', 'bulk', '--search', 'bulk*', '-n', '3', '--count', '--project', 'bulk']);
    expect(counted.code).toBe(0);
    expect(counted.stdout.trim().split('\n')).toHaveLength(3);
    expect(counted.stdout).toMatch(/bulk \| bulk 012999/);
    expect(counted.stderr).toMatch(/^\d+ matching lines/);
  });

  it('says what is wrong with a bad search or option, exit code 2', async () => {
    const bad = await cli.run(['logs', '--search', '"oops', '--project', 'shop']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--search: the log search has a quote at column 1 that is never closed/);
    const level = await cli.run(['logs', '--search', 'x', '--level', 'loud', '--project', 'shop']);
    expect(level.code).toBe(2);
    expect(level.stderr).toMatch(/--level must be one of trace, debug, info, warn, error, fatal/);
    const noService = await cli.run(['logs']);
    expect(noService.code).toBe(2);
    expect(noService.stderr).toMatch(/name a service .* or search every service with --search/);
  });

  it('ends quietly when piped into head', () => {
    const args = ['logs', '--search', 'bulk', '-n', '5000', '--project', 'bulk'];
    const quoted = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' ');
    const r = spawnSync('bash', ['-c', `${quoted} | head -1; echo "status=\${PIPESTATUS[0]}" >&2`], {
      env: { ...process.env, DEVMESH_HOME: home, NO_COLOR: '1' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stderr.trim()).toBe('status=0');
  });
});
