// A task whose agent crashed and is being relaunched (agent.supervised `relaunching`): it stays assigned with
// its locks, goes back from WORKING to CLAIMED, and its prompt is typed again once the relaunched agent is
// idle at its prompt; the same agent exiting for good still abandons it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BidInputSchema } from '../../../shared/task.js';
import { taskFixture, type TaskFixture } from './task-fixture.js';

let fx: TaskFixture;
beforeEach(() => {
  fx = taskFixture();
});
afterEach(() => fx.dispose());

describe('TaskBoard.agentCrashed', () => {
  it('keeps the task and its locks through the relaunch and types its prompt again at the idle prompt', () => {
    const a = fx.agents.add('a', fx.root, 'idle');
    const t = fx.create({ title: 'Fix login', prompt: 'Fix the login form.', files: ['src/a.ts'] });
    fx.board.bid(BidInputSchema.parse({ task: t.id, agent: a.id, capabilities: [], estimateMinutes: 30 }));
    expect(fx.board.get(t.id).state).toBe('WORKING');
    expect(fx.agents.delivered).toHaveLength(1);

    // what the supervisor does: the agent stays (starting) while it waits, and says why
    const why = 'exited with code 3; relaunching in 1.0 s (attempt 1 of 5)';
    fx.agents.set(a, 'starting', why);
    fx.board.agentCrashed(a.id, a.name, why);
    const waiting = fx.board.get(t.id);
    expect(waiting).toMatchObject({ state: 'CLAIMED', assigneeId: a.id });
    expect(waiting.stateReason).toBe(`agent a ${why}; its prompt is typed again after the relaunch`);
    expect(fx.locks.list().locks.map((l) => l.holder)).toEqual([a.id]);

    fx.agents.set(a, 'working', 'relaunched after it exited with code 3 (attempt 1 of 5)');
    expect(fx.agents.delivered).toHaveLength(1); // not into a CLI still starting up
    fx.agents.set(a, 'idle', 'no output for 5 s');
    expect(fx.agents.delivered).toHaveLength(2);
    expect(fx.agents.delivered[1]).toEqual(fx.agents.delivered[0]);
    expect(fx.board.get(t.id)).toMatchObject({ state: 'WORKING', assigneeId: a.id });
    expect(fx.board.get(t.id).history.map((h) => h.to)).toEqual([
      'QUEUED',
      'BIDDING',
      'CLAIMED',
      'WORKING',
      'CLAIMED',
      'WORKING',
    ]);
  });
});
