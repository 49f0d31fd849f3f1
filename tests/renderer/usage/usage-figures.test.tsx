// @vitest-environment jsdom
// Token and cost figures where the operator looks: each agent card in the strip shows its tokens and cost
// (with the budget, marked once it warned), updated live from agent.usage events; the task drawer's Cost
// row shows the task's total and what each agent spent on it, read again when its figures change.
import { act, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { AgentList } from '../../../renderer/agents/agent-list.js';
import { TaskDetail } from '../../../renderer/tasks/task-detail.js';
import { EMPTY_USAGE, type AgentUsage, type TaskUsage } from '../../../shared/usage.js';
import { renderView } from '../../helpers/render-view.js';
import { agentRecord, taskDetail, taskInfo } from '../../helpers/view-fixtures.js';

const usage = (agentId: string, name: string, over: Partial<AgentUsage> = {}): AgentUsage => ({
  agentId,
  name,
  figures: {
    ...EMPTY_USAGE,
    inputTokens: 1200,
    outputTokens: 300,
    cacheReadTokens: 5000,
    cacheCreationTokens: 800,
    costUsd: 0.25,
    updatedAt: 1000,
  },
  budget: null,
  ...over,
});

describe('usage figures in the UI', () => {
  it('shows each agent’s tokens and cost on its card, and the budget’s warning as it arrives', async () => {
    const view = renderView(<AgentList />, ({ client }) => {
      client.answer('agents.list', [
        agentRecord('agent-alice', { name: 'alice' }),
        agentRecord('agent-bob', { name: 'bob' }),
      ]);
      client.answer('usage.agents', [usage('agent-alice', 'alice')]);
    });
    expect((await screen.findByTestId('agent-usage-agent-alice')).textContent).toBe('7.3k tokens · $0.25');
    expect(screen.queryByTestId('agent-usage-agent-bob')).toBeNull(); // nothing reported: nothing shown

    act(() =>
      view.client.emit({
        type: 'agent.usage',
        ts: 2000,
        agentId: 'agent-alice',
        task: null,
        budget: 'warned',
        usage: usage('agent-alice', 'alice', {
          figures: { ...EMPTY_USAGE, outputTokens: 9000, costUsd: 0.85, updatedAt: 2000 },
          budget: { unit: 'usd', limit: 1, warnAt: 0.8, warnedAt: 2000, stoppedAt: null },
        }),
      }),
    );
    const line = screen.getByTestId('agent-usage-agent-alice');
    expect(line.textContent).toBe('9.0k tokens · $0.85/$1.00 · past 80% of its budget');
    expect(line.className).toContain('over');
  });

  it('shows the task’s cost in its drawer, per agent, and reads it again when its figures change', async () => {
    const task = taskInfo('task-aaaa', {
      title: 'Fix the login flow',
      state: 'WORKING',
      assigneeId: 'agent-alice',
      assigneeName: 'alice',
    });
    let answer: TaskUsage = {
      task: task.id,
      figures: { ...EMPTY_USAGE, inputTokens: 2000, costUsd: 0.4, updatedAt: 1 },
      agents: [
        {
          agentId: 'agent-alice',
          name: 'alice',
          figures: { ...EMPTY_USAGE, inputTokens: 1500, costUsd: 0.3, updatedAt: 1 },
        },
        {
          agentId: 'agent-bob',
          name: 'bob',
          figures: { ...EMPTY_USAGE, inputTokens: 500, costUsd: 0.1, updatedAt: 1 },
        },
      ],
    };
    const view = renderView(<TaskDetail id={task.id} />, ({ client }) => {
      client.answer('tasks.list', [task]);
      client.answer('tasks.get', taskDetail(task));
      client.answer('usage.task', () => answer);
    });
    act(() => view.coordination.tasks.open(task.id));
    const drawer = within(await screen.findByRole('complementary', { name: task.title }));
    expect((await drawer.findByTestId('task-usage')).textContent).toBe('2.0k tokens · $0.40 (alice $0.30, bob $0.10)');
    expect(view.client.inputsOf('usage.task')).toContainEqual({ task: task.id });

    answer = { ...answer, figures: { ...answer.figures, costUsd: 0.9 }, agents: answer.agents.slice(0, 1) };
    act(() =>
      view.client.emit({
        type: 'agent.usage',
        ts: 3,
        agentId: 'agent-alice',
        task: task.id,
        budget: null,
        usage: usage('agent-alice', 'alice'),
      }),
    );
    await drawer.findByText('2.0k tokens · $0.90');
  });
});
