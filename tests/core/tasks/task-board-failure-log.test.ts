// The task board's background failures end promise chains (a mesh round's answer, the locks a restarted board
// retakes): what failed is read from any rejection reason, an Error or not, and a log line that fails too (the
// same full disk) is contained, for the daemon exits on an unhandled rejection. Real SQLite and lock manager,
// fake time; the teammates' round is a promise.
import { afterEach, describe, expect, it } from 'vitest';
import { BidInputSchema } from '../../../shared/task.js';
import type { TryAll } from '../../../main/core/locks/lock-spaces.js';
import { fullDiskLogger, taskFixture, type TaskFixture } from './task-fixture.js';

let fx: TaskFixture | null = null;
afterEach(() => fx?.dispose());

const disk = { full: false };
const failingLogger = () => fullDiskLogger(disk);

const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

/** runs `body` and answers what was rejected unhandled meanwhile */
async function unhandledDuring(body: () => Promise<void>): Promise<unknown[]> {
  const unhandled: unknown[] = [];
  const hear = (reason: unknown): void => void unhandled.push(reason);
  process.on('unhandledRejection', hear);
  try {
    await body();
    await settle();
  } finally {
    disk.full = false;
    process.off('unhandledRejection', hear);
  }
  return unhandled;
}

describe("the task board's background failures", () => {
  it('reject nothing unhandled when retaking locks after a restart fails, and its log line too', async () => {
    const unhandled = await unhandledDuring(async () => {
      // the teammates' round: all permitted, then the local manager decides (as LockSpaces does)
      const f = taskFixture({
        acquireAll: (_root, requests) => Promise.resolve().then(() => f.locks.tryAcquireAll(requests)),
        logger: failingLogger(),
      });
      fx = f;
      const agent = f.agents.add('solo', f.root);
      const task = f.create({ title: 'Fix a', files: ['src/a.ts'] });
      f.board.bid(BidInputSchema.parse({ task: task.id, agent: agent.id, capabilities: [], estimateMinutes: 5 }));
      await settle();
      expect(f.board.get(task.id)).toMatchObject({ state: 'CLAIMED', assigneeId: agent.id });

      // the disk fills: the restarted board retakes the task's locks, and neither the store nor the log can write
      const addLocks = f.store.addLocks.bind(f.store);
      f.store.addLocks = (id, locks) => {
        if (disk.full) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
        return addLocks(id, locks);
      };
      disk.full = true;
      f.restart({ freshLocks: true });
      await settle();
      disk.full = false;
      expect(f.board.get(task.id)).toMatchObject({ state: 'CLAIMED', assigneeId: agent.id });
    });
    expect(unhandled).toEqual([]);
  });

  it('say what a round rejected with when it is not an Error', async () => {
    let round = (): Promise<TryAll> => Promise.reject('the link to bob closed');
    const unhandled = await unhandledDuring(async () => {
      const f = taskFixture({ acquireAll: () => round() });
      fx = f;
      const agent = f.agents.add('solo', f.root);
      const task = f.create({ title: 'Fix a', files: ['src/a.ts'] });
      f.board.bid(BidInputSchema.parse({ task: task.id, agent: agent.id, capabilities: [], estimateMinutes: 5 }));
      await settle();
      expect(f.board.get(task.id)).toMatchObject({ state: 'BIDDING' });
      expect(f.board.get(task.id).stateReason).toContain('internal error: the link to bob closed');

      // a rejection with nothing in it at all: the award is refused, not the daemon
      round = () => Promise.reject(null);
      f.board.bid(BidInputSchema.parse({ task: task.id, agent: agent.id, capabilities: [], estimateMinutes: 6 }));
      await settle();
      expect(f.board.get(task.id).stateReason).toContain('internal error: null');
    });
    expect(unhandled).toEqual([]);
  });
});
