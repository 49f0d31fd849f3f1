// DisposableStore: reverse order, once, async parts awaited, a failing part reported and skipped over.
import { describe, expect, it } from 'vitest';
import { DisposableStore, toDisposable } from '../../../main/core/base/disposable.js';

describe('DisposableStore', () => {
  it('disposes its parts in the reverse order they were added, awaiting async ones', async () => {
    const order: string[] = [];
    const store = new DisposableStore();
    store.add(toDisposable(() => order.push('store')));
    store.add({
      dispose: async () => {
        await new Promise((r) => setTimeout(r, 5));
        order.push('proxy');
      },
    });
    store.add(toDisposable(() => order.push('terminals')));
    await store.dispose();
    expect(order).toEqual(['terminals', 'proxy', 'store']);
  });

  it('disposes once, however often it is asked', async () => {
    let n = 0;
    const store = new DisposableStore();
    store.add({ dispose: () => void n++ });
    await Promise.all([store.dispose(), store.dispose()]);
    await store.dispose();
    expect(n).toBe(1);
    expect(store.isDisposed).toBe(true);
  });

  it('reports a part that fails and still disposes the others', async () => {
    const order: string[] = [];
    const errors: string[] = [];
    const store = new DisposableStore((err) => errors.push((err as Error).message));
    store.add(toDisposable(() => order.push('first')));
    store.add({
      dispose: async () => {
        throw new Error('socket would not close');
      },
    });
    store.add(
      toDisposable(() => {
        throw new Error('timer');
      }),
    );
    store.add(toDisposable(() => order.push('last')));
    await expect(store.dispose()).resolves.toBeUndefined();
    expect(order).toEqual(['last', 'first']);
    expect(errors).toEqual(['timer', 'socket would not close']);
  });

  it('disposes at once a part added after it was disposed', async () => {
    const store = new DisposableStore();
    await store.dispose();
    let disposed = false;
    store.add(toDisposable(() => (disposed = true)));
    await new Promise((r) => setTimeout(r, 0));
    expect(disposed).toBe(true);
  });
});
