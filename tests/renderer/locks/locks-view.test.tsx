// @vitest-environment jsdom
// The Locks view across the mesh: the locks teammates' machines hold with their machine (an unreachable one
// dimmed as last seen), listed again after a team.locks event; and a conflict found when a partition healed,
// shown with both holders, both machines and what to do, kept in the store until dismissed.
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import {
  TeamLockConflictEventSchema,
  TeamLockSchema,
  type TeamLock,
  type TeamLockConflictEvent,
} from '../../../shared/team.js';
import { LocksView } from '../../../renderer/locks/locks-view.js';
import { AppContext } from '../../../renderer/shell/app-context.js';
import { renderView } from '../../helpers/render-view.js';
import { lockInfo } from '../../helpers/view-fixtures.js';

const teamLock = (over: Partial<TeamLock> & Pick<TeamLock, 'id' | 'machine'>): TeamLock =>
  TeamLockSchema.parse({
    holder: 'agent-b1',
    holderName: 'ben',
    mode: 'WRITE',
    target: { kind: 'file', path: 'src/orders.ts' },
    projectKey: '0123456789abcdef',
    project: 'shop',
    acquiredAt: Date.now() - 90_000,
    partitioned: [],
    machineId: `m-${over.machine}`,
    local: false,
    reachable: true,
    ...over,
  });

const conflict: TeamLockConflictEvent = TeamLockConflictEventSchema.parse({
  type: 'team.lock-conflict',
  ts: 5,
  project: '0123456789abcdef',
  mine: {
    holder: 'agent-d1',
    holderName: 'helper',
    machineId: 'm-dana',
    machine: 'dana',
    what: 'WRITE on src/orders.ts',
    partitioned: ['bob'],
  },
  theirs: {
    holder: 'agent-b1',
    holderName: 'ben',
    machineId: 'm-bob',
    machine: 'bob',
    what: 'WRITE on src/orders.ts',
    partitioned: ['dana'],
  },
});

describe('LocksView across the mesh', () => {
  it("shows teammates' locks with their machine, an unreachable one dimmed as last seen", async () => {
    const { client } = renderView(<LocksView />, ({ client }) => {
      client.answer('locks.list', [
        { root: '/repo/shop', project: 'shop', locks: [lockInfo('lock-1', 'user', 'README.md')], waiters: [] },
      ]);
      client.answer('team.locks', {
        locks: [
          teamLock({ id: 'lock-7', machine: 'dana', local: true, holder: 'user', holderName: 'user' }),
          teamLock({ id: 'lock-3', machine: 'carol', reachable: false, holderName: 'codex', mode: 'INTENT' }),
          teamLock({ id: 'lock-2', machine: 'bob', partitioned: ['carol'] }),
        ],
        leftOff: [{ machine: 'bob', count: 4 }],
      });
    });
    const panel = await screen.findByTestId('lock-teammates');
    const bob = within(panel).getByTestId('team-lock-bob-lock-2');
    expect(bob.textContent).toContain('bob');
    expect(bob.textContent).toContain('src/orders.ts');
    expect(bob.textContent).toContain('ben');
    expect(bob.textContent).toContain('granted while carol unreachable');
    expect(bob.getAttribute('data-reachable')).toBe('true');
    const carol = within(panel).getByTestId('team-lock-carol-lock-3');
    expect(carol.getAttribute('data-reachable')).toBe('false');
    expect(carol.className).toContain('lock-row-unreachable');
    expect(carol.textContent).toContain('last seen');
    // this machine's locks are in its own spaces above, not among the teammates'
    expect(within(panel).queryByTestId('team-lock-dana-lock-7')).toBeNull();
    expect(within(panel).getByText('bob holds 4 more locks than it lists.')).toBeTruthy();
    // rows in order: reachable first
    expect(
      within(panel)
        .getAllByRole('row')
        .slice(1)
        .map((r) => r.getAttribute('data-testid')),
    ).toEqual(['team-lock-bob-lock-2', 'team-lock-carol-lock-3']);

    client.answer('team.locks', { locks: [], leftOff: [] });
    client.emit({ type: 'team.locks', ts: 6, machineId: 'm-bob', machine: 'bob', held: 0 });
    await waitFor(() => expect(screen.queryByTestId('lock-teammates')).toBeNull());
  });

  it('raises a conflict alert naming both holders and machines, kept until dismissed', async () => {
    // it arrives while another view is shown: the store keeps it for the Locks view
    const { client, stores, app, user, rerender } = renderView(<div data-testid="elsewhere" />);
    client.emit(conflict);
    await waitFor(() => expect(stores.locks.getState().conflicts).toHaveLength(1));
    rerender(
      <AppContext.Provider value={app}>
        <LocksView />
      </AppContext.Provider>,
    );
    const alert = await screen.findByRole('alert', { name: 'Lock conflict' });
    expect(alert.textContent).toContain('helper on dana holds WRITE on src/orders.ts');
    expect(alert.textContent).toContain('ben on bob holds WRITE on src/orders.ts');
    expect(alert.textContent).toContain('message ben@bob');
    client.emit(conflict); // raised again (a re-link): still one alert
    expect(screen.getAllByRole('alert', { name: 'Lock conflict' })).toHaveLength(1);

    await user.click(screen.getByRole('button', { name: 'Dismiss lock conflict' }));
    expect(screen.queryByRole('alert', { name: 'Lock conflict' })).toBeNull();
    expect(stores.locks.getState().conflicts).toEqual([]);
  });
});
