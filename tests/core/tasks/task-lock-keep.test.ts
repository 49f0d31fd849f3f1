// A task's INTENT lock outlives the agent's own use of the file: an agent that takes WRITE on a file of its
// task (the lock converts in place) and releases it when done still holds the task's file, so a second
// task on that file is not awarded to another agent while the first is being worked on.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BidInputSchema } from '../../../shared/task.js';
import { taskFixture, type TaskFixture } from './task-fixture.js';

let fx: TaskFixture;
beforeEach(() => {
  fx = taskFixture();
});
afterEach(() => fx.dispose());

const bid = (task: string, agent: string) =>
  fx.board.bid(BidInputSchema.parse({ task, agent, capabilities: [], estimateMinutes: 30 }));

describe('task locks and the agent releasing its own WRITE lock', () => {
  it('keeps the task on its file after the agent releases a WRITE it took on that file', () => {
    const alice = fx.agents.add('alice', fx.root);
    const first = fx.create({ title: 'Fix a', files: ['src/a.ts'] });
    bid(first.id, 'alice');
    const bob = fx.agents.add('bob', fx.root);
    expect(fx.board.get(first.id)).toMatchObject({ state: 'CLAIMED', assigneeId: alice.id });

    // alice edits: WRITE on the file (the task's INTENT converts in place), then lets it go
    const write = fx.locks.tryAcquire({ holder: alice.id, mode: 'WRITE', target: { kind: 'file', path: 'src/a.ts' } });
    expect(write.ok).toBe(true);
    if (write.ok) fx.locks.release(write.value.id, alice.id);

    expect(fx.locks.locksOf(alice.id).map((l) => [l.mode, l.target])).toEqual([
      ['INTENT', { kind: 'file', path: 'src/a.ts' }],
    ]);
    expect(fx.board.get(first.id).lockIds).toEqual(fx.locks.locksOf(alice.id).map((l) => l.id));

    const second = fx.create({ title: 'Also a', files: ['src/a.ts'] });
    bid(second.id, 'bob');
    fx.clock.advance(10_000);
    expect(fx.board.get(second.id).state).toBe('BIDDING');
    expect(fx.board.get(second.id).stateReason).toMatch(/no bidder can take its files yet/);

    // done: the task's lock goes, and the waiting task is awarded
    fx.board.complete({ task: first.id, agent: 'alice', summary: '', outcome: 'COMPLETED' });
    expect(fx.locks.locksOf(alice.id)).toEqual([]);
    expect(fx.board.get(second.id)).toMatchObject({ state: 'CLAIMED', assigneeId: bob.id });
  });
});
