// Waiting: FIFO fairness, upgrade priority, timeouts, and deadlock detection naming the cycle.
import { afterEach, describe, expect, it } from 'vitest';
import { lockFixture, req, flush, type LockFixture } from './lock-fixture.js';

let fx: LockFixture;
afterEach(() => fx?.dispose());

describe('fairness', () => {
  it('grants three waiters in the order they asked', async () => {
    fx = lockFixture({ defaultWaitMs: 60_000 });
    const first = fx.locks.tryAcquire(req('a', 'WRITE', 'x.ts'));
    const order: string[] = [];
    const waits = ['b', 'c', 'd'].map((h) => fx.locks.acquire(req(h, 'WRITE', 'x.ts')).then((l) => (order.push(h), l)));
    expect(fx.locks.list().waiters.map((w) => w.holder)).toEqual(['b', 'c', 'd']);
    expect(fx.events.filter((e) => e.type === 'queued')).toHaveLength(3);
    let current = first.ok ? first.value : null;
    for (const w of waits) {
      fx.locks.release(current!.id, current!.holder);
      current = await w;
      await flush();
    }
    expect(order).toEqual(['b', 'c', 'd']);
  });

  it('a reader does not pass a queued writer (no writer starvation)', async () => {
    fx = lockFixture();
    fx.locks.tryAcquire(req('a', 'READ', 'x.ts'));
    const w = fx.locks.acquire(req('b', 'WRITE', 'x.ts'));
    const r = fx.locks.tryAcquire(req('c', 'READ', 'x.ts'));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toContain('b is queued ahead for WRITE x.ts');
    fx.locks.releaseHolder('a', 'done');
    await expect(w).resolves.toMatchObject({ holder: 'b' });
  });

  it('waiters on disjoint targets do not hold each other up', async () => {
    fx = lockFixture();
    fx.locks.tryAcquire(req('a', 'WRITE', 'x.ts'));
    fx.locks.tryAcquire(req('a', 'WRITE', 'y.ts'));
    const bx = fx.locks.acquire(req('b', 'WRITE', 'x.ts'));
    const cy = fx.locks.acquire(req('c', 'WRITE', 'y.ts'));
    fx.locks.release(fx.locks.locksOf('a').find((l) => l.target.kind === 'file' && l.target.path === 'y.ts')!.id, 'a');
    await expect(cy).resolves.toMatchObject({ holder: 'c' });
    expect(fx.locks.list().waiters.map((w) => w.holder)).toEqual(['b']);
    fx.locks.releaseHolder('a', 'done');
    await bx;
  });
});

describe('timeouts', () => {
  it('refuses a waiter whose time passed, naming the holder, and lets the next one through', async () => {
    fx = lockFixture({ defaultTtlMs: 60_000 });
    fx.locks.tryAcquire(req('a', 'WRITE', 'x.ts'));
    const b = fx.locks.acquire(req('b', 'WRITE', 'x.ts', { waitMs: 1_000 }));
    const c = fx.locks.acquire(req('c', 'READ', 'x.ts', { waitMs: 10_000 }));
    fx.clock.advance(1_000);
    await expect(b).rejects.toMatchObject({
      code: 'TIMEOUT',
      message: expect.stringMatching(/b waited 1000 ms.*a holds WRITE x\.ts/),
    });
    expect(fx.locks.list().waiters.map((w) => w.holder)).toEqual(['c']);
    fx.locks.releaseHolder('a', 'done');
    await expect(c).resolves.toMatchObject({ holder: 'c' });
  });

  it('waitMs 0 refuses at once', async () => {
    fx = lockFixture();
    fx.locks.tryAcquire(req('a', 'WRITE', 'x.ts'));
    await expect(fx.locks.acquire(req('b', 'READ', 'x.ts', { waitMs: 0 }))).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(fx.locks.list().waiters).toEqual([]);
  });
});

describe('deadlocks', () => {
  it('a 2-cycle refuses the youngest waiter, naming the cycle', async () => {
    fx = lockFixture({ defaultWaitMs: 60_000 });
    fx.locks.tryAcquire(req('agent-a', 'WRITE', 'src/x.ts'));
    fx.locks.tryAcquire(req('agent-b', 'WRITE', 'src/y.ts'));
    const a = fx.locks.acquire(req('agent-a', 'WRITE', 'src/y.ts'));
    const b = fx.locks.acquire(req('agent-b', 'READ', 'src/x.ts'));
    await expect(b).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining(
        'deadlock: agent-b waits for agent-a (WRITE src/x.ts) which waits for agent-b (WRITE src/y.ts)',
      ),
    });
    fx.locks.releaseHolder('agent-b', 'gave up');
    await expect(a).resolves.toMatchObject({ holder: 'agent-a' });
  });

  it('a 3-cycle refuses the youngest and the other two proceed', async () => {
    fx = lockFixture({ defaultWaitMs: 60_000 });
    for (const [h, f] of [
      ['a', '1.ts'],
      ['b', '2.ts'],
      ['c', '3.ts'],
    ] as const)
      fx.locks.tryAcquire(req(h, 'WRITE', f));
    const a = fx.locks.acquire(req('a', 'WRITE', '2.ts'));
    const b = fx.locks.acquire(req('b', 'WRITE', '3.ts'));
    const c = fx.locks.acquire(req('c', 'WRITE', '1.ts'));
    await expect(c).rejects.toThrow(
      'deadlock: c waits for a (WRITE 1.ts) which waits for b (WRITE 2.ts) which waits for c (WRITE 3.ts)',
    );
    expect(fx.locks.list().waiters.map((w) => w.holder)).toEqual(['a', 'b']);
    fx.locks.releaseHolder('c', 'refused');
    await expect(b).resolves.toMatchObject({ holder: 'b' });
    fx.locks.releaseHolder('b', 'done');
    await expect(a).resolves.toMatchObject({ holder: 'a' });
  });

  it('two readers upgrading to WRITE deadlock; the second is refused, the first upgrades', async () => {
    fx = lockFixture({ defaultWaitMs: 60_000 });
    fx.locks.tryAcquire(req('a', 'READ', 'x.ts'));
    fx.locks.tryAcquire(req('b', 'READ', 'x.ts'));
    const a = fx.locks.acquire(req('a', 'WRITE', 'x.ts'));
    const b = fx.locks.acquire(req('b', 'WRITE', 'x.ts'));
    await expect(b).rejects.toThrow(/deadlock: b waits for a \(READ x\.ts\)/);
    fx.locks.release(fx.locks.locksOf('b')[0]!.id, 'b');
    await expect(a).resolves.toMatchObject({ holder: 'a', mode: 'WRITE' });
  });

  it('a cycle through the queue (waiting behind another waiter) is caught', async () => {
    fx = lockFixture({ defaultWaitMs: 60_000 });
    fx.locks.tryAcquire(req('a', 'WRITE', 'y.ts'));
    fx.locks.tryAcquire(req('b', 'READ', 'x.ts'));
    const c = fx.locks.acquire(req('c', 'WRITE', 'x.ts')); // c waits for b
    const a = fx.locks.acquire(req('a', 'READ', 'x.ts')); // a queued behind c
    const b = fx.locks.acquire(req('b', 'READ', 'y.ts')); // b waits for a: b → a → c → b
    await expect(b).rejects.toThrow(
      /deadlock: b waits for a \(WRITE y\.ts\) which waits for c \(queued for WRITE x\.ts\) which waits for b \(READ x\.ts\)/,
    );
    fx.locks.releaseHolder('b', 'refused');
    await expect(c).resolves.toMatchObject({ holder: 'c' });
    fx.locks.releaseHolder('c', 'done');
    await expect(a).resolves.toMatchObject({ holder: 'a', mode: 'READ' });
  });
});
