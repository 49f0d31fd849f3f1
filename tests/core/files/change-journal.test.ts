// The change journal MCP watch_files reads: a cursor names where a reader is, the next answer starts after
// it, a page that is full says so, a cursor from before the journal's bound (or another daemon run) is
// answered from the oldest kept with `truncated`, and a reader waits a bounded time for the first change.
import { describe, expect, it } from 'vitest';
import { ChangeJournal, type JournalBatch } from '../../../main/core/files/change-journal.js';
import { FakeLockClock } from '../locks/fake-lock-clock.js';

const batch = (paths: string[], extra: Partial<JournalBatch> = {}): JournalBatch => ({
  ts: 1,
  root: '/p',
  project: 'p',
  agentId: null,
  changes: paths.map((path) => ({ path, type: 'update' as const })),
  ...extra,
});

describe('ChangeJournal', () => {
  it('answers what came after the cursor, a page at a time', () => {
    const j = new ChangeJournal({ clock: new FakeLockClock() });
    const start = j.cursor;
    j.append(batch(['a', 'b', 'c']));
    const first = j.read({ cursor: start, limit: 2 });
    expect(first.changes.map((c) => c.path)).toEqual(['a', 'b']);
    expect(first.more).toBe(true);
    const second = j.read({ cursor: first.cursor, limit: 2 });
    expect(second.changes.map((c) => c.path)).toEqual(['c']);
    expect(second.more).toBe(false);
    expect(j.read({ cursor: second.cursor, limit: 2 }).changes).toEqual([]);
  });

  it('without a cursor answers only what comes next', () => {
    const j = new ChangeJournal({ clock: new FakeLockClock() });
    j.append(batch(['old']));
    const now = j.read({ limit: 10 });
    expect(now.changes).toEqual([]);
    j.append(batch(['new']));
    expect(j.read({ cursor: now.cursor, limit: 10 }).changes.map((c) => c.path)).toEqual(['new']);
  });

  it('filters by project, prefix and the reader’s own worktree, and moves the cursor past the rest', () => {
    const j = new ChangeJournal({ clock: new FakeLockClock() });
    const start = j.cursor;
    j.append(batch(['src/a.ts', 'docs/x.md']));
    j.append(batch(['src/mine.ts'], { root: '/wt/a', agentId: 'agent-a' }));
    j.append(batch(['src/other.ts'], { project: 'q', root: '/q' }));
    const r = j.read({ cursor: start, limit: 10, project: 'p', prefix: 'src/', excludeAgentId: 'agent-a' });
    expect(r.changes.map((c) => c.path)).toEqual(['src/a.ts']);
    expect(j.read({ cursor: r.cursor, limit: 10 }).changes).toEqual([]);
  });

  it('says `truncated` for a cursor older than what it keeps, or from another run', () => {
    const j = new ChangeJournal({ clock: new FakeLockClock(), capacity: 4 });
    const start = j.cursor;
    j.append(batch(Array.from({ length: 10 }, (_, i) => `f${i}`)));
    const r = j.read({ cursor: start, limit: 100 });
    expect(r.truncated).toBe(true);
    expect(r.changes.at(-1)!.path).toBe('f9');
    expect(r.changes.length).toBeLessThanOrEqual(5);
    const other = new ChangeJournal({ clock: new FakeLockClock() }).cursor;
    expect(j.read({ cursor: other, limit: 100 }).truncated).toBe(true);
    expect(j.read({ cursor: 'garbage', limit: 100 }).truncated).toBe(true);
  });

  it('wakes a waiting reader with the first matching change, and ends an empty wait at its time', async () => {
    const clock = new FakeLockClock();
    const j = new ChangeJournal({ clock });
    const waiting = j.wait({ limit: 10, prefix: 'src/' }, 30_000);
    j.append(batch(['README.md']));
    j.append(batch(['src/a.ts']));
    const got = await waiting;
    expect(got.changes.map((c) => c.path)).toEqual(['src/a.ts']);

    const empty = j.wait({ cursor: got.cursor, limit: 10 }, 30_000);
    clock.advance(30_000);
    const none = await empty;
    expect(none.changes).toEqual([]);
    expect(none.cursor).toBe(got.cursor);
    expect(clock.timers).toBe(0);
  });

  it('answers every waiting reader when it is disposed, and refuses to hold more than its bound', async () => {
    const clock = new FakeLockClock();
    const j = new ChangeJournal({ clock, maxWaiters: 1 });
    const held = j.wait({ limit: 10 }, 30_000);
    expect((await j.wait({ limit: 10 }, 30_000)).changes).toEqual([]); // past the bound: answered at once
    j.dispose();
    expect((await held).changes).toEqual([]);
  });
});
