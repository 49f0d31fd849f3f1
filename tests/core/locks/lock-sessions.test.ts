// Takers: one holder's locks may be taken by several of its MCP sessions and by the holder itself (the CLI,
// the UI, a task). A session that ends lets go of what it took: a lock nobody else took is released, one that
// another taker also took stays (same id); its queued requests are refused; its heartbeats renew only its own.
import { afterEach, describe, expect, it } from 'vitest';
import { lockFixture, req, type LockFixture } from './lock-fixture.js';

let fx: LockFixture;
afterEach(() => fx.dispose());

describe('lock sessions', () => {
  it('releases only what the ending session took', async () => {
    fx = lockFixture();
    const one = await fx.locks.acquire(req('a', 'WRITE', 'one.ts', { session: 's1' }));
    const two = await fx.locks.acquire(req('a', 'WRITE', 'two.ts', { session: 's2' }));
    const own = await fx.locks.acquire(req('a', 'INTENT', 'task.ts'));
    // s1 also takes what the holder took itself, and what s2 took: both stay taken by the others
    expect((await fx.locks.acquire(req('a', 'INTENT', 'task.ts', { session: 's1' }))).id).toBe(own.id);
    const shared = await fx.locks.acquire(req('a', 'WRITE', 'two.ts', { session: 's1' }));
    expect(shared).toMatchObject({ id: two.id, sessions: ['s2', 's1'] });

    expect(fx.locks.releaseSession('a', 's1', 'its MCP session ended')).toBe(3);
    expect(
      fx.locks
        .locksOf('a')
        .map((l) => [l.id, l.sessions])
        .sort(),
    ).toEqual(
      [
        [two.id, ['s2']],
        [own.id, []],
      ].sort(),
    );
    const released = fx.events.flatMap((e) => (e.type === 'released' ? [[e.lock.id, e.reason]] : []));
    expect(released).toEqual([[one.id, 'its MCP session ended']]);
  });

  it("refuses the session's queued requests and leaves the others' in the queue", async () => {
    fx = lockFixture({ defaultWaitMs: 60_000 });
    await fx.locks.acquire(req('b', 'WRITE', 'x.ts'));
    const mine = fx.locks.acquire(req('a', 'WRITE', 'x.ts', { session: 's1' }));
    const theirs = fx.locks.acquire(req('a', 'READ', 'y.ts', { session: 's2' }));
    await expect(theirs).resolves.toMatchObject({ holder: 'a' });
    fx.locks.releaseSession('a', 's1', 'its MCP session ended');
    await expect(mine).rejects.toThrow(/dropped: its MCP session ended/);
    expect(fx.locks.list().waiters).toEqual([]);
  });

  it("renews only the session's locks when it heartbeats", async () => {
    fx = lockFixture({ defaultTtlMs: 10_000, graceMs: 2_000 });
    await fx.locks.acquire(req('a', 'WRITE', 'mine.ts', { session: 's1' }));
    await fx.locks.acquire(req('a', 'WRITE', 'other.ts', { session: 's2' }));
    for (let i = 0; i < 3; i++) {
      fx.clock.advance(6_000);
      expect(fx.locks.heartbeat('a', 's1')).toBe(1);
    }
    expect(fx.locks.locksOf('a').map((l) => l.target)).toEqual([{ kind: 'file', path: 'mine.ts' }]);
  });

  it("keeps a person's hour when a session takes the same lock without naming a TTL", async () => {
    fx = lockFixture({ defaultTtlMs: 10_000, graceMs: 2_000 });
    const hour = 60 * 60 * 1000;
    const held = await fx.locks.acquire({ ...req('a', 'WRITE', 'x.ts'), freshTtlMs: hour });
    const again = await fx.locks.acquire({ ...req('a', 'WRITE', 'x.ts', { session: 's1' }), freshTtlMs: 30_000 });
    expect(again).toMatchObject({ id: held.id, ttlMs: hour });
    fx.locks.releaseSession('a', 's1', 'its MCP session ended');
    fx.clock.advance(60_000);
    expect(fx.locks.locksOf('a')).toMatchObject([{ id: held.id, ttlMs: hour, sessions: [] }]);
    // a TTL the request names still replaces it
    expect(await fx.locks.acquire(req('a', 'WRITE', 'x.ts', { ttlMs: 5_000 }))).toMatchObject({
      id: held.id,
      ttlMs: 5_000,
    });
  });

  it('gives ids from the source it is given, never reusing one', async () => {
    let n = 40;
    fx = lockFixture({ nextLockId: () => `lock-7-${n++}` });
    const a = await fx.locks.acquire(req('a', 'WRITE', 'a.ts'));
    fx.locks.release(a.id, 'a');
    const b = await fx.locks.acquire(req('a', 'WRITE', 'a.ts'));
    expect([a.id, b.id]).toEqual(['lock-7-40', 'lock-7-41']);
  });
});
