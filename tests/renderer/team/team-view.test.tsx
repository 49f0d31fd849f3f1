// @vitest-environment jsdom
// The Team view: every machine with its human (this one, a reachable teammate, one last seen), their agents
// with status, role, branch and task; live again after a team.agent event; the daemon's refusal shown; and
// the Team tab beside the others.
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { TeamAgentSchema, TeamMachineSchema, type TeamAgent, type TeamMachine } from '../../../shared/team.js';
import { Sidebar } from '../../../renderer/shell/sidebar.js';
import { TeamView } from '../../../renderer/team/team-view.js';
import { renderView } from '../../helpers/render-view.js';

const agent = (over: Partial<TeamAgent> & Pick<TeamAgent, 'id' | 'name' | 'machine'>): TeamAgent =>
  TeamAgentSchema.parse({
    profile: 'claude',
    model: null,
    role: null,
    status: 'working',
    statusReason: null,
    projectKey: '0123456789abcdef',
    branch: null,
    task: null,
    updatedAt: 1,
    machineId: `m-${over.machine}`,
    human: 'someone',
    local: false,
    reachable: true,
    ...over,
  });

const machine = (over: Partial<TeamMachine> & Pick<TeamMachine, 'name' | 'human'>): TeamMachine =>
  TeamMachineSchema.parse({
    machineId: `m-${over.name}`,
    local: false,
    reachable: true,
    lastSeen: null,
    projects: [{ id: 'shop', key: '0123456789abcdef' }],
    agents: [],
    ...over,
  });

function team(aliceStatus: TeamAgent['status']): TeamMachine[] {
  return [
    machine({
      name: 'dana',
      human: 'Dana',
      local: true,
      agents: [agent({ id: 'agent-d1', name: 'helper', machine: 'dana', local: true })],
    }),
    machine({
      name: 'alice',
      human: 'Alice Martin',
      agents: [
        agent({
          id: 'agent-a1',
          name: 'fixer',
          machine: 'alice',
          human: 'Alice Martin',
          status: aliceStatus,
          statusReason: aliceStatus === 'waiting' ? 'permission prompt' : null,
          role: 'backend',
          branch: 'fix-orders',
          model: 'opus',
          task: { id: 'task-0001', title: 'Fix the orders page' },
        }),
      ],
    }),
    machine({
      name: 'bob',
      human: 'Bob',
      reachable: false,
      lastSeen: Date.now() - 5 * 60_000,
      agents: [
        agent({ id: 'agent-b1', name: 'codex', machine: 'bob', human: 'Bob', reachable: false, profile: 'codex' }),
      ],
    }),
  ];
}

describe('TeamView', () => {
  it('shows each machine with its human, reachability and agents', async () => {
    renderView(<TeamView />, ({ client }) => client.answer('team.machines', team('waiting')));
    const alice = await screen.findByRole('region', { name: 'Machine alice' });
    expect(within(alice).getByText('Alice Martin')).toBeTruthy();
    expect(within(alice).getByText('reachable')).toBeTruthy();
    const fixer = within(alice).getByTestId('team-agent-agent-a1');
    expect(within(fixer).getByText('waiting').getAttribute('title')).toBe('permission prompt');
    for (const text of ['fixer', 'backend', 'fix-orders', 'Fix the orders page (task-0001)', 'claude · opus'])
      expect(within(fixer).getByText(text)).toBeTruthy();

    const bob = screen.getByRole('region', { name: 'Machine bob' });
    expect(within(bob).getByText('last seen 5m ago')).toBeTruthy();
    expect(within(bob).getByTestId('team-agent-agent-b1').textContent).toMatch(/^codexworking/);
    expect(bob.className).toContain('unreachable');

    const dana = screen.getByRole('region', { name: 'Machine dana' });
    expect(within(dana).getByText('this machine')).toBeTruthy();
    expect(screen.getAllByRole('region').map((r) => r.getAttribute('aria-label'))).toEqual([
      'Machine dana',
      'Machine alice',
      'Machine bob',
    ]);
  });

  it("follows a teammate's agent live from team.agent events", async () => {
    const { client } = renderView(<TeamView />, ({ client }) => client.answer('team.machines', team('waiting')));
    const fixer = await screen.findByTestId('team-agent-agent-a1');
    expect(within(fixer).getByText('waiting')).toBeTruthy();
    const now = team('working');
    client.answer('team.machines', now);
    client.emit({ type: 'team.agent', ts: Date.now(), change: 'working', agent: now[1]!.agents[0]! });
    await waitFor(() => expect(within(screen.getByTestId('team-agent-agent-a1')).getByText('working')).toBeTruthy());
  });

  it('says when the daemon cannot list the team, and when there is no teammate yet', async () => {
    const { client } = renderView(<TeamView />, ({ client }) =>
      client.refuse('team.machines', 'INTERNAL', 'the replica is gone'),
    );
    expect((await screen.findByRole('alert')).textContent).toContain('could not list the team: the replica is gone');
    client.answer('team.machines', [team('idle')[0]!]);
    client.emit({ type: 'team.machine', ts: 1, change: 'left', machineId: 'm-bob', machine: 'bob', human: 'Bob' });
    expect(await screen.findByText(/No teammate yet/)).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('has a Team entry among the views of the sidebar', async () => {
    const { stores, user } = renderView(<Sidebar />);
    const views = screen.getByRole('navigation', { name: 'Views' });
    await user.click(within(views).getByRole('button', { name: 'Team' }));
    expect(stores.view.getState().view).toBe('team');
    expect(within(views).getByRole('button', { name: 'Team' }).getAttribute('aria-current')).toBe('page');
  });
});
