// The debounce of a watcher's events: a burst is one batch after the quiet time, a long stream still flushes
// at its deadline, and each path keeps its net change (a rename is a delete and a create; a save through a
// temporary file and a rename over the original is an update; a file created and deleted is nothing).
import { describe, expect, it } from 'vitest';
import { ChangeBatcher, type RawChange } from '../../../main/core/files/change-batcher.js';
import { FakeLockClock } from '../locks/fake-lock-clock.js';

function batcher(options: { quietMs?: number; maxDelayMs?: number; maxPaths?: number } = {}) {
  const clock = new FakeLockClock();
  const batches: RawChange[][] = [];
  const b = new ChangeBatcher({ clock, flush: (c) => batches.push(c), quietMs: 50, maxDelayMs: 500, ...options });
  return { clock, batches, b };
}

describe('ChangeBatcher', () => {
  it('hands a burst over as one batch once the folder is quiet', () => {
    const { clock, batches, b } = batcher();
    b.add([{ path: 'a.ts', type: 'update' }]);
    clock.advance(30);
    b.add([{ path: 'b.ts', type: 'create' }]);
    clock.advance(30);
    expect(batches).toEqual([]);
    clock.advance(30);
    expect(batches).toEqual([
      [
        { path: 'a.ts', type: 'update' },
        { path: 'b.ts', type: 'create' },
      ],
    ]);
  });

  it('flushes a stream that never goes quiet at its deadline, then starts a new batch', () => {
    const { clock, batches, b } = batcher();
    for (let i = 0; i < 30; i++) {
      b.add([{ path: `f${i}`, type: 'create' }]);
      clock.advance(20);
    }
    expect(batches.length).toBe(1);
    expect(batches[0]!.length).toBe(25);
    clock.advance(50);
    expect(batches.length).toBe(2);
    expect(batches.flat().length).toBe(30);
  });

  it('keeps one net change per path', () => {
    const { clock, batches, b } = batcher();
    b.add([
      { path: 'new.ts', type: 'create' },
      { path: 'new.ts', type: 'update' },
      { path: 'tmp.swp', type: 'create' },
      { path: 'tmp.swp', type: 'delete' },
      { path: 'saved.ts', type: 'delete' },
      { path: 'saved.ts', type: 'create' },
      { path: 'old.ts', type: 'delete' },
      { path: 'renamed.ts', type: 'create' },
      { path: 'edited.ts', type: 'update' },
      { path: 'edited.ts', type: 'delete' },
    ]);
    clock.advance(100);
    expect(batches).toEqual([
      [
        { path: 'new.ts', type: 'create' },
        { path: 'saved.ts', type: 'update' },
        { path: 'old.ts', type: 'delete' },
        { path: 'renamed.ts', type: 'create' },
        { path: 'edited.ts', type: 'delete' },
      ],
    ]);
  });

  it('flushes at once past its bound of paths, and nothing after dispose', () => {
    const { clock, batches, b } = batcher({ maxPaths: 10 });
    b.add(Array.from({ length: 10 }, (_, i) => ({ path: `f${i}`, type: 'create' as const })));
    expect(batches.length).toBe(1);
    b.add([{ path: 'late', type: 'create' }]);
    b.dispose();
    clock.advance(1000);
    expect(batches.length).toBe(1);
    expect(clock.timers).toBe(0);
  });
});
