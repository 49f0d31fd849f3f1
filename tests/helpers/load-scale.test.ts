// The load-aware time limits: a factor of at least 1, capped, that grows when the CPU is shared, and an
// override for CI. The calibration is checked in a child pinned to one CPU beside a `yes` pinned to the
// same CPU: whatever else runs on the machine, that child gets at most half of its core.
import { spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_LOAD_FACTOR, measureLoad, scaled } from './load-scale.js';

const root = resolve(__dirname, '../..');
const hasTaskset = spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0;
const saved = process.env.DEVMESH_TEST_TIME_SCALE;

afterEach(() => {
  if (saved === undefined) delete process.env.DEVMESH_TEST_TIME_SCALE;
  else process.env.DEVMESH_TEST_TIME_SCALE = saved;
  measureLoad(true);
});

/** The calibration measured by a child pinned to CPU 0 (the helper loaded with Node's type stripping). */
function stretchOnCpu0(): number {
  const src = `import { cpuStretch } from ${JSON.stringify(resolve(root, 'tests/helpers/load-scale.ts'))};
process.stdout.write(String(cpuStretch(12, 9)));`;
  const node = [process.execPath, '--experimental-strip-types', '--no-warnings', '--input-type=module', '-e', src];
  const r = spawnSync('taskset', ['-c', '0', ...node], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (r.status !== 0) throw new Error(`calibration child failed: ${r.stderr}`);
  return Number(r.stdout);
}

describe('load-scaled time limits', () => {
  it('never shortens a limit, and never stretches it past the cap', () => {
    delete process.env.DEVMESH_TEST_TIME_SCALE;
    const m = measureLoad(true);
    expect(m.factor).toBeGreaterThanOrEqual(1);
    expect(m.factor).toBeLessThanOrEqual(MAX_LOAD_FACTOR);
    expect(m.factor).toBeGreaterThanOrEqual(Math.min(MAX_LOAD_FACTOR, m.runQueuePerCpu));
    expect(scaled(1000)).toBeGreaterThanOrEqual(1000);
    expect(scaled(1000)).toBeLessThanOrEqual(1000 * MAX_LOAD_FACTOR);
  });

  it('takes DEVMESH_TEST_TIME_SCALE as the factor when set, and ignores a value that is not a positive number', () => {
    process.env.DEVMESH_TEST_TIME_SCALE = '2.5';
    expect(measureLoad(true)).toMatchObject({ factor: 2.5, override: 2.5 });
    expect(scaled(1000)).toBe(2500);
    process.env.DEVMESH_TEST_TIME_SCALE = 'fast';
    expect(measureLoad(true).override).toBeNull();
    process.env.DEVMESH_TEST_TIME_SCALE = '-1';
    expect(measureLoad(true).override).toBeNull();
  });

  it.skipIf(!hasTaskset)('sees a CPU shared with a busy process (needs taskset from util-linux)', async () => {
    const hog = spawn('taskset', ['-c', '0', 'yes'], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 200));
      // CFS gives two runnable tasks on one CPU half of it each: about 2; anything else on CPU 0 adds to it
      expect(stretchOnCpu0()).toBeGreaterThan(1.4);
    } finally {
      hog.kill('SIGKILL');
    }
  });
});
