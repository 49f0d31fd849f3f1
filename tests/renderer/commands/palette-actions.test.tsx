// @vitest-environment jsdom
// The palette reaches the actions the views' buttons offer: "Start an agent…" (and N then A) opens the New agent
// dialog over the Terminals view, "New task…" the New task form over the board; an agent's Relaunch, Remove and
// Review, a terminal's Kill and Close, and Split, each only while its button would be there, reach the daemon.
import { act, screen, waitFor, within } from '@testing-library/react';
import { useStore } from 'zustand';
import type { AgentStatusEvent } from '../../../shared/agent.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CommandPalette } from '../../../renderer/commands/command-palette.js';
import { CommandCenter } from '../../../renderer/command-center/command-center.js';
import { useApp } from '../../../renderer/shell/app-context.js';
import { Sidebar } from '../../../renderer/shell/sidebar.js';
import { useShell } from '../../../renderer/shell/use-shell.js';
import { TerminalTabs } from '../../../renderer/terminals/terminal-tabs.js';
import { installLayoutStubs } from '../../helpers/jsdom-layout.js';
import { renderView, type ViewClient } from '../../helpers/render-view.js';
import { agentRecord, profileChoice, projectInfo } from '../../helpers/view-fixtures.js';
import { terminalInfo } from '../terminals/terminal-fixtures.js';

beforeAll(installLayoutStubs);
afterEach(() => localStorage.clear());

/** the shell with the two views whose forms the palette opens (the real views are lazy chunks) */
function Shell() {
  useShell();
  const { stores } = useApp();
  const view = useStore(stores.view, (s) => s.view);
  return (
    <>
      <Sidebar />
      {view === 'terminals' && <TerminalTabs />}
      {view === 'tasks' && <CommandCenter />}
      <CommandPalette />
    </>
  );
}

const WORKTREE = { path: '/repo/shop-fix', branch: 'fix-login', repo: '/repo/shop' };

function daemon(client: ViewClient): void {
  client.answer('projects.list', [projectInfo('shop', { services: ['api'] })]);
  client.answer('agents.profiles', [profileChoice('claude', 'Claude Code', true)]);
  client.answer('terminals.list', [
    terminalInfo({ id: 'term-1', name: 'bash' }),
    terminalInfo({ id: 'term-2', name: 'old', state: 'exited', exitCode: 0, endedAt: 5 }),
    terminalInfo({ id: 'term-fixer', name: 'claude' }),
  ]);
  client.answer('agents.list', [
    agentRecord('fixer', { terminalId: 'term-fixer', status: 'working' }),
    agentRecord('done', { terminalId: null, status: 'exited', exitCode: 0, worktree: WORKTREE }),
  ]);
  client.answer('agents.relaunch', ({ agent }) => agentRecord(agent, { status: 'starting', terminalId: 'term-9' }));
  client.answer('agents.remove', ({ agent }) => ({ removed: agent }));
  client.answer('terminals.kill', ({ id }) => terminalInfo({ id, state: 'exited', exitCode: 129, endedAt: 9 }));
}

const render = () => renderView(<Shell />, ({ client }) => daemon(client));

/** the palette's command ids, as its items carry them */
async function listed(user: ReturnType<typeof render>['user']): Promise<string[]> {
  await user.keyboard('{Control>}k{/Control}');
  const palette = await screen.findByRole('dialog', { name: 'Command palette' });
  const ids = within(palette)
    .getAllByRole('option')
    .map((o) => o.dataset.testid!.replace(/^palette-item-/, ''));
  await user.keyboard('{Escape}');
  return ids;
}

async function choose(user: ReturnType<typeof render>['user'], query: string, id: string): Promise<void> {
  await user.keyboard('{Control>}k{/Control}');
  const palette = await screen.findByRole('dialog', { name: 'Command palette' });
  await user.type(within(palette).getByRole('combobox'), query);
  await waitFor(() =>
    expect(within(palette).getByRole('option', { selected: true }).dataset.testid).toBe(`palette-item-${id}`),
  );
  await user.keyboard('{Enter}');
}

describe('the palette reaches every action', () => {
  it('"Start an agent…" opens the New agent dialog over the Terminals view', async () => {
    const { user, stores } = render();
    await screen.findByTestId('sidebar-agent-fixer');
    await choose(user, 'start an agent', 'agent.new');
    expect(stores.view.getState().view).toBe('terminals');
    const dialog = await screen.findByRole('dialog', { name: 'New agent' });
    expect(await within(dialog).findByRole('combobox', { name: /^Agent CLI/ })).toBeTruthy();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog', { name: 'New agent' })).toBeNull();
    expect(screen.getByTestId('terminal-new-agent')).toBe(document.activeElement); // not lost on the page
    // the New agent button opens the same dialog
    await user.click(screen.getByTestId('terminal-new-agent'));
    expect(await screen.findByRole('dialog', { name: 'New agent' })).toBeTruthy();
    await user.keyboard('{Escape}');
    expect(screen.getByTestId('terminal-new-agent')).toBe(document.activeElement);
  });

  it('opens the New agent dialog with N then A, and finds it as "new agent" and by the CLI’s name', async () => {
    const { user, stores } = render();
    await user.keyboard('na');
    expect(stores.view.getState().view).toBe('terminals');
    expect(await screen.findByRole('dialog', { name: 'New agent' })).toBeTruthy();
    await user.keyboard('{Escape}');
    await user.keyboard('{Control>}k{/Control}');
    const palette = await screen.findByRole('dialog', { name: 'Command palette' });
    const input = within(palette).getByRole('combobox');
    for (const query of ['new agent', 'claude', 'launch']) {
      await user.clear(input);
      await user.type(input, query);
      expect(within(palette).getAllByRole('option')[0]?.dataset.testid).toBe('palette-item-agent.new');
    }
    expect(within(palette).getByTestId('palette-item-agent.new').textContent).toContain('shortcut N then A');
  });

  it('lists each agent’s and terminal’s actions only while its button would be there', async () => {
    const { user } = render();
    await screen.findByTestId('sidebar-agent-done');
    await waitFor(async () => expect(await listed(user)).toContain('terminal.kill:term-1'));
    const ids = await listed(user);
    expect(ids).toEqual(
      expect.arrayContaining([
        'agent.new',
        'agent.stop:fixer',
        'agent.show:fixer',
        'agent.relaunch:done',
        'agent.remove:done',
        'agent.review:done',
        'terminal.new',
        'terminal.split',
        'terminal.kill:term-1',
        'terminal.close:term-1',
        'terminal.close:term-2',
        'task.new',
        'sidebar.toggle',
      ]),
    );
    for (const absent of ['agent.stop:done', 'agent.relaunch:fixer', 'agent.remove:fixer', 'agent.review:fixer'])
      expect(ids).not.toContain(absent);
    expect(ids).not.toContain('terminal.kill:term-2'); // exited: only Close, as its tab offers
  });

  it('relaunches and removes an exited agent, and kills a terminal, through the daemon', async () => {
    const { user, client } = render();
    await screen.findByTestId('sidebar-agent-done');
    await choose(user, 'relaunch done', 'agent.relaunch:done');
    await waitFor(() => expect(client.inputsOf('agents.relaunch')).toEqual([{ agent: 'done' }]));
    act(() => client.emit(exitedAgain('done')));
    await choose(user, 'remove agent done', 'agent.remove:done');
    await waitFor(() => expect(client.inputsOf('agents.remove')).toEqual([{ agent: 'done' }]));
    await choose(user, 'kill terminal bash', 'terminal.kill:term-1');
    await waitFor(() => expect(client.inputsOf('terminals.kill')).toEqual([{ id: 'term-1' }]));
  });

  it('splits the terminals and shows an agent’s work to review from the palette', async () => {
    const { user, stores } = render();
    await screen.findByTestId('sidebar-agent-done');
    await choose(user, 'split', 'terminal.split');
    expect(stores.terminals.getState().split).toBe(true);
    expect(stores.view.getState().view).toBe('terminals');
    await choose(user, 'review done', 'agent.review:done');
    expect(stores.view.getState().view).toBe('review');
  });

  it('"New task…" opens the New task form over the board', async () => {
    const { user, stores } = render();
    await choose(user, 'new task', 'task.new');
    expect(stores.view.getState().view).toBe('tasks');
    const form = await screen.findByTestId('task-new-form');
    expect(form.contains(document.activeElement)).toBe(true);
    expect(screen.queryByTestId('task-new')).toBeNull();
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.getByTestId('task-new')).toBe(document.activeElement));
  });
});

/** an agent.status event that says `id` exited again (after its relaunch) */
function exitedAgain(id: string): AgentStatusEvent {
  const record = agentRecord(id, { status: 'exited', exitCode: 0, terminalId: 'term-9', updatedAt: 99 });
  return { type: 'agent.status', ts: 2, agentId: id, name: id, from: 'starting', to: 'exited', reason: null, record };
}
