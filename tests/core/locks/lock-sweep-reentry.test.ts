// A listener of an `expired` event that takes a lock at once (the task board awards a task whose file just
// freed): the sweep must not report an expiry twice, and the lock taken meanwhile must still expire.
import { afterEach, describe, expect, it } from 'vitest';
import { lockFixture, req, type LockFixture } from './lock-fixture.js';

let fx: LockFixture;
afterEach(() => fx?.dispose());

describe('expiry with a listener that takes a lock', () => {
  it('reports each expiry once and keeps the new lock on its own TTL', () => {
    fx = lockFixture({ defaultTtlMs: 10_000, graceMs: 2_000 });
    fx.locks.tryAcquire(req('user', 'WRITE', 'a.ts'));
    fx.locks.tryAcquire(req('user', 'WRITE', 'b.ts'));
    let took = false;
    fx.locks.onDidChange((e) => {
      if (e.type !== 'expired' || took) return;
      took = true;
      expect(fx.locks.tryAcquire(req('agent-bob', 'INTENT', 'a.ts', { ttlMs: 20_000 })).ok).toBe(true);
    });
    fx.clock.advance(12_000);
    const expired = fx.events
      .filter((e) => e.type === 'expired')
      .map((e) => (e.type === 'expired' ? e.lock.target : null));
    expect(expired).toEqual([
      { kind: 'file', path: 'a.ts' },
      { kind: 'file', path: 'b.ts' },
    ]);
    expect(fx.locks.locksOf('agent-bob')).toHaveLength(1);
    // nobody heartbeats bob's lock: it goes at its TTL + grace, by the manager's own timer
    fx.clock.advance(22_000);
    expect(fx.events.filter((e) => e.type === 'expired' && e.lock.holder === 'agent-bob')).toHaveLength(1);
  });
});
