// @vitest-environment jsdom
// The Services header follows the project's files live: a files.changed event in the project's checkout reads
// its git status again (a burst is not a read per event), events of another project or of an agent's worktree
// do not, and the files that changed lately are listed (newest first, each path once, the agent named whose
// worktree it changed in, the ones beyond the event's list counted).
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { DevMeshEvent } from '../../../shared/events.js';
import type { GitStatus } from '../../../shared/review.js';
import { ServicesTable } from '../../../renderer/services/services-table.js';
import { renderView } from '../../helpers/render-view.js';
import { agentRecord, projectInfo } from '../../helpers/view-fixtures.js';

const status = (changed: number): GitStatus => ({
  branch: 'main',
  upstream: null,
  ahead: 0,
  behind: 0,
  changed,
  untracked: 0,
  detached: false,
});

const changed = (paths: string[], over: Partial<Extract<DevMeshEvent, { type: 'files.changed' }>> = {}) =>
  ({
    type: 'files.changed',
    ts: Date.now(),
    root: '/repo/shop',
    project: 'shop',
    agentId: null,
    paths,
    count: paths.length,
    ...over,
  }) as const;

function render() {
  let changedNow = 0;
  const view = renderView(<ServicesTable />, ({ client }) => {
    client.answer('projects.list', [projectInfo('shop')]);
    client.answer('agents.list', [agentRecord('agent-1', { name: 'fixer' })]);
    client.answer('projects.git', () => status(changedNow));
  });
  return { ...view, setChanged: (n: number) => (changedNow = n) };
}
const facts = () => screen.getByTestId('git-status-facts').textContent;

describe('Services header: files changing live', () => {
  it('reads the git status again when the checkout’s files change', async () => {
    const { client, setChanged } = render();
    await waitFor(() => expect(facts()).toContain('clean'));
    setChanged(2);
    client.emit(changed(['src/app.ts', 'README.md']));
    await waitFor(() => expect(facts()).toContain('2 changed'));
  });

  it('leaves the status alone for another project’s files and an agent’s worktree', async () => {
    const { client } = render();
    await waitFor(() => expect(facts()).toContain('clean'));
    const reads = client.inputsOf('projects.git').length;
    client.emit(changed(['x.ts'], { project: 'other', root: '/repo/other' }));
    client.emit(changed(['y.ts'], { agentId: 'agent-1', root: '/wt/fixer' }));
    await screen.findByText(/1 file changed lately/); // the worktree's change is listed, the other project's not
    expect(client.inputsOf('projects.git').length).toBe(reads);
  });

  it('reads at most twice for a burst of events', async () => {
    const { client } = render();
    await waitFor(() => expect(facts()).toContain('clean'));
    const before = client.inputsOf('projects.git').length;
    for (let i = 0; i < 10; i++) client.emit(changed([`f${i}.ts`]));
    await screen.findByText(/10 files changed lately/);
    await waitFor(() => expect(client.inputsOf('projects.git').length).toBe(before + 2));
  });

  it('lists the files changed lately, newest first, each once, naming the agent’s worktree', async () => {
    const { client, user } = render();
    await waitFor(() => expect(facts()).toContain('clean'));
    client.emit(changed(['src/app.ts', 'src/b.ts']));
    client.emit(changed(['src/worker.ts'], { agentId: 'agent-1', root: '/wt/fixer' }));
    client.emit(changed(['src/app.ts'], { count: 5 }));
    const list = await screen.findByTestId('recent-changes');
    expect(list.querySelector('summary')!.textContent).toBe('3 files changed lately (and 4 more not listed)');
    await user.click(within(list).getByText(/files changed lately/));
    const items = within(list)
      .getAllByRole('listitem')
      .map((li) => li.textContent!.replace(/ · .*$/, ''));
    expect(items).toEqual(['src/app.ts checkout', "src/worker.ts fixer's worktree", 'src/b.ts checkout']);
  });
});
