// The Requests view's session: page then live, the filter applied to both, batched, bounded, pageable.
import { afterEach, describe, expect, it } from 'vitest';
import { RequestSession, type RequestSessionDeps } from '../../../renderer/requests/request-session.js';
import { NO_REQUEST_FILTER, type RequestFilter } from '../../../renderer/requests/request-filter.js';
import { FakeClient } from '../fake-client.js';
import { request, requests } from '../proxy-fixtures.js';
import { until } from '../../helpers/until.js';

const sessions: RequestSession[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.dispose();
});

function open(client: FakeClient, filter: RequestFilter = NO_REQUEST_FILTER, options: RequestSessionDeps = {}) {
  const session = new RequestSession(client, 'shop', filter, { flushMs: 20, ...options });
  sessions.push(session);
  let publishes = 0;
  session.subscribe(() => publishes++);
  return { session, publishes: () => publishes, seqs: () => session.getSnapshot().records.map((r) => r.seq) };
}

describe('RequestSession', () => {
  it('asks for the newest page with the filter, follows the topic, and merges both by seq', async () => {
    const client = new FakeClient();
    let release!: () => void;
    client.handlers['proxy.requests'] = () =>
      new Promise((resolve) => (release = () => resolve({ requests: requests(1, 5), hasMore: true })));
    const { session, seqs } = open(client, { service: 'api', errorsOnly: false, search: ' items ' });
    client.emitRequest(request(5));
    client.emitRequest(request(6));
    release();
    await until('the page', () => !session.getSnapshot().loading);
    expect(seqs()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(client.calls[0]).toEqual({
      method: 'proxy.requests',
      input: { project: 'shop', service: 'api', errorsOnly: false, search: 'items', limit: 200 },
    });
  });

  it('applies errors-only and search to live records, as the daemon does to pages', async () => {
    const client = new FakeClient();
    client.handlers['proxy.requests'] = () => ({ requests: [], hasMore: false });
    const { session, seqs } = open(client, { errorsOnly: true, search: 'pay' });
    await until('the page', () => !session.getSnapshot().loading);
    client.emitRequest(request(1, { status: 500, path: '/pay' }));
    client.emitRequest(request(2, { status: 200, path: '/pay' }));
    client.emitRequest(request(3, { status: 404, path: '/cart' }));
    client.emitRequest(request(4, { status: 502, host: 'payments.localhost', error: 'connection refused' }));
    await until('the batch', () => seqs().length > 0);
    expect(seqs()).toEqual([1, 4]);
  });

  it('publishes a flood in one batch and keeps only `capacity` records', async () => {
    const client = new FakeClient();
    client.handlers['proxy.requests'] = () => ({ requests: [], hasMore: false });
    const { session, publishes, seqs } = open(client, NO_REQUEST_FILTER, { capacity: 100, flushMs: 30 });
    await until('the page', () => !session.getSnapshot().loading);
    const before = publishes();
    for (let i = 1; i <= 1000; i++) client.emitRequest(request(i));
    expect(seqs()).toEqual([]); // nothing rendered synchronously
    await until('the batch', () => seqs().length > 0);
    expect(publishes() - before).toBe(1);
    expect(seqs()).toEqual(requests(901, 1000).map((r) => r.seq));
    expect(session.getSnapshot()).toMatchObject({ full: true, hasMore: true });
  });

  it('loads older requests with `before`, within the capacity', async () => {
    const client = new FakeClient();
    client.handlers['proxy.requests'] = (input: { before?: number; limit: number }) =>
      input.before === undefined
        ? { requests: requests(101, 110), hasMore: true }
        : { requests: requests(input.before - input.limit, input.before - 1), hasMore: true };
    const { session, seqs } = open(client, NO_REQUEST_FILTER, { capacity: 25, pageSize: 10 });
    await until('the page', () => !session.getSnapshot().loading);
    await session.loadOlder();
    expect(client.calls[1]?.input).toEqual({
      project: 'shop',
      errorsOnly: false,
      service: undefined,
      unrouted: true,
      before: 101,
      limit: 10,
    });
    expect(seqs()[0]).toBe(91);
    await session.loadOlder();
    expect(client.calls[2]?.input).toMatchObject({ before: 91, limit: 5 });
    expect(session.getSnapshot().full).toBe(true);
    await session.loadOlder();
    expect(client.calls).toHaveLength(3);
  });

  it('catches up after a reconnect, reports errors, and stops following when disposed', async () => {
    const client = new FakeClient();
    let newest = requests(1, 3);
    client.handlers['proxy.requests'] = () => ({ requests: newest, hasMore: false });
    const { session, seqs } = open(client);
    await until('the page', () => seqs().length === 3);
    client.setStatus('reconnecting');
    newest = requests(2, 6);
    client.setStatus('open');
    await until('the catch-up', () => seqs().length === 6);

    client.handlers['proxy.requests'] = () => {
      throw new Error('proxy.requests: the proxy is off');
    };
    client.setStatus('reconnecting');
    client.setStatus('open');
    await until('the error', () => session.getSnapshot().error !== null);
    expect(session.getSnapshot().error).toContain('the proxy is off');
    expect(client.followers).toBe(1);
    session.dispose();
    expect(client.followers).toBe(0);
  });

  it('lists requests in the order they were made, though the proxy numbers them as they end', async () => {
    // A slow upload that started first (ts 1000) ended after two quick requests: it has the highest seq of
    // the page. A request that started between them ends later still and arrives live.
    const client = new FakeClient();
    client.handlers['proxy.requests'] = () => ({
      requests: [request(1, { ts: 2000 }), request(2, { ts: 3000 }), request(3, { ts: 1000 })],
      hasMore: false,
    });
    const { session, seqs } = open(client);
    await until('the page', () => seqs().length === 3);
    expect(seqs()).toEqual([3, 1, 2]);
    client.emitRequest(request(4, { ts: 2500 }));
    client.emitRequest(request(5, { ts: 4000 }));
    client.emitRequest(request(4, { ts: 2500 })); // the page and the live stream may overlap
    await until('the live records', () => seqs().length === 5);
    expect(seqs()).toEqual([3, 1, 4, 2, 5]);
    expect(session.getSnapshot().records.map((r) => r.ts)).toEqual([1000, 2000, 2500, 3000, 4000]);
  });

  it('puts an older page in time order too, and pages on from the oldest seq it holds', async () => {
    const client = new FakeClient();
    // seq 11 started long before the others (ts 500); seq 9, from the older page, started after seq 10
    client.handlers['proxy.requests'] = (input: { before?: number }) =>
      input.before === undefined
        ? { requests: [request(10, { ts: 1000 }), request(11, { ts: 500 }), request(12, { ts: 1200 })], hasMore: true }
        : { requests: [request(8, { ts: 700 }), request(9, { ts: 1100 })], hasMore: false };
    const { session, seqs } = open(client);
    await until('the page', () => seqs().length === 3);
    expect(seqs()).toEqual([11, 10, 12]);
    await session.loadOlder();
    expect(client.calls[1]?.input).toMatchObject({ before: 10 });
    expect(seqs()).toEqual([11, 8, 10, 9, 12]);
  });

  it('shows requests to hosts no project serves beside the project’s own, unless a service is picked', async () => {
    const client = new FakeClient();
    const unknown = (seq: number) =>
      request(seq, {
        host: 'nowhere.localhost',
        project: null,
        service: null,
        upstream: null,
        instance: null,
        status: 404,
        error: 'no service is named nowhere',
      });
    client.handlers['proxy.requests'] = () => ({ requests: [request(1), unknown(2)], hasMore: false });
    const { session, seqs } = open(client);
    await until('the page', () => seqs().length === 2);
    expect(client.calls[0]?.input).toMatchObject({ project: 'shop', unrouted: true });
    client.emitRequest(unknown(3));
    await until('the live record', () => seqs().length === 3);
    expect(session.getSnapshot().records.map((r) => r.host)).toEqual([
      'api.localhost',
      'nowhere.localhost',
      'nowhere.localhost',
    ]);

    const picked = open(client, { service: 'api', errorsOnly: false, search: '' });
    await until('the page', () => !picked.session.getSnapshot().loading);
    expect(client.calls.at(-1)?.input).not.toHaveProperty('unrouted');
  });
});
