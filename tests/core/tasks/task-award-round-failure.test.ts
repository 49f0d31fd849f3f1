// A task award decided by a mesh round (teammates share the project) whose answer cannot be applied: the store
// fails as the task is claimed (a full disk), and so does the log that would say so. Nothing of it may reject
// unhandled (the daemon's last line of defence exits on an unhandled rejection); the round opens again and the
// task is awarded once the store works. Real SQLite and lock manager, fake time; the round is a resolved promise.
import { afterEach, describe, expect, it } from 'vitest';
import { BidInputSchema } from '../../../shared/task.js';
import { fullDiskLogger, taskFixture, type TaskFixture } from './task-fixture.js';

let fx: TaskFixture | null = null;
afterEach(() => fx?.dispose());

const disk = { full: false };
const failingLogger = () => fullDiskLogger(disk);

describe('a task award whose mesh round cannot be applied', () => {
  it('rejects nothing unhandled, and awards the task once the store works again', async () => {
    const unhandled: unknown[] = [];
    const hear = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', hear);
    try {
      const f = taskFixture({
        biddingWindowMs: 1_000,
        // the teammates' round: all permitted, then the local manager decides (as LockSpaces does)
        acquireAll: (_root, requests) => Promise.resolve().then(() => f.locks.tryAcquireAll(requests)),
        logger: failingLogger(),
      });
      fx = f;
      const agent = f.agents.add('solo', f.root);
      const task = f.create({ title: 'Fix a', files: ['src/a.ts'] });
      const addLocks = f.store.addLocks.bind(f.store);
      f.store.addLocks = (id, locks) => {
        if (disk.full) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
        return addLocks(id, locks);
      };
      f.board.bid(BidInputSchema.parse({ task: task.id, agent: agent.id, capabilities: [], estimateMinutes: 5 }));
      disk.full = true; // before the round answers
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      expect(f.board.get(task.id).state).toBe('BIDDING');
      disk.full = false;
      f.clock.advance(1_000); // the round opens again after a window
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      expect(f.board.get(task.id)).toMatchObject({ state: 'CLAIMED', assigneeId: agent.id });
      expect(unhandled).toEqual([]);
    } finally {
      disk.full = false;
      process.off('unhandledRejection', hear);
    }
  });
});
