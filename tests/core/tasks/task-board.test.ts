// The task board on real SQLite and a real lock manager, with fake time: the award by score (never the
// first bid), INTENT locks taken all-or-none at the award, prompt delivery, abandon on exit and silence,
// critic tasks, dependencies, cancel, persistence, and the errors a user sees.
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DevMeshError } from '../../../shared/errors.js';
import {
  BidInputSchema,
  TaskCompleteInputSchema,
  TaskUpdateInputSchema,
  type TaskDetail,
} from '../../../shared/task.js';
import * as awardScore from '../../../main/core/tasks/award-score.js';
import { taskFixture, type TaskFixture } from './task-fixture.js';

let fx: TaskFixture;
beforeEach(() => {
  fx = taskFixture();
});
afterEach(() => fx.dispose());

const bid = (task: string, agent: string, capabilities: string[] = [], estimateMinutes = 30) =>
  fx.board.bid(BidInputSchema.parse({ task, agent, capabilities, estimateMinutes }));
const complete = (task: string, agent: string, summary = '', outcome: 'COMPLETED' | 'FAILED' = 'COMPLETED') =>
  fx.board.complete(TaskCompleteInputSchema.parse({ task, agent, summary, outcome }));
const state = (id: string): TaskDetail => fx.board.get(id);
const states = (id: string) => fx.board.get(id).history.map((h) => h.to);

function thrown(fn: () => unknown): DevMeshError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DevMeshError) return err;
    throw err;
  }
  throw new Error('expected a DevMeshError');
}

describe('awardScore', () => {
  it('scores by the documented weights and breaks ties by the earlier bid', () => {
    expect(awardScore.compute(['ts', 'tests'], ['ts'], 0, 30)).toEqual({
      match: 0.5,
      load: 0,
      score: 0.6 * 0.5 + 0.25 + 0.15 / 2,
    });
    expect(awardScore.compute([], [], 1, 0).score).toBeCloseTo(0.6 + 0.125 + 0.15, 6);
    expect(awardScore.compute([], [], 0, 100_000).score).toBeCloseTo(0.6 + 0.25 + 0.15 / 17, 6); // estimate capped at 480
    const base = {
      task: 'task-aaaa',
      capabilities: [],
      estimateMinutes: 30,
      note: null,
      match: 1,
      load: 0,
      score: 0.5,
    };
    const ranked = awardScore.rank([
      { ...base, agentId: 'b', agentName: 'b', at: 2 },
      { ...base, agentId: 'a', agentName: 'a', at: 1 },
      { ...base, agentId: 'c', agentName: 'c', score: 0.9, at: 3 },
    ]);
    expect(ranked.map((b) => b.agentId)).toEqual(['c', 'a', 'b']);
  });
});

describe('TaskBoard', () => {
  it('awards by score, not first come: an early weak bid loses to a better later one', () => {
    const early = fx.agents.add('early', fx.root);
    const good = fx.agents.add('good', fx.root);
    fx.agents.add('quiet', fx.root);
    const t = fx.create({ title: 'Fix the types', capabilities: ['typescript'] });
    expect(t.state).toBe('BIDDING');
    expect(fx.notes.map((n) => n.task)).toEqual([t.id, t.id, t.id]);
    expect(fx.notes[0]!.body).toContain('bid_task');
    expect(fx.notes[0]!.body).toContain(`devmesh task show ${t.id}`);

    bid(t.id, 'early', [], 10);
    fx.clock.advance(1_000);
    bid(t.id, good.id, ['typescript'], 60);
    fx.clock.advance(3_999);
    expect(state(t.id).state).toBe('BIDDING'); // the window runs from the FIRST bid
    fx.clock.advance(1);
    const won = state(t.id);
    expect(won).toMatchObject({
      state: 'CLAIMED',
      assigneeId: good.id,
      assigneeName: 'good',
      attempts: 1,
      terminalId: `term-${good.id}`,
    });
    const awarded = fx.audit.find((a) => a.kind === 'task.awarded')!;
    expect(awarded.data).toMatchObject({ assignee: 'good', match: 1, load: 0 });
    expect(fx.audit.filter((a) => a.kind === 'task.bid').map((a) => a.actor)).toEqual([early.id, good.id]);
  });

  it('takes INTENT locks in one step: two tasks on one file are never both claimed; the second waits and is awarded after', () => {
    const x = fx.agents.add('x', fx.root);
    const y = fx.agents.add('y', fx.root);
    const t1 = fx.create({ title: 'one', files: ['src/a.ts'] });
    const t2 = fx.create({ title: 'two', files: ['src/b.ts', 'src/*.ts'] });
    bid(t1.id, x.id);
    bid(t2.id, y.id);
    fx.clock.advance(5_000);
    expect(state(t1.id)).toMatchObject({ state: 'CLAIMED', assigneeId: x.id });
    expect(fx.locks.locksOf(x.id).map((l) => [l.mode, l.target])).toEqual([
      ['INTENT', { kind: 'file', path: 'src/a.ts' }],
    ]);
    expect(state(t1.id).lockIds).toEqual(fx.locks.locksOf(x.id).map((l) => l.id));

    const waiting = state(t2.id);
    expect(waiting.state).toBe('BIDDING');
    expect(waiting.stateReason).toContain('src/a.ts');
    expect(waiting.stateReason).toContain(x.id);
    expect(fx.locks.locksOf(y.id)).toEqual([]); // all or none: not even src/b.ts

    complete(t1.id, x.id, 'done');
    expect(state(t1.id).state).toBe('COMPLETED');
    expect(fx.locks.locksOf(x.id)).toEqual([]);
    expect(state(t2.id)).toMatchObject({ state: 'CLAIMED', assigneeId: y.id });
    expect(fx.locks.locksOf(y.id)).toHaveLength(2);
  });

  it('retries the higher-priority waiting task first when the file frees up', () => {
    const x = fx.agents.add('x', fx.root);
    const y = fx.agents.add('y', fx.root);
    const z = fx.agents.add('z', fx.root);
    const first = fx.create({ title: 'first', files: ['src/a.ts'] });
    bid(first.id, x.id);
    fx.clock.advance(5_000);
    const low = fx.create({ title: 'low', files: ['src/a.ts'], priority: 1 });
    const high = fx.create({ title: 'high', files: ['src/a.ts'], priority: 5 });
    bid(low.id, y.id);
    bid(high.id, z.id);
    fx.clock.advance(5_000);
    expect([state(low.id).state, state(high.id).state]).toEqual(['BIDDING', 'BIDDING']);
    fx.board.cancel({ task: first.id, by: 'user' });
    expect(state(high.id)).toMatchObject({ state: 'CLAIMED', assigneeId: z.id });
    expect(state(low.id).state).toBe('BIDDING');
  });

  it('types the prompt as one line when the winner is quiet at its input (never into a question to the human), then the task is WORKING', () => {
    const a = fx.agents.add('a', fx.root, 'working');
    const t = fx.create({
      title: 'Add login',
      prompt: 'Add a login form.\nUse the existing styles.',
      files: ['src/a.ts'],
    });
    bid(t.id, a.id);
    expect(state(t.id).state).toBe('CLAIMED'); // the only eligible agent bid: no need to wait
    expect(fx.agents.delivered).toEqual([]);
    fx.agents.set(a, 'waiting', 'permission prompt');
    expect(fx.agents.delivered).toEqual([]); // the prompt would answer the permission question
    fx.agents.set(a, 'idle', 'no output for 5 s');
    expect(fx.agents.delivered).toEqual([
      {
        agentId: a.id,
        text: `DevMesh task ${t.id}: Add login. Add a login form. Use the existing styles. (files: src/a.ts; when done call complete_task with task ${t.id})`,
      },
    ]);
    expect(state(t.id)).toMatchObject({ state: 'WORKING', stateReason: 'prompt delivered to a' });
  });

  it('abandons the task of an agent that exits, re-queues it and awards it again', () => {
    const x = fx.agents.add('x', fx.root, 'idle');
    const t = fx.create({ title: 'job', files: ['src/c.ts'] });
    bid(t.id, x.id);
    expect(state(t.id).state).toBe('WORKING');
    fx.agents.set(x, 'exited', 'exited with code 1');
    const requeued = state(t.id);
    expect(requeued).toMatchObject({ state: 'QUEUED', assigneeId: null, bidCount: 0 });
    expect(requeued.history.find((h) => h.to === 'ABANDONED')!.why).toContain('x exited');
    expect(fx.locks.list().locks).toEqual([]);

    const y = fx.agents.add('y', fx.root, 'working');
    fx.agents.set(y, 'idle'); // a new agent: the queued task is offered to it
    expect(state(t.id).state).toBe('BIDDING');
    expect(fx.notes.at(-1)).toMatchObject({ agentId: y.id, task: t.id });
    bid(t.id, y.id);
    expect(state(t.id)).toMatchObject({ state: 'WORKING', assigneeId: y.id, attempts: 2 });
    expect(states(t.id)).toEqual([
      'QUEUED',
      'BIDDING',
      'CLAIMED',
      'WORKING',
      'ABANDONED',
      'QUEUED',
      'BIDDING',
      'CLAIMED',
      'WORKING',
    ]);
  });

  it('abandons a task whose agent went silent; activity, output flowing or a question to the human keeps it', () => {
    fx.dispose();
    fx = taskFixture({ silentAfterMs: 60_000 });
    const x = fx.agents.add('x', fx.root, 'idle'); // quiet at its prompt, never calls DevMesh
    const busy = fx.agents.add('busy', fx.root, 'idle');
    const streamer = fx.agents.add('streamer', fx.root, 'idle');
    const asking = fx.agents.add('asking', fx.root, 'idle');
    const t1 = fx.create({ title: 'quiet one', capabilities: ['x'] });
    const t2 = fx.create({ title: 'chatty one', capabilities: ['busy'] });
    const t3 = fx.create({ title: 'long build', capabilities: ['streamer'] });
    const t4 = fx.create({ title: 'needs a decision', capabilities: ['asking'] });
    for (const [t, a] of [
      [t1, x],
      [t2, busy],
      [t3, streamer],
      [t4, asking],
    ] as const)
      fx.board.bid({ task: t.id, agent: a.id, capabilities: [a.name], estimateMinutes: 1 });
    fx.clock.advance(5_000);
    expect([t1, t2, t3, t4].map((t) => state(t.id).assigneeName)).toEqual(['x', 'busy', 'streamer', 'asking']);
    fx.agents.set(streamer, 'working', 'output flowing'); // and stays so: one status event, no API call
    fx.agents.set(asking, 'waiting', 'permission prompt'); // the wait is on the human, not the agent
    for (let i = 0; i < 8; i++) {
      fx.clock.advance(10_000);
      fx.board.agentActivity(busy.id);
    }
    const silent = state(t1.id);
    expect(silent.history.find((h) => h.to === 'ABANDONED')).toMatchObject({ by: 'devmesh' });
    expect(silent.history.find((h) => h.to === 'ABANDONED')!.why).toMatch(/x showed no activity/);
    expect([t2, t3, t4].map((t) => [state(t.id).state, state(t.id).assigneeName])).toEqual([
      ['WORKING', 'busy'],
      ['WORKING', 'streamer'],
      ['WORKING', 'asking'],
    ]);
  });

  it('creates a critic task on completion that the author cannot win', () => {
    const author = fx.agents.add('author', fx.root);
    const critic = fx.agents.add('critic', fx.root);
    const t = fx.create({ title: 'Refactor auth', files: ['src/a.ts'], criticRequired: true });
    bid(t.id, author.id);
    fx.clock.advance(5_000);
    fx.board.claim({ task: t.id, agent: author.id });
    complete(t.id, 'author', 'moved the token check into middleware');
    const review = fx.board.list({ states: ['BIDDING'] })[0]!;
    expect(review).toMatchObject({
      title: 'Review: Refactor auth',
      criticOf: t.id,
      criticRequired: false,
      capabilities: ['review'],
      files: ['src/a.ts'],
      project: 'proj',
    });
    expect(review.prompt).toContain('moved the token check into middleware');
    expect(fx.notes.filter((n) => n.task === review.id).map((n) => n.agentId)).toEqual([critic.id]);
    const err = thrown(() => bid(review.id, author.id));
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toMatch(/critic must be another agent/);
    bid(review.id, critic.id, ['review']);
    expect(state(review.id)).toMatchObject({ state: 'CLAIMED', assigneeId: critic.id });
  });

  it('offers a task to agents working in the project or a folder under it, not to one elsewhere', () => {
    mkdirSync(join(fx.root, 'web', 'src'), { recursive: true });
    const inside = fx.agents.add('inside', join(fx.root, 'web', 'src'));
    const elsewhere = fx.agents.add('elsewhere', tmpdir());
    const t = fx.create({ title: 'Fix the header' });
    expect(state(t.id)).toMatchObject({ state: 'BIDDING', stateReason: 'offered to inside' });
    expect(thrown(() => bid(t.id, elsewhere.id)).message).toMatch(/elsewhere works in .*not in the task's project/);
    bid(t.id, inside.id);
    expect(state(t.id).assigneeName).toBe('inside');
  });

  it('gates a task on its dependencies', () => {
    const x = fx.agents.add('x', fx.root);
    const first = fx.create({ title: 'schema' });
    const second = fx.create({ title: 'api', dependsOn: [first.id] });
    expect(second.state).toBe('QUEUED');
    expect(second.stateReason).toContain(first.id);
    expect(thrown(() => bid(second.id, x.id)).message).toMatch(/waits for/);
    bid(first.id, x.id);
    complete(first.id, x.id);
    expect(state(second.id).state).toBe('BIDDING');
    const bad = thrown(() => fx.create({ title: 'x', dependsOn: ['task-nosuch1'] }));
    expect(bad.code).toBe('BAD_REQUEST');
    expect(bad.message).toContain('task-nosuch1');
  });

  it('cancel releases the locks', () => {
    const x = fx.agents.add('x', fx.root);
    const t = fx.create({ title: 'job', files: ['src/**'] });
    bid(t.id, x.id);
    expect(fx.locks.list().locks).toHaveLength(1);
    const cancelled = fx.board.cancel({ task: t.id, by: 'user', reason: 'not needed' });
    expect(cancelled).toMatchObject({ state: 'CANCELLED', stateReason: 'not needed' });
    expect(fx.locks.list().locks).toEqual([]);
    expect(thrown(() => fx.board.cancel({ task: t.id, by: 'user' })).code).toBe('CONFLICT');
  });

  it("persists across a new board: the bidding window resumes, a dead agent's task is re-queued", () => {
    const x = fx.agents.add('x', fx.root);
    const y = fx.agents.add('y', fx.root);
    const open = fx.create({ title: 'open' });
    const held = fx.create({ title: 'held', files: ['src/a.ts'] });
    bid(held.id, y.id);
    fx.clock.advance(10);
    bid(held.id, x.id);
    expect(state(held.id).assigneeId).toBe(y.id); // equal scores: the earlier bid
    bid(open.id, x.id);
    fx.clock.advance(1_000);

    fx.agents.agents.set(y.id, { ...y, status: 'exited' }); // died while DevMesh was down
    fx.restart({ freshLocks: true });
    const requeued = state(held.id);
    expect(requeued.history.map((h) => h.to).slice(-3)).toEqual(['ABANDONED', 'QUEUED', 'BIDDING']);
    expect(requeued.history.find((h) => h.to === 'ABANDONED')!.why).toMatch(/restarted/);
    expect(state(open.id).state).toBe('BIDDING');
    fx.clock.advance(4_000); // the window opened 1 s before the restart
    expect(state(open.id)).toMatchObject({ state: 'CLAIMED', assigneeId: x.id });
  });

  it('answers bad input with errors that say what and how', () => {
    const x = fx.agents.add('x', fx.root);
    const stranger = fx.agents.add('stranger', '/somewhere/else');
    expect(thrown(() => fx.board.get('task-nosuch1'))).toMatchObject({
      code: 'TASK_NOT_FOUND',
      message: expect.stringContaining('devmesh task ls'),
    });
    expect(thrown(() => fx.create({ title: 'x', files: ['../outside.ts'] })).code).toBe('BAD_REQUEST');
    expect(thrown(() => fx.create({ title: 'x', project: 'nope' })).code).toBe('PROJECT_NOT_FOUND');
    const t = fx.create({ title: 'job' });
    expect(thrown(() => bid(t.id, 'ghost'))).toMatchObject({
      code: 'AGENT_NOT_FOUND',
      message: expect.stringContaining('devmesh agent ls'),
    });
    expect(thrown(() => bid(t.id, stranger.id)).message).toMatch(
      /stranger works in \/somewhere\/else, not in the task's project proj/,
    );
    bid(t.id, x.id);
    const upd = thrown(() =>
      fx.board.update(TaskUpdateInputSchema.parse({ task: t.id, agent: stranger.id, state: 'PAUSED' })),
    );
    expect(upd.code).toBe('CONFLICT');
    expect(upd.message).toContain(`assigned to x (${x.id})`);
    expect(thrown(() => complete(t.id, stranger.id)).message).toMatch(/only the assignee or `user`/);
  });

  it('records the whole lifecycle: every transition stored, emitted and audited', () => {
    const a = fx.agents.add('a', fx.root, 'working', { project: 'proj', cwd: '/elsewhere' }); // eligible by project id
    const t = fx.create({ title: 'Ship it', files: ['src/a.ts'] });
    bid(t.id, 'a', [], 15);
    fx.agents.set(a, 'idle');
    fx.board.update(TaskUpdateInputSchema.parse({ task: t.id, agent: 'a', state: 'PAUSED', note: 'waiting on CI' }));
    fx.board.update(TaskUpdateInputSchema.parse({ task: t.id, agent: 'user', state: 'WORKING' }));
    fx.board.update(TaskUpdateInputSchema.parse({ task: t.id, agent: a.id, note: 'half way' }));
    complete(t.id, a.id, 'shipped');
    const detail = state(t.id);
    expect(detail.history.map((h) => [h.from, h.to, h.by])).toEqual([
      [null, 'QUEUED', 'user'],
      ['QUEUED', 'BIDDING', 'devmesh'],
      ['BIDDING', 'CLAIMED', 'devmesh'],
      ['CLAIMED', 'WORKING', 'devmesh'],
      ['WORKING', 'PAUSED', a.id],
      ['PAUSED', 'WORKING', 'user'],
      ['WORKING', 'COMPLETED', a.id],
    ]);
    expect(detail).toMatchObject({ state: 'COMPLETED', note: 'shipped', lockIds: [], attempts: 1 });
    expect(detail.bids).toMatchObject([{ agentId: a.id, estimateMinutes: 15 }]);
    const transitions = fx.events
      .filter((e) => e.task.id === t.id && e.transition !== null)
      .map((e) => e.transition!.to);
    expect(transitions).toEqual(['QUEUED', 'BIDDING', 'CLAIMED', 'WORKING', 'PAUSED', 'WORKING', 'COMPLETED']);
    expect(fx.events.some((e) => e.transition === null && e.task.note === 'half way')).toBe(true);
    expect(fx.audit.filter((e) => e.subject === t.id).map((e) => e.kind)).toEqual([
      'task.queued',
      'task.bidding',
      'task.bid',
      'task.claimed',
      'task.awarded',
      'task.working',
      'task.paused',
      'task.working',
      'task.completed',
    ]);
    expect(fx.audit.find((e) => e.kind === 'task.completed')).toMatchObject({
      actor: a.id,
      data: { title: 'Ship it', assignee: 'a' },
    });
    expect(fx.board.list({ assignee: 'a' }).map((x) => x.id)).toEqual([t.id]);
    expect(fx.board.list({ project: fx.root, states: ['QUEUED'] })).toEqual([]);
  });
});
