// The New task form's text becomes a tasks.create input: lists split on commas and new lines, capabilities
// lower-cased, and each problem the contract finds put beside its own field.
import { describe, expect, it } from 'vitest';
import { checkTaskForm, initialTaskForm } from '../../../renderer/tasks/task-form.js';
import { groupTasks } from '../../../renderer/tasks/task-board-columns.js';
import type { TaskInfo, TaskState } from '../../../shared/task.js';

describe('task form', () => {
  it('turns the typed text into a tasks.create input', () => {
    const result = checkTaskForm({
      ...initialTaskForm('shop'),
      title: ' Fix login ',
      prompt: 'make the login form work',
      files: 'src/auth/**, README.md\nsrc/login.ts',
      capabilities: 'TypeScript tests',
      priority: '5',
      dependsOn: 'task-abcd, task-efgh',
      criticRequired: true,
    });
    expect(result).toEqual({
      ok: true,
      input: {
        title: 'Fix login',
        prompt: 'make the login form work',
        files: ['src/auth/**', 'README.md', 'src/login.ts'],
        capabilities: ['typescript', 'tests'],
        priority: 5,
        dependsOn: ['task-abcd', 'task-efgh'],
        criticRequired: true,
        project: 'shop',
      },
    });
  });

  it('names the fields that are wrong', () => {
    const result = checkTaskForm({ ...initialTaskForm(null), title: '', prompt: 'x', dependsOn: 'nope' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors).sort()).toEqual(['dependsOn', 'title']);
    expect(checkTaskForm({ ...initialTaskForm(null), title: 't', prompt: 'p', priority: '1.5' })).toMatchObject({
      ok: false,
      errors: { priority: expect.any(String) },
    });
    expect(checkTaskForm({ ...initialTaskForm(null), title: 't', prompt: 'p', priority: '500' })).toMatchObject({
      ok: false,
      errors: { priority: expect.any(String) },
    });
  });
});

describe('task board columns', () => {
  const t = (id: string, state: TaskState, priority = 0, createdAt = 1, updatedAt = 1) =>
    ({ id, state, priority, createdAt, updatedAt }) as TaskInfo;
  it('puts abandoned tasks with the queued ones, finished ones together, highest priority first', () => {
    const columns = groupTasks([
      t('a', 'QUEUED', 0, 1),
      t('b', 'ABANDONED', 0, 2),
      t('c', 'QUEUED', 9, 3),
      t('d', 'COMPLETED', 0, 1, 5),
      t('e', 'CANCELLED', 0, 1, 9),
      t('f', 'WORKING'),
    ]);
    expect(columns.QUEUED.map((x) => x.id)).toEqual(['c', 'a', 'b']);
    expect(columns.DONE.map((x) => x.id)).toEqual(['e', 'd']);
    expect(columns.WORKING.map((x) => x.id)).toEqual(['f']);
    expect(columns.BIDDING).toEqual([]);
  });
});
