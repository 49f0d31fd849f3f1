// @vitest-environment jsdom
// The agents strip shows an agent that runs without permission prompts clearly: an "unattended" badge on its
// card (with what it means in its title), and none on an attended agent's card.
import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { AgentList } from '../../../renderer/agents/agent-list.js';
import { renderView } from '../../helpers/render-view.js';
import { agentRecord } from '../../helpers/view-fixtures.js';

describe('AgentList', () => {
  it('badges an unattended agent and only that one', async () => {
    const worktree = { path: '/tmp/wt/auto', branch: 'auto', repo: '/tmp/repo' };
    renderView(<AgentList />, ({ client }) => {
      client.answer('agents.list', [
        agentRecord('agent-auto', { name: 'auto', unattended: true, worktree, status: 'working' }),
        agentRecord('agent-watched', { name: 'watched', status: 'working' }),
      ]);
    });
    await screen.findByTestId('agent-card-agent-auto');
    const badge = screen.getByTestId('agent-unattended-agent-auto');
    expect(badge.textContent).toBe('unattended');
    expect(badge.getAttribute('title')).toMatch(/without permission prompts/);
    expect(screen.getByTestId('agent-card-agent-watched')).toBeTruthy();
    expect(screen.queryByTestId('agent-unattended-agent-watched')).toBeNull();
  });
});
