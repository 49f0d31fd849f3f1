// The Review view's sync over a fake transport: it fetches only while a view is attached, drops an answer for
// an agent no longer shown, folds a burst of review.changed events into one more fetch, fetches again on
// reconnect, and never merges when the check finds a conflict.
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiMethod } from '../../../shared/api.js';
import type { ReviewSummary } from '../../../shared/review.js';
import { createAppStores } from '../../../renderer/state/app-stores.js';
import { createReviewStore, type DiffLayout, type LayoutMemory } from '../../../renderer/review/review-store.js';
import { ReviewSync } from '../../../renderer/review/review-sync.js';
import { FakeClient } from '../fake-client.js';
import { sleep, until } from '../../helpers/until.js';
import { changedFile, reviewSummary } from './review-fixtures.js';

const syncs: ReviewSync[] = [];
afterEach(() => {
  for (const s of syncs.splice(0)) s.dispose();
});

/** a client whose review.summary answers wait until released, one by one */
function heldClient() {
  const client = new FakeClient();
  const pending: { agent: string; settle: (s: ReviewSummary) => void }[] = [];
  client.handlers['review.summary'] = (input: { agent: string }) =>
    new Promise<ReviewSummary>((settle) => pending.push({ agent: input.agent, settle }));
  const stores = createAppStores(client.status);
  const sync = new ReviewSync(client, stores);
  syncs.push(sync);
  const count = (m: ApiMethod) => client.calls.filter((c) => c.method === m).length;
  return { client, stores, sync, pending, count };
}

describe('ReviewSync', () => {
  it('fetches nothing until a view attaches, and nothing on events after it detaches', async () => {
    const { client, stores, sync, pending, count } = heldClient();
    sync.showAgent('agent-1');
    expect(count('review.summary')).toBe(0);
    const detach = sync.attach();
    expect(count('review.summary')).toBe(1);
    pending.shift()!.settle(reviewSummary('agent-1', []));
    await until('the summary taken', () => stores.review.getState().summary !== null);
    detach();
    client.emit({ type: 'review.changed', ts: 1, agentId: 'agent-1', path: '/w' });
    expect(count('review.summary')).toBe(1);
  });

  it('drops the answer for an agent no longer shown', async () => {
    const { stores, sync, pending } = heldClient();
    sync.attach();
    sync.showAgent('agent-1');
    sync.showAgent('agent-2');
    expect(pending.map((p) => p.agent)).toEqual(['agent-1', 'agent-2']);
    pending[1]!.settle(reviewSummary('agent-2', [changedFile('b.ts')]));
    await until('agent-2’s summary', () => stores.review.getState().summary !== null);
    pending[0]!.settle(reviewSummary('agent-1', [changedFile('a.ts')]));
    await sleep(10);
    expect(stores.review.getState().summary?.agentId).toBe('agent-2');
    expect(stores.review.getState().summary?.files.map((f) => f.path)).toEqual(['b.ts']);
  });

  it('folds the events that arrive while a fetch is in flight into one more fetch', async () => {
    const { client, sync, pending, count } = heldClient();
    sync.showAgent('agent-1');
    sync.attach();
    for (let i = 0; i < 5; i++) client.emit({ type: 'review.changed', ts: i, agentId: 'agent-1', path: '/w' });
    expect(count('review.summary')).toBe(1);
    pending.shift()!.settle(reviewSummary('agent-1', []));
    await until('a second fetch', () => count('review.summary') === 2);
    pending.shift()!.settle(reviewSummary('agent-1', []));
    await sleep(10);
    expect(count('review.summary')).toBe(2);
  });

  it('fetches again when the connection comes back', async () => {
    const { client, sync, pending, count } = heldClient();
    sync.showAgent('agent-1');
    sync.attach();
    pending.shift()!.settle(reviewSummary('agent-1', []));
    client.setStatus('reconnecting');
    client.setStatus('open');
    await until('a second fetch', () => count('review.summary') === 2);
  });

  it('never calls review.merge when the check finds a conflict', async () => {
    const { client, sync } = heldClient();
    client.handlers['review.check'] = () => ({ conflicts: [{ path: 'a.ts', kind: 'content', message: 'CONFLICT' }] });
    client.handlers['review.merge'] = () => ({ merged: true, strategy: 'merge-commit', head: 'h', completedTasks: [] });
    sync.showAgent('agent-1');
    const result = await sync.merge({ strategy: 'merge-commit' });
    expect(result).toEqual({
      ok: true,
      value: { merged: false, conflicts: [{ path: 'a.ts', kind: 'content', message: 'CONFLICT' }] },
    });
    expect(client.calls.map((c) => c.method)).not.toContain('review.merge');
  });
});

describe('review store', () => {
  it('remembers the diff layout in its memory and starts with the remembered one', () => {
    let kept: DiffLayout | null = null;
    const memory: LayoutMemory = { get: () => kept, set: (l) => void (kept = l) };
    expect(createReviewStore(memory).getState().layout).toBe('unified');
    createReviewStore(memory).getState().setLayout('split');
    expect(createReviewStore(memory).getState().layout).toBe('split');
  });

  it('closes the open file when a new summary no longer lists it', () => {
    const store = createReviewStore({ get: () => null, set: () => {} });
    store.getState().showAgent('agent-1');
    store.getState().openFile('gone.ts');
    store.getState().setSummary(reviewSummary('agent-1', [changedFile('kept.ts')]));
    expect(store.getState().path).toBeNull();
  });
});
