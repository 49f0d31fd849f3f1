// PendingBatch's background flush in slices: a slice the store refuses (a bug, not the disk) is dropped and
// counted, and the items behind it are still written at once, without waiting for the next item to arrive.
import { describe, expect, it } from 'vitest';
import { DaemonHealth } from '../../../main/core/health/daemon-health.js';
import { PendingBatch } from '../../../main/core/health/pending-batch.js';
import { StoreGuard } from '../../../main/core/health/store-guard.js';
import { until } from '../../helpers/until.js';

describe('PendingBatch in slices', () => {
  it('writes the items behind a refused slice without another push', async () => {
    const where = '/nowhere/test.db';
    const guard = new StoreGuard(DaemonHealth.detached(), { component: 'test store', where, rule: 'dropped' });
    const written: number[][] = [];
    const batch = new PendingBatch<number>({
      guard,
      flushMs: 1,
      sliceMax: 10,
      write: (items) => {
        if (items.includes(0)) throw new Error('CHECK constraint failed: a row the table refuses');
        written.push([...items]);
      },
    });
    for (let i = 0; i < 35; i++) batch.push(i);
    await until('every slice handled', () => batch.waiting === 0);
    expect(batch.dropped).toBe(10);
    expect(written.map((w) => w.length)).toEqual([10, 10, 5]);
    expect(written.flat()[0]).toBe(10);
    batch.dispose();
  });
});
