// @vitest-environment jsdom
// The daemon's own problems in the header: nothing when healthy; a pill counting them that folds the list;
// each problem's message and what happens to the data meanwhile; gone when the daemon says it recovered.
import { act, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { HealthProblemSchema, type HealthProblem } from '../../../shared/health.js';
import { HealthPill, HealthProblems, useHealthFold } from '../../../renderer/health/health-problems.js';
import { renderView } from '../../helpers/render-view.js';

const problem = (component: string, over: Partial<HealthProblem> = {}): HealthProblem =>
  HealthProblemSchema.parse({
    component,
    code: 'DISK_FULL',
    message: `${component}: the disk under /home/me/.devmesh is full: free some space`,
    cause: 'SQLITE_FULL',
    rule: 'rows are kept in memory and written when space is freed',
    failures: 3,
    dropped: 0,
    since: Date.now() - 60_000,
    lastAt: Date.now(),
    ...over,
  });

function Header() {
  const [open, toggle] = useHealthFold();
  return (
    <>
      <HealthPill open={open} onToggle={toggle} />
      <HealthProblems open={open} />
    </>
  );
}

describe('HealthProblems', () => {
  it('shows nothing while the daemon is healthy', async () => {
    const { client } = renderView(<Header />);
    await act(async () => {
      await Promise.resolve();
    });
    expect(client.inputsOf('daemon.health')).toHaveLength(1);
    expect(screen.queryByRole('button', { name: /problem/ })).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('counts the problems, says what each costs, folds away, and goes when the daemon recovers', async () => {
    const { client, user } = renderView(<Header />, ({ client }) =>
      client.answer('daemon.health', {
        ok: false,
        problems: [problem('request log'), problem('audit chain', { dropped: 12 })],
        recovered: [],
      }),
    );
    const pill = await screen.findByRole('button', { name: /2 problems/ });
    const list = screen.getByRole('alert', { name: 'DevMesh problems' });
    expect(list.textContent).toContain('request log: the disk under /home/me/.devmesh is full: free some space');
    expect(list.textContent).toContain(
      'Meanwhile: rows are kept in memory and written when space is freed (SQLITE_FULL)',
    );
    expect(list.textContent).toContain('12 dropped');

    await user.click(pill);
    expect(pill.getAttribute('aria-expanded')).toBe('false');
    expect(screen.queryByRole('alert')).toBeNull();
    await user.click(pill);
    expect(screen.getByRole('alert', { name: 'DevMesh problems' })).toBeTruthy();

    act(() => client.emit({ type: 'health.changed', ts: Date.now(), problems: [problem('audit chain')] }));
    expect(screen.getByRole('button', { name: /1 problem/ })).toBeTruthy();
    act(() => client.emit({ type: 'health.changed', ts: Date.now(), problems: [] }));
    expect(screen.queryByRole('button', { name: /problem/ })).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
