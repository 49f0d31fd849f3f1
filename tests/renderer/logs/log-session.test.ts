// The log pane's buffer: page then live, merged by seq, published in batches, bounded.
import { afterEach, describe, expect, it } from 'vitest';
import type { LogLine } from '../../../shared/service.js';
import { LogSession } from '../../../renderer/logs/log-session.js';
import { FakeClient } from '../fake-client.js';
import { until } from '../../helpers/until.js';

const line = (seq: number, stream: LogLine['stream'] = 'stdout'): LogLine => ({
  seq,
  project: 'shop',
  service: 'api',
  stream,
  ts: seq,
  text: `line ${seq}`,
});
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => line(from + i));
const sessions: LogSession[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.dispose();
});

function open(client: FakeClient, options: { capacity?: number; pageSize?: number; flushMs?: number } = {}) {
  const session = new LogSession(client, 'shop', 'api', { flushMs: 20, ...options });
  sessions.push(session);
  let publishes = 0;
  session.subscribe(() => publishes++);
  return { session, publishes: () => publishes, seqs: () => session.getSnapshot().lines.map((l) => l.seq) };
}

describe('LogSession', () => {
  it('shows the newest page, then live lines, without duplicating lines both carried', async () => {
    const client = new FakeClient();
    let release!: () => void;
    client.handlers['logs.page'] = () =>
      new Promise((resolve) => (release = () => resolve({ lines: range(1, 5), hasMore: true })));
    const { session, seqs } = open(client);
    // Lines printed while the page is in flight: 4 and 5 are in the page too.
    client.emitLine(line(4));
    client.emitLine(line(5));
    client.emitLine(line(6));
    release();
    await until('the page', () => !session.getSnapshot().loading);
    expect(seqs()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(session.getSnapshot().hasMore).toBe(true);
    expect(client.calls[0]).toEqual({ method: 'logs.page', input: { project: 'shop', name: 'api', limit: 500 } });
  });

  it('publishes a flood of live lines in batches, not per line', async () => {
    const client = new FakeClient();
    client.handlers['logs.page'] = () => ({ lines: [], hasMore: false });
    const { session, publishes, seqs } = open(client, { flushMs: 30 });
    await until('the page', () => !session.getSnapshot().loading);
    const before = publishes();
    for (let i = 1; i <= 1000; i++) client.emitLine(line(i));
    expect(seqs()).toEqual([]); // nothing rendered synchronously
    await until('the batch', () => seqs().length === 1000);
    expect(publishes() - before).toBe(1);
  });

  it('keeps at most `capacity` lines, dropping the oldest, and says older lines exist', async () => {
    const client = new FakeClient();
    client.handlers['logs.page'] = () => ({ lines: range(1, 50), hasMore: false });
    const { session, seqs } = open(client, { capacity: 100, pageSize: 50 });
    await until('the page', () => !session.getSnapshot().loading);
    for (let i = 51; i <= 250; i++) client.emitLine(line(i));
    await until('the batch', () => seqs().at(-1) === 250);
    expect(seqs()).toEqual(range(151, 250).map((l) => l.seq));
    expect(session.getSnapshot()).toMatchObject({ hasMore: true, full: true });
  });

  it('loads older lines with `before` and prepends them, within the capacity', async () => {
    const client = new FakeClient();
    client.handlers['logs.page'] = (input: { before?: number; limit: number }) =>
      input.before === undefined
        ? { lines: range(101, 110), hasMore: true }
        : { lines: range(input.before - input.limit, input.before - 1), hasMore: true };
    const { session, seqs } = open(client, { capacity: 25, pageSize: 10 });
    await until('the page', () => !session.getSnapshot().loading);
    await session.loadOlder();
    expect(client.calls[1]?.input).toEqual({ project: 'shop', name: 'api', before: 101, limit: 10 });
    expect(seqs()).toEqual(range(91, 110).map((l) => l.seq));
    await session.loadOlder(); // only 5 more fit
    expect(client.calls[2]?.input).toMatchObject({ before: 91, limit: 5 });
    expect(seqs()[0]).toBe(86);
    expect(session.getSnapshot().full).toBe(true);
    await session.loadOlder();
    expect(client.calls).toHaveLength(3);
  });

  it('waits for the connection before loading, and catches up after a reconnect', async () => {
    const client = new FakeClient();
    client.status = { state: 'connecting', attempt: 0, retryInMs: null };
    let newest = range(1, 3);
    client.handlers['logs.page'] = () => ({ lines: newest, hasMore: false });
    const { session, seqs } = open(client);
    expect(client.calls).toHaveLength(0);
    client.setStatus('open');
    await until('the page', () => seqs().length === 3);

    client.setStatus('reconnecting');
    newest = range(2, 6); // lines 4-6 were printed while the socket was down
    client.setStatus('open');
    await until('the catch-up', () => seqs().length === 6);
    expect(seqs()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(session.getSnapshot().error).toBeNull();
  });

  it('reports a failed page as an error and stops following when disposed', async () => {
    const client = new FakeClient();
    client.handlers['logs.page'] = () => {
      throw new Error("no service 'api' in project shop");
    };
    const { session } = open(client);
    await until('the error', () => session.getSnapshot().error !== null);
    expect(session.getSnapshot().error).toContain("no service 'api'");
    expect(client.followers).toBe(1);
    session.dispose();
    expect(client.followers).toBe(0);
  });
});
