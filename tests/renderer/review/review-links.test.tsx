// @vitest-environment jsdom
// Where the Review view meets the rest of the window: a Review button on each agent card with a worktree that
// opens that agent's work, and the project's git status above the services table (read again after a
// review.changed event, a failure in the daemon's words).
import { act, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { AgentList } from '../../../renderer/agents/agent-list.js';
import { ServicesTable } from '../../../renderer/services/services-table.js';
import { renderView } from '../../helpers/render-view.js';
import { agentRecord, projectInfo } from '../../helpers/view-fixtures.js';
import { gitStatus } from './review-fixtures.js';

const WORKTREE = { path: '/repo/shop/.devmesh/worktrees/fixer', branch: 'feat/fixer', repo: '/repo/shop' };

describe('the agents strip', () => {
  it('offers Review on an agent with a worktree, which opens the Review view on that agent', async () => {
    const { stores, user } = renderView(<AgentList />, ({ client }) =>
      client.answer('agents.list', [
        agentRecord('agent-1', { name: 'fixer', worktree: WORKTREE }),
        agentRecord('agent-2', { name: 'helper' }),
      ]),
    );
    const review = await screen.findByRole('button', { name: "review fixer's changes" });
    expect(screen.queryByRole('button', { name: "review helper's changes" })).toBeNull();
    await user.click(review);
    expect(stores.view.getState().view).toBe('review');
    expect(stores.review.getState().agentId).toBe('agent-1');
  });
});

describe('the git status above the services', () => {
  const renderTable = (answer: (c: Parameters<Parameters<typeof renderView>[1] & {}>[0]['client']) => void) =>
    renderView(<ServicesTable />, ({ client }) => {
      client.answer('projects.list', [projectInfo('shop')]);
      answer(client);
    });

  it('shows the branch, ahead/behind its upstream, changed and untracked files, read again on review.changed', async () => {
    const { client } = renderTable((c) => c.answer('projects.git', gitStatus()));
    const facts = await screen.findByTestId('git-status-facts');
    expect(facts.textContent).toBe('⎇ main · 1 ahead, 2 behind origin/main · 3 changed · 1 untracked');
    // (StrictMode runs the effect twice: each read asks for the shown project)
    expect(new Set(client.inputsOf('projects.git').map((i) => i.project))).toEqual(new Set(['shop']));
    client.answer('projects.git', gitStatus({ ahead: 0, behind: 0, changed: 0, untracked: 0 }));
    act(() => client.emit({ type: 'review.changed', ts: 2, agentId: 'agent-1', path: WORKTREE.path }));
    await waitFor(() =>
      expect(screen.getByTestId('git-status-facts').textContent).toBe('⎇ main · 0 ahead, 0 behind origin/main · clean'),
    );
  });

  it('says so outside a git repository, and shows a failure in the daemon’s words', async () => {
    const { client, user } = renderTable((c) =>
      c.answer('projects.git', gitStatus({ branch: null, upstream: null, changed: 0, untracked: 0 })),
    );
    expect((await screen.findByTestId('git-status')).textContent).toContain('not a git repository');
    client.refuse('projects.git', 'PROJECT_NOT_FOUND', 'project shop is not open: open it with devmesh up');
    await user.click(screen.getByRole('button', { name: 'Refresh git status' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'git status: project shop is not open: open it with devmesh up',
    );
  });
});
