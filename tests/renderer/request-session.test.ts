// The Requests view's session: page then live, the filter applied to both, batched, bounded, pageable.
import { afterEach, describe, expect, it } from 'vitest';
import { RequestSession, type RequestSessionOptions } from '../../renderer/requests/request-session.js';
import { NO_REQUEST_FILTER, type RequestFilter } from '../../renderer/requests/request-filter.js';
import { FakeClient } from './fake-client.js';
import { request, requests } from './proxy-fixtures.js';
import { until } from '../helpers/until.js';

const sessions: RequestSession[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.dispose();
});

function open(client: FakeClient, filter: RequestFilter = NO_REQUEST_FILTER, options: RequestSessionOptions = {}) {
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
    client.handlers['proxy.requests'] = () => new Promise((resolve) => (release = () => resolve({ requests: requests(1, 5), hasMore: true })));
    const { session, seqs } = open(client, { service: 'api', errorsOnly: false, search: ' items ' });
    client.emitRequest(request(5));
    client.emitRequest(request(6));
    release();
    await until('the page', () => !session.getSnapshot().loading);
    expect(seqs()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(client.calls[0]).toEqual({ method: 'proxy.requests', input: { project: 'shop', service: 'api', errorsOnly: false, search: 'items', limit: 200 } });
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
      input.before === undefined ? { requests: requests(101, 110), hasMore: true } : { requests: requests(input.before - input.limit, input.before - 1), hasMore: true };
    const { session, seqs } = open(client, NO_REQUEST_FILTER, { capacity: 25, pageSize: 10 });
    await until('the page', () => !session.getSnapshot().loading);
    await session.loadOlder();
    expect(client.calls[1]?.input).toEqual({ project: 'shop', errorsOnly: false, service: undefined, before: 101, limit: 10 });
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
});
