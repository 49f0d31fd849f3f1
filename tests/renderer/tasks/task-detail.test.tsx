// @vitest-environment jsdom
// The open task's drawer as an operator reads it: what it asks and where it stands, who won it and why (the
// bids with their score parts, the history), the locks held for it, the actions its state allows, a bid on
// behalf of an agent, and a refused or failed call shown without losing what was on screen.
import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { TaskInfo } from '../../../shared/task.js';
import { ToastList } from '../../../renderer/shell/toast-list.js';
import { TaskDetail } from '../../../renderer/tasks/task-detail.js';
import { renderView, type RenderedView, type ViewClient } from '../../helpers/render-view.js';
import { agentRecord, bid, lockInfo, taskDetail, taskInfo } from '../../helpers/view-fixtures.js';

const ID = 'task-aaaa';

/** renders the drawer of `task`, opened as a card click opens it, with the daemon answering `setup` */
async function openTask(task: TaskInfo, setup?: (client: ViewClient) => void): Promise<RenderedView> {
  const view = renderView(
    <>
      <TaskDetail id={task.id} />
      <ToastList />
    </>,
    ({ client }) => {
      client.answer('tasks.list', [task]);
      client.answer('tasks.get', taskDetail(task));
      setup?.(client);
    },
  );
  act(() => view.coordination.tasks.open(task.id));
  await screen.findByRole('complementary', { name: task.title });
  return view;
}

const drawer = () => within(screen.getByRole('complementary'));
const button = (name: string) => drawer().getByRole('button', { name }) as HTMLButtonElement;

describe('TaskDetail', () => {
  it('shows an awarded task: its state and reason, the winner, the bids best first, its locks and history', async () => {
    const task = taskInfo(ID, {
      title: 'Fix the login flow',
      state: 'CLAIMED',
      stateReason: 'awarded to alice (score 0.910)',
      assigneeId: 'agent-alice',
      assigneeName: 'alice',
      files: ['src/auth/**'],
      capabilities: ['typescript'],
      prompt: 'make login work',
      terminalId: 'term-1',
    });
    await openTask(task, (client) => {
      client.answer('agents.list', [
        agentRecord('agent-alice', { name: 'alice' }),
        agentRecord('agent-bob', { name: 'bob' }),
      ]);
      client.answer(
        'tasks.get',
        taskDetail(task, {
          bids: [
            bid(ID, 'agent-bob', { score: 0.5, match: 0.5, load: 2, estimateMinutes: 45 }),
            bid(ID, 'agent-alice', { score: 0.91, match: 1, load: 0, estimateMinutes: 20 }),
          ],
          lockIds: ['lock-1', 'lock-gone'],
          history: [
            { from: null, to: 'QUEUED', by: 'user', why: 'posted', at: 1 },
            { from: 'BIDDING', to: 'CLAIMED', by: 'agent-alice', why: 'awarded to alice (score 0.910)', at: 2 },
          ],
        }),
      );
      client.answer('locks.list', [
        {
          root: '/repo/shop',
          project: 'shop',
          locks: [lockInfo('lock-1', 'agent-alice', 'src/auth/login.ts')],
          waiters: [],
        },
      ]);
    });
    expect(screen.getByRole('heading', { name: 'Fix the login flow' })).toBeTruthy();
    expect(screen.getByTestId('task-detail-state').textContent).toBe('claimed');
    expect(drawer().getAllByText('awarded to alice (score 0.910)').length).toBeGreaterThan(0);
    expect(drawer().getByText('src/auth/**')).toBeTruthy();
    expect(drawer().getByText('make login work')).toBeTruthy();

    const bids = await drawer().findByRole('table');
    const rows = within(bids).getAllByRole('row').slice(1);
    expect(
      rows.map((r) =>
        within(r)
          .getAllByRole('cell')
          .map((c) => c.textContent),
      ),
    ).toEqual([
      ['alice', '100%', '0', '20 min', '0.910'],
      ['bob', '50%', '2', '45 min', '0.500'],
    ]);
    // the assignee and the winning bid by the agent's name, not its id
    expect(drawer().getAllByText('alice').length).toBeGreaterThanOrEqual(2);

    const locks = screen.getByTestId('task-locks');
    await waitFor(() =>
      expect(
        within(locks)
          .getAllByRole('listitem')
          .map((li) => li.textContent),
      ).toEqual(['WRITE src/auth/login.ts', 'lock-gone']),
    );
    const history = within(screen.getByTestId('task-history')).getAllByRole('listitem');
    expect(history.map((li) => li.textContent)).toEqual([
      expect.stringContaining('new → queuedyou: posted'),
      expect.stringContaining('bidding → claimedalice: awarded to alice (score 0.910)'),
    ]);
  });

  it('cancels a task that is not finished, as the user, and shows it cancelled', async () => {
    const task = taskInfo(ID, { state: 'WORKING', assigneeId: 'agent-alice' });
    const { client, user } = await openTask(task);
    const cancelled = taskInfo(ID, {
      state: 'CANCELLED',
      stateReason: 'cancelled in the command center',
      updatedAt: 20,
    });
    client.answer('tasks.cancel', cancelled);
    client.answer('tasks.get', taskDetail(cancelled));
    expect(button('Cancel task').disabled).toBe(false);
    await user.click(button('Cancel task'));
    expect(client.inputsOf('tasks.cancel')).toEqual([
      { task: ID, by: 'user', reason: 'cancelled in the command center' },
    ]);
    await waitFor(() => expect(screen.getByTestId('task-detail-state').textContent).toBe('cancelled'));
    expect(button('Cancel task').disabled).toBe(true);
  });

  it('offers no Cancel on a finished task and no terminal when nobody has one', async () => {
    for (const state of ['COMPLETED', 'FAILED', 'CANCELLED'] as const) {
      const view = await openTask(taskInfo(ID, { state, title: `a ${state} task` }));
      expect(button('Cancel task').disabled).toBe(true);
      expect(button('Open terminal').disabled).toBe(true);
      view.unmount();
    }
  });

  it('opens the assignee’s terminal in the Terminals view', async () => {
    const { stores, user } = await openTask(
      taskInfo(ID, { state: 'WORKING', assigneeId: 'agent-alice', terminalId: 'term-1' }),
    );
    await user.click(button('Open terminal'));
    expect(stores.view.getState().view).toBe('terminals');
  });

  it('shows a refused cancel in the daemon’s words and keeps the task as it was', async () => {
    const task = taskInfo(ID, { title: 'Fix the login flow', state: 'WORKING' });
    const { client, user } = await openTask(task);
    client.refuse('tasks.cancel', 'BAD_REQUEST', 'task-aaaa is COMPLETED already');
    await user.click(button('Cancel task'));
    const toast = await screen.findByTestId('toast');
    expect(toast.textContent).toContain('could not cancel Fix the login flow: task-aaaa is COMPLETED already');
    expect(screen.getByTestId('task-detail-state').textContent).toBe('working');
    await waitFor(() => expect(button('Cancel task').disabled).toBe(false));
  });

  it('says why the detail could not be read, and still shows the task', async () => {
    const task = taskInfo(ID, { title: 'Fix the login flow', prompt: 'make login work' });
    await openTask(task, (client) => client.refuse('tasks.get', 'INTERNAL', 'the task board is closed'));
    expect((await drawer().findByRole('alert')).textContent).toBe(
      'could not read task task-aaaa: the task board is closed',
    );
    expect(drawer().getByText('make login work')).toBeTruthy();
    expect(drawer().queryByText('Reading the task…')).toBeNull();
  });

  it('bids for a running agent while the task is offered, and shows the score or the refusal', async () => {
    const task = taskInfo(ID, { state: 'BIDDING', capabilities: ['typescript'] });
    const { client, user } = await openTask(task, (c) =>
      c.answer('agents.list', [
        agentRecord('agent-alice', { name: 'alice' }),
        agentRecord('agent-old', { name: 'old', status: 'exited' }),
      ]),
    );
    const agent = (await drawer().findByRole('combobox', { name: 'Agent' })) as HTMLSelectElement;
    expect(
      within(agent)
        .getAllByRole('option')
        .map((o) => o.textContent),
    ).toEqual(['alice']); // exited agents cannot bid
    await user.clear(drawer().getByRole('spinbutton', { name: 'Estimate in minutes' }));
    await user.type(drawer().getByRole('spinbutton', { name: 'Estimate in minutes' }), '25');
    client.answer('tasks.bid', bid(ID, 'agent-alice', { score: 0.812, estimateMinutes: 25 }));
    await user.click(button('Bid'));
    expect((await drawer().findByRole('status')).textContent).toBe('bid placed: score 0.812');
    expect(client.inputsOf('tasks.bid')).toEqual([
      {
        task: ID,
        agent: 'agent-alice',
        estimateMinutes: 25,
        capabilities: ['typescript'],
        note: 'bid by the user in the command center',
      },
    ]);

    client.refuse('tasks.bid', 'BAD_REQUEST', 'alice already bid in this round');
    await user.click(button('Bid'));
    expect((await drawer().findByRole('alert')).textContent).toBe('alice already bid in this round');
  });

  it('offers no bid once the task is taken', async () => {
    await openTask(taskInfo(ID, { state: 'WORKING' }), (c) => c.answer('agents.list', [agentRecord('agent-alice')]));
    await drawer().findByText('No bids in this round.');
    expect(drawer().queryByRole('heading', { name: 'Bid for an agent' })).toBeNull();
    expect(drawer().queryByRole('button', { name: 'Bid' })).toBeNull();
  });

  it("shows a teammate's task with its home machine, bid-able for a local agent, not cancellable here", async () => {
    const task = taskInfo(ID, {
      state: 'BIDDING',
      assigneeId: null,
      home: { machineId: 'm-alice', name: 'alice', reachable: true },
    });
    const { client, user } = await openTask(task, (c) =>
      c.answer('agents.list', [agentRecord('agent-w', { name: 'w' })]),
    );
    expect(drawer().getByTestId('task-home').textContent).toBe('alice');
    expect(button('Cancel task').disabled).toBe(true);
    client.answer('tasks.bid', bid(ID, 'agent-w', { score: 0.7 }));
    await user.click(await drawer().findByRole('button', { name: 'Bid' }));
    expect((await drawer().findByRole('status')).textContent).toBe('bid placed: score 0.700');
    expect(client.inputsOf('tasks.bid')[0]).toMatchObject({ task: ID, agent: 'agent-w' });
  });

  it("names a teammate's task's assignee as its home does, and marks an unreachable home", async () => {
    await openTask(
      taskInfo(ID, {
        state: 'WORKING',
        assigneeId: 'agent-w',
        assigneeName: 'writer@bob',
        home: { machineId: 'm-alice', name: 'alice', reachable: false },
      }),
    );
    expect(drawer().getAllByText('writer@bob').length).toBeGreaterThan(0);
    expect(drawer().getByTestId('task-home').className).toContain('unreachable');
  });

  it('closes with its Close button', async () => {
    const { stores, user } = await openTask(taskInfo(ID));
    await user.click(button('Close'));
    expect(stores.tasks.getState().openId).toBeNull();
  });
});
