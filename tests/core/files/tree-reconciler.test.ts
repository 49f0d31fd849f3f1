// The check that finds what the native watcher's callback lost: once the folder has been quiet (or at the
// deadline of a long stream), the changes since the last snapshot of the native tree that the callback did not
// hand on are reported, a create lost behind its own update included; checks are spaced by ten times the cost of
// the last one; a snapshot that cannot be read stops the checks with one error and nothing thrown. A stand-in for
// the native snapshot pair (its contract in watch-backend.ts); the real one is in file-watchers.test.ts.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TreeReconciler } from '../../../main/core/files/tree-reconciler.js';
import type { WatchEvent, WatchSnapshots } from '../../../main/core/files/watch-backend.js';
import { FakeLockClock } from '../locks/fake-lock-clock.js';

/** A native tree: the changes since the last snapshot are whatever `change` put there. */
class StandInTree implements WatchSnapshots {
  changes: WatchEvent[] = [];
  snapshots = 0;
  reads = 0;
  failRead = false;
  /** what a read costs, in the fake clock's time */
  readCost: () => void = () => undefined;

  writeSnapshot(): Promise<string> {
    this.snapshots++;
    this.changes = [];
    return Promise.resolve('snapshot');
  }

  getEventsSince(): Promise<WatchEvent[]> {
    this.reads++;
    this.readCost();
    if (this.failRead) return Promise.reject(new Error('Unable to open snapshot file: No such file or directory'));
    return Promise.resolve([...this.changes]);
  }
}

async function setup() {
  const clock = new FakeLockClock();
  const tree = new StandInTree();
  const reported: WatchEvent[][] = [];
  const errors: Error[] = [];
  const r = new TreeReconciler({
    root: '/p',
    snapshots: tree,
    clock,
    report: (events) => reported.push(events),
    onError: (err) => errors.push(err),
    quietMs: 700,
    maxDelayMs: 5_000,
  });
  await r.prepare();
  await r.start([]);
  return { clock, tree, reported, errors, r };
}

const ev = (path: string, type: WatchEvent['type']): WatchEvent => ({ path, type });

describe('TreeReconciler', () => {
  it('reports, once the folder is quiet, what the tree changed and the callback did not hand on', async () => {
    const { clock, tree, reported, r } = await setup();
    tree.changes = [ev('/p/a.ts', 'update'), ev('/p/lost.ts', 'create'), ev('/p/late.ts', 'create')];
    r.saw([ev('/p/a.ts', 'update'), ev('/p/late.ts', 'update')]);
    clock.advance(699);
    await r.settled();
    expect(reported).toEqual([]);
    clock.advance(1);
    await r.settled();
    // late.ts: its update came through, its create did not
    expect(reported).toEqual([[ev('/p/lost.ts', 'create'), ev('/p/late.ts', 'create')]]);
    expect(r.lost).toBe(2);
    // the next check starts from a new snapshot: nothing is reported twice
    r.saw([ev('/p/b.ts', 'update')]);
    tree.changes = [ev('/p/b.ts', 'update')];
    clock.advance(700);
    await r.settled();
    expect(reported).toHaveLength(1);
    expect(tree.snapshots).toBe(3);
    await r.dispose();
  });

  it('checks at its deadline while events keep coming', async () => {
    const { clock, tree, reported, r } = await setup();
    tree.changes = [ev('/p/lost.ts', 'create')];
    for (let i = 0; i < 10; i++) {
      r.saw([ev(`/p/stream-${i}.ts`, 'create')]);
      clock.advance(500);
    }
    await r.settled();
    expect(reported).toEqual([[ev('/p/lost.ts', 'create')]]);
    await r.dispose();
  });

  it('spaces checks by ten times what the last one cost', async () => {
    const { clock, tree, r } = await setup();
    tree.readCost = () => clock.advance(200);
    r.saw([ev('/p/a.ts', 'update')]);
    clock.advance(700);
    await r.settled();
    expect(tree.reads).toBe(1);
    // quiet again at +700 ms, but the last check cost 200 ms: the next waits until 2,000 ms after it ended
    r.saw([ev('/p/b.ts', 'update')]);
    clock.advance(1_900);
    await r.settled();
    expect(tree.reads).toBe(1);
    clock.advance(100);
    await r.settled();
    expect(tree.reads).toBe(2);
    await r.dispose();
  });

  it('stops checking with one error when a snapshot cannot be read, and removes its folder when disposed', async () => {
    const { clock, tree, reported, errors, r } = await setup();
    const folder = r.folder!;
    expect(existsSync(folder)).toBe(true);
    tree.failRead = true;
    r.saw([ev('/p/a.ts', 'update')]);
    clock.advance(700);
    await r.settled();
    r.saw([ev('/p/b.ts', 'update')]);
    clock.advance(5_000);
    await r.settled();
    expect(errors.map((e) => e.message)).toEqual(['Unable to open snapshot file: No such file or directory']);
    expect(reported).toEqual([]);
    await r.dispose();
    expect(existsSync(folder)).toBe(false);
  });
});
