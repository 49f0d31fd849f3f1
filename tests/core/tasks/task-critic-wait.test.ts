// A review whose only running agent is the author: the reason it waits says a critic must be someone else,
// not that no agent works in the project (one does, and the user would look for the wrong problem).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BidInputSchema } from '../../../shared/task.js';
import { taskFixture, type TaskFixture } from './task-fixture.js';

let fx: TaskFixture;
beforeEach(() => {
  fx = taskFixture();
});
afterEach(() => fx.dispose());

describe('a critic task with only its author running', () => {
  it('says it waits for another agent, and is offered to one when it starts', () => {
    const author = fx.agents.add('author', fx.root);
    const t = fx.create({ title: 'Refactor auth', files: ['src/a.ts'], criticRequired: true });
    fx.board.bid(BidInputSchema.parse({ task: t.id, agent: author.id, capabilities: [], estimateMinutes: 5 }));
    fx.board.complete({ task: t.id, agent: 'author', summary: 'done', outcome: 'COMPLETED' });
    const review = fx.board.list().find((x) => x.criticOf === t.id)!;
    expect(review.state).toBe('QUEUED');
    expect(review.stateReason).toMatch(/another agent than author/);
    expect(review.stateReason).not.toMatch(/no running agent works/);
    const critic = fx.agents.add('critic', fx.root, 'starting');
    fx.agents.set(critic, 'idle');
    expect(fx.board.get(review.id).state).toBe('BIDDING');
  });
});
