// TTL, heartbeat and grace with fake time; a holder's exit releasing everything at once.
import { afterEach, describe, expect, it } from 'vitest';
import { lockFixture, req, type LockFixture } from './lock-fixture.js';

let fx: LockFixture;
afterEach(() => fx?.dispose());

describe('TTL and heartbeat', () => {
  it('a lock survives its TTL by the grace, then expires with an event', () => {
    fx = lockFixture({ defaultTtlMs: 10_000, graceMs: 2_000 });
    fx.locks.tryAcquire(req('a', 'WRITE', 'x.ts'));
    fx.clock.advance(11_999);
    expect(fx.locks.locksOf('a')).toHaveLength(1);
    fx.clock.advance(1);
    expect(fx.locks.locksOf('a')).toHaveLength(0);
    expect(fx.events.filter((e) => e.type === 'expired').map((e) => e.type === 'expired' && e.lock.holder)).toEqual([
      'a',
    ]);
    expect(fx.locks.tryAcquire(req('b', 'WRITE', 'x.ts')).ok).toBe(true);
  });

  it('heartbeat extends every lock of the holder from now', () => {
    fx = lockFixture({ defaultTtlMs: 10_000, graceMs: 2_000 });
    fx.locks.tryAcquire(req('a', 'WRITE', 'x.ts'));
    fx.locks.tryAcquire(req('a', 'READ', 'y.ts', { ttlMs: 5_000 }));
    fx.locks.tryAcquire(req('b', 'READ', 'z.ts'));
    for (let i = 0; i < 5; i++) {
      fx.clock.advance(4_000);
      expect(fx.locks.heartbeat('a')).toBe(2);
    }
    expect(fx.locks.locksOf('a').map((l) => l.target)).toEqual([
      { kind: 'file', path: 'x.ts' },
      { kind: 'file', path: 'y.ts' },
    ]);
    expect(fx.locks.locksOf('b')).toHaveLength(0); // 20 s without a beat
    fx.clock.advance(7_000); // y.ts: 5 s TTL + 2 s grace
    expect(fx.locks.locksOf('a').map((l) => l.target)).toEqual([{ kind: 'file', path: 'x.ts' }]);
    fx.clock.advance(5_000);
    expect(fx.locks.locksOf('a')).toHaveLength(0);
  });

  it('expiry wakes the waiter', async () => {
    fx = lockFixture({ defaultTtlMs: 10_000, graceMs: 2_000, defaultWaitMs: 60_000 });
    fx.locks.tryAcquire(req('a', 'WRITE', 'x.ts'));
    const b = fx.locks.acquire(req('b', 'WRITE', 'x.ts'));
    fx.clock.advance(12_000);
    await expect(b).resolves.toMatchObject({ holder: 'b' });
    expect(fx.events.find((e) => e.type === 'granted' && e.lock.holder === 'b')).toMatchObject({ waitedMs: 12_000 });
  });

  it('a late timer is caught up by the next operation', () => {
    fx = lockFixture({ defaultTtlMs: 10_000, graceMs: 2_000 });
    fx.locks.tryAcquire(req('a', 'WRITE', 'x.ts'));
    // time passes without the timer firing (a stalled event loop)
    (fx.clock as unknown as { t: number }).t += 13_000;
    expect(fx.locks.tryAcquire(req('b', 'WRITE', 'x.ts')).ok).toBe(true);
  });
});

describe('releaseHolder', () => {
  it('drops every lock of the holder at once, with the reason, and wakes waiters', async () => {
    fx = lockFixture();
    fx.locks.tryAcquire(req('a', 'WRITE', 'x.ts'));
    fx.locks.tryAcquire(req('a', 'WRITE', { kind: 'dir', path: 'lib' }));
    const b = fx.locks.acquire(req('b', 'WRITE', 'x.ts'));
    const c = fx.locks.acquire(req('c', 'READ', 'lib/y.ts'));
    expect(fx.locks.releaseHolder('a', 'terminal exited')).toBe(2);
    await expect(b).resolves.toMatchObject({ holder: 'b' });
    await expect(c).resolves.toMatchObject({ holder: 'c' });
    const released = fx.events.filter((e) => e.type === 'released');
    expect(released.map((e) => e.type === 'released' && e.reason)).toEqual(['terminal exited', 'terminal exited']);
  });

  it("refuses the holder's own pending requests", async () => {
    fx = lockFixture();
    fx.locks.tryAcquire(req('a', 'WRITE', 'x.ts'));
    const b = fx.locks.acquire(req('b', 'WRITE', 'x.ts'));
    fx.locks.releaseHolder('b', 'process exited');
    await expect(b).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('process exited') });
    expect(fx.locks.list().waiters).toEqual([]);
  });

  it('release checks the holder and the id', () => {
    fx = lockFixture();
    const r = fx.locks.tryAcquire(req('a', 'WRITE', 'x.ts'));
    if (!r.ok) throw new Error('not granted');
    expect(() => fx.locks.release(r.value.id, 'b')).toThrow(/held by a, not b/);
    expect(fx.locks.release(r.value.id, 'a').id).toBe(r.value.id);
    expect(() => fx.locks.release(r.value.id, 'a')).toThrow(/released or expired/);
  });

  it('dispose refuses waiters and cancels timers', async () => {
    fx = lockFixture();
    fx.locks.tryAcquire(req('a', 'WRITE', 'x.ts'));
    const b = fx.locks.acquire(req('b', 'WRITE', 'x.ts'));
    fx.locks.dispose();
    await expect(b).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
    expect(fx.clock.timers).toBe(0);
  });
});
