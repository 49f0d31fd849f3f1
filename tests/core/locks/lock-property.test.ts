// Many random agents on a few files with a seeded PRNG: acquire (waiting or not), release, heartbeat,
// exit, time passing. After every step, no two overlapping locks of different holders break the matrix
// (the later grant is admitted by the earlier lock's mode), and so no WRITE is ever shared.
import { afterEach, describe, expect, it } from 'vitest';
import { LOCK_MODES, type LockInfo, type LockTarget } from '../../../shared/lock.js';
import { admits } from '../../../main/core/locks/lock-matrix.js';
import { LockPathResolver } from '../../../main/core/locks/lock-path-resolver.js';
import * as targetOverlap from '../../../main/core/locks/target-overlap.js';
import type { ResolvedTarget } from '../../../main/core/locks/target-overlap.js';
import { dir, file, flush, glob, lockFixture, type LockFixture } from './lock-fixture.js';
import { mulberry32 } from '../../helpers/mulberry32.js';

const prng = mulberry32;

let fx: LockFixture;
afterEach(() => fx?.dispose());

describe('random agents (property)', () => {
  it.each([1, 2, 3])('seed %i: 50 agents × 10 files × 4,000 steps keep the matrix', async (seed) => {
    fx = lockFixture({ defaultTtlMs: 5_000, graceMs: 1_000, defaultWaitMs: 3_000 });
    const rand = prng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const agents = Array.from({ length: 50 }, (_, i) => `agent-${i}`);
    const files: LockTarget[] = Array.from({ length: 10 }, (_, i) => file(`src/f${i}.ts`));
    const wide: LockTarget[] = [dir('src'), glob('src/f[0-4].ts'), glob('src/**/*.ts')];
    // mostly single files; now and then a directory or a glob that overlaps many of them
    const target = () => (rand() < 0.05 ? pick(wide) : pick(files));
    const resolver = new LockPathResolver(fx.root);
    const resolved = new Map<string, ResolvedTarget>();
    const resolve = (t: LockTarget) => {
      const k = JSON.stringify(t);
      let r = resolved.get(k);
      if (!r) resolved.set(k, (r = resolver.resolve(t)));
      return r;
    };
    // when each lock was last granted (or converted), in event order
    const grantedAt = new Map<string, number>();
    let order = 0;
    const counts = { granted: 0, refused: 0, expired: 0, deadlocks: 0, queued: 0 };
    fx.locks.onDidChange((e) => {
      if (e.type === 'granted') grantedAt.set(e.lock.id, order++);
      if (e.type === 'refused' && (e.error.details as { reason?: string } | undefined)?.reason === 'deadlock')
        counts.deadlocks++;
      if (e.type in counts) counts[e.type as keyof typeof counts]++;
    });
    const unexpected: unknown[] = [];

    const check = (step: number) => {
      const locks = fx.locks.list().locks;
      for (let i = 0; i < locks.length; i++) {
        for (let j = i + 1; j < locks.length; j++) {
          const [x, y] = [locks[i]!, locks[j]!];
          if (x.holder === y.holder || !targetOverlap.overlaps(resolve(x.target), resolve(y.target))) continue;
          const [first, later]: LockInfo[] = grantedAt.get(x.id)! < grantedAt.get(y.id)! ? [x, y] : [y, x];
          if (x.mode === 'WRITE' || y.mode === 'WRITE' || !admits(first!.mode, later!.mode)) {
            throw new Error(
              `step ${step}: ${first!.holder} ${first!.mode} ${JSON.stringify(first!.target)} held with ${later!.holder} ${later!.mode} ${JSON.stringify(later!.target)}`,
            );
          }
        }
      }
    };

    for (let step = 0; step < 4_000; step++) {
      const agent = pick(agents);
      const roll = rand();
      if (roll < 0.3) {
        fx.locks.tryAcquire({ holder: agent, mode: pick(LOCK_MODES), target: target() });
      } else if (roll < 0.55) {
        fx.locks
          .acquire({ holder: agent, mode: pick(LOCK_MODES), target: target(), waitMs: 1 + Math.floor(rand() * 4_000) })
          .catch((err: { code?: string }) => {
            if (!['TIMEOUT', 'CONFLICT', 'SHUTTING_DOWN'].includes(err.code ?? '')) unexpected.push(err);
          });
      } else if (roll < 0.75) {
        const mine = fx.locks.locksOf(agent);
        if (mine.length > 0) fx.locks.release(pick(mine).id, agent);
      } else if (roll < 0.9) {
        fx.locks.heartbeat(agent);
      } else if (roll < 0.93) {
        fx.locks.releaseHolder(agent, 'exited');
      } else {
        fx.clock.advance(Math.floor(rand() * 1_500));
      }
      check(step);
      if (step % 100 === 0) await flush();
    }
    for (const a of agents) fx.locks.releaseHolder(a, 'end');
    await flush();
    expect(unexpected).toEqual([]);
    expect(fx.locks.list()).toEqual({ locks: [], waiters: [] });
    // the run exercised every path it is meant to
    expect(counts.granted).toBeGreaterThan(300);
    expect(counts.queued).toBeGreaterThan(100);
    expect(counts.expired).toBeGreaterThan(0);
    expect(counts.refused).toBeGreaterThan(100);
  });
});
