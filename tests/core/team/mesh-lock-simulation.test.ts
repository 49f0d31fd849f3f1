// The mesh-wide lock protocol under thousands of random schedules (tests/helpers/lock-sim.ts): 3–5 machines,
// FIFO links delivering in random order, random requests of every mode on overlapping files, directories
// and globs, releases, timeouts, duplicated frames, cut and healed links, restarts. After every step: no two
// conflicting claims are held at once by machines linked for the whole time both were held, and once the
// machines of a conflicting pair have exchanged their held claims, both have reported it (once). At the end
// every link heals and every holder releases: each waiting request must be granted (liveness).
// A failure names its seed and step; `LockSim` with that seed replays it exactly.
import { describe, expect, it } from 'vitest';
import { scaled } from '../../helpers/load-scale.js';
import { LockSim, LoosenedMeshLockProtocol, type SimResult } from '../../helpers/lock-sim.js';

const SEEDS = 2_000;
const STEPS = 200;
/** about 15 s for the 2,000 schedules on a quiet machine: the bound is generous and grows with the load */
const LIMIT = scaled(120_000);

function runSeeds(from: number, count: number, partitions: boolean): SimResult {
  const total: SimResult = {
    ...{ steps: 0, delivered: 0, grants: 0, partitionedGrants: 0, refusals: 0 },
    ...{ conflictsReported: 0, cuts: 0, restarts: 0, casWins: 0 },
  };
  for (let seed = from; seed < from + count; seed++) {
    const result = new LockSim({ seed, machines: 3 + (seed % 3), steps: STEPS, partitions }).run();
    for (const k of Object.keys(total) as Array<keyof SimResult>) total[k] += result[k];
  }
  return total;
}

describe('the mesh-wide lock protocol under random schedules', () => {
  it(
    `keeps safety and liveness over ${SEEDS / 2} schedules with every link up`,
    () => {
      const started = performance.now();
      const total = runSeeds(1, SEEDS / 2, false);
      console.log(`linked: ${JSON.stringify(total)} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      expect(total.grants).toBeGreaterThan(SEEDS * 10);
      expect(total.partitionedGrants).toBe(0);
      expect(total.casWins).toBeGreaterThan(100);
    },
    LIMIT,
  );

  it(
    `keeps safety, reports every partition conflict on both sides, over ${SEEDS / 2} schedules with cuts`,
    () => {
      const started = performance.now();
      const total = runSeeds(100_001, SEEDS / 2, true);
      console.log(`partitioned: ${JSON.stringify(total)} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      // the schedules did reach the cases the invariants are about
      expect(total.partitionedGrants).toBeGreaterThan(100);
      expect(total.conflictsReported).toBeGreaterThan(10);
      expect(total.restarts).toBeGreaterThan(100);
    },
    LIMIT,
  );

  it(
    'catches a loosened protocol (OK while an earlier conflicting request is pending) within the same seeds',
    () => {
      let failure: string | null = null;
      let tried = 0;
      for (let seed = 1; seed <= SEEDS / 2 && failure === null; seed++, tried++) {
        const sim = new LockSim({
          ...{ seed, machines: 3 + (seed % 3), steps: STEPS, partitions: false },
          factory: (deps) => new LoosenedMeshLockProtocol(deps),
        });
        try {
          sim.run();
        } catch (err) {
          failure = (err as Error).message;
        }
      }
      console.log(`loosened: caught after ${tried} schedule(s): ${failure}`);
      expect(failure).toMatch(
        /^seed \d+, step \d+: (safety: .* held at once while linked|compare-and-set: .* both replaced)/,
      );
    },
    LIMIT,
  );

  it('replays a schedule exactly from its seed', () => {
    const run = () => new LockSim({ seed: 4242, machines: 5, steps: STEPS, partitions: true }).run();
    expect(run()).toEqual(run());
  });
});
