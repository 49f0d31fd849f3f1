// The mechanism the log pane and the Requests view share, over plain items: page then live, filtered,
// merged by seq, batched, bounded, snapshots that never change once handed out.
import { afterEach, describe, expect, it } from 'vitest';
import { LivePagedSession, type LivePage, type LiveState } from '../../../renderer/live/live-paged-session.js';
import { FakeClient } from '../fake-client.js';
import { until } from '../../helpers/until.js';

interface Item {
  seq: number;
  odd: boolean;
}
const item = (seq: number): Item => ({ seq, odd: seq % 2 === 1 });
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => item(from + i));
const sessions: LivePagedSession<Item, LiveState<Item>>[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.dispose();
});

function open(
  page: (request: { before?: number; limit: number }) => LivePage<Item>,
  options: { accepts?: (i: Item) => boolean; capacity?: number } = {},
) {
  const connection = new FakeClient();
  const requests: { before?: number; limit: number }[] = [];
  let emit: (i: Item) => void = () => {};
  let following = 0;
  const session = new LivePagedSession<Item, LiveState<Item>>(
    connection,
    {
      fetchPage: async (request) => {
        requests.push(request);
        return page(request);
      },
      follow: (onItem) => {
        emit = onItem;
        following++;
        return () => void following--;
      },
      ...(options.accepts ? { accepts: options.accepts } : {}),
    },
    { capacity: options.capacity ?? 100, pageSize: 10, flushMs: 20, snapshot: (state) => state },
  );
  sessions.push(session);
  let publishes = 0;
  session.subscribe(() => publishes++);
  return {
    session,
    connection,
    requests,
    emit: (i: Item) => emit(i),
    following: () => following,
    publishes: () => publishes,
    seqs: () => session.getSnapshot().items.map((i) => i.seq),
  };
}

describe('LivePagedSession', () => {
  it('shows the newest page, then accepted live items in one batch, each seq once', async () => {
    const s = open(() => ({ items: range(1, 4), hasMore: false }), { accepts: (i) => i.odd });
    await until('the page', () => !s.session.getSnapshot().loading);
    expect(s.requests[0]).toEqual({ limit: 10 });
    const before = s.publishes();
    for (const seq of [3, 5, 6, 7, 7, 9]) s.emit(item(seq));
    expect(s.seqs()).toEqual([1, 2, 3, 4]); // nothing published synchronously
    await until('the batch', () => s.seqs().length === 7);
    expect(s.seqs()).toEqual([1, 2, 3, 4, 5, 7, 9]);
    expect(s.publishes() - before).toBe(1);
  });

  it('hands out a new snapshot per publish and leaves earlier ones untouched', async () => {
    const s = open(() => ({ items: range(1, 3), hasMore: false }));
    await until('the page', () => s.seqs().length === 3);
    const first = s.session.getSnapshot();
    expect(s.session.getSnapshot()).toBe(first); // stable between publishes, as useSyncExternalStore needs
    s.emit(item(4));
    await until('the batch', () => s.seqs().length === 4);
    expect(s.session.getSnapshot()).not.toBe(first);
    expect(first.items.map((i) => i.seq)).toEqual([1, 2, 3]);
  });

  it('bounds the buffer, pages older items with `before`, and stops at capacity', async () => {
    const s = open(
      (r) =>
        r.before === undefined
          ? { items: range(21, 25), hasMore: true }
          : { items: range(r.before - r.limit, r.before - 1), hasMore: true },
      { capacity: 12 },
    );
    await until('the page', () => s.seqs().length === 5);
    await s.session.loadOlder();
    expect(s.requests[1]).toEqual({ before: 21, limit: 7 });
    expect(s.seqs()).toEqual(range(14, 25).map((i) => i.seq));
    expect(s.session.getSnapshot()).toMatchObject({ full: true, hasMore: true });
    await s.session.loadOlder();
    expect(s.requests).toHaveLength(2);
    for (let seq = 26; seq <= 60; seq++) s.emit(item(seq));
    await until('the batch', () => s.seqs().at(-1) === 60);
    expect(s.seqs()).toEqual(range(49, 60).map((i) => i.seq));
  });

  it('catches up from the newest page after a reconnect, and unsubscribes when disposed', async () => {
    let newest = range(1, 3);
    const s = open(() => ({ items: newest, hasMore: false }));
    await until('the page', () => s.seqs().length === 3);
    s.connection.setStatus('reconnecting');
    newest = range(2, 6);
    s.connection.setStatus('open');
    await until('the catch-up', () => s.seqs().length === 6);
    expect(s.seqs()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(s.following()).toBe(1);
    s.session.dispose();
    expect(s.following()).toBe(0);
  });
});
