// The review domain's task port (main/core/review-ports.ts): when an agent's work lands, its open tasks are
// completed and its locks released. A task the agent completed (or that was cancelled) between the list and
// its turn is no reason to leave the others open or the locks held. A unit test of the port with a stand-in
// Coordination (the board's own refusal, CONFLICT, for a task that is final already).
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { DevMeshError } from '../../shared/errors.js';
import type { Coordination } from '../../main/core/coordination/coordination.js';
import { reviewTasks } from '../../main/core/review-ports.js';

describe('completing a landed agent’s tasks', () => {
  it('goes on past a task that became final meanwhile, and releases the locks', async () => {
    const completed: string[] = [];
    const released: string[] = [];
    const co = {
      tasks: { list: () => [{ id: 'task-a' }, { id: 'task-b' }] },
      completeTask: async ({ task }: { task: string }) => {
        if (task === 'task-a') throw new DevMeshError('CONFLICT', 'task task-a is already COMPLETED');
        completed.push(task);
        return { id: task };
      },
      locks: { releaseHolder: (agentId: string) => (released.push(agentId), 2) },
    } as unknown as Coordination;
    const done = await reviewTasks(co, pino({ level: 'silent' })).landed('agent-1', 'landed');
    expect(done).toEqual(['task-b']);
    expect(completed).toEqual(['task-b']);
    expect(released).toEqual(['agent-1']);
  });

  it('still says what else went wrong, once the rest is done', async () => {
    const released: string[] = [];
    const co = {
      tasks: { list: () => [{ id: 'task-a' }, { id: 'task-b' }] },
      completeTask: async ({ task }: { task: string }) => {
        if (task === 'task-a') throw new DevMeshError('DISK_FULL', 'the audit chain cannot record it');
        return { id: task };
      },
      locks: { releaseHolder: (agentId: string) => (released.push(agentId), 0) },
    } as unknown as Coordination;
    await expect(reviewTasks(co, pino({ level: 'silent' })).landed('agent-1', 'landed')).rejects.toMatchObject({
      code: 'DISK_FULL',
    });
    expect(released).toEqual(['agent-1']);
  });
});
