// @vitest-environment jsdom
// The New agent dialog's run options: unattended (only on a worktree branch, with the CLI's flag and whether
// its documentation confirmed it, off for a CLI without such a flag), supervised (on unless turned off), and a
// budget, which agents.start does not take: it is set with usage.setBudget once the agent runs, and a refusal
// of it is said in a toast while the agent keeps running.
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { AgentProfileChoice } from '../../../renderer/agents/agents-sync.js';
import { AgentNewDialog } from '../../../renderer/agents/agent-new-dialog.js';
import { EMPTY_USAGE } from '../../../shared/usage.js';
import { renderView, type ViewClient } from '../../helpers/render-view.js';
import { agentRecord, profileChoice, projectInfo } from '../../helpers/view-fixtures.js';

const withFlag = (c: AgentProfileChoice, args: string[], checked: boolean, docs: string): AgentProfileChoice => ({
  ...c,
  profile: { ...c.profile, unattended: { args, docs, checked } },
});
const CLAUDE = withFlag(
  profileChoice('claude', 'Claude Code', true),
  ['--dangerously-skip-permissions'],
  true,
  'https://docs.claude.com/en/docs/claude-code/cli-reference',
);
const GEMINI = withFlag(profileChoice('gemini', 'Gemini CLI', true), ['--yolo'], false, 'https://geminicli.com/docs');
const AIDERISH = profileChoice('plain', 'Plain CLI', true);

async function renderDialog(setup?: (client: ViewClient) => void) {
  const onClose = vi.fn();
  const view = renderView(<AgentNewDialog onClose={onClose} />, ({ client }) => {
    client.answer('projects.list', [projectInfo('shop')]);
    client.answer('agents.profiles', [CLAUDE, GEMINI, AIDERISH]);
    client.answer('agents.start', agentRecord('agent-1', { name: 'fixer' }));
    setup?.(client);
  });
  const dialog = within(await screen.findByRole('dialog', { name: 'New agent' }));
  await dialog.findByRole('combobox', { name: /^Agent CLI/ });
  await waitFor(() =>
    expect((dialog.getByRole('combobox', { name: /^Works in/ }) as HTMLSelectElement).value).toBe('shop'),
  );
  return { ...view, onClose, dialog };
}
const box = (name: RegExp) => screen.getByRole('checkbox', { name }) as HTMLInputElement;

describe('AgentNewDialog run options', () => {
  it('offers unattended only on a worktree branch, says why, and names the flag and whether it was confirmed', async () => {
    const { dialog, user } = await renderDialog();
    const unattended = box(/^Unattended/);
    expect(unattended.disabled).toBe(true);
    expect(unattended.checked).toBe(false);
    expect(screen.getByTestId('agent-unattended-note').textContent).toContain('only in a worktree branch of its own');
    expect(unattended.getAttribute('aria-describedby')).toBeTruthy();

    await user.type(dialog.getByLabelText(/^Worktree branch/), 'feat/login');
    expect(box(/^Unattended/).disabled).toBe(false);
    expect(screen.getByTestId('agent-unattended-note').textContent).toBe(
      'launches with --dangerously-skip-permissions: confirmed in its documentation ' +
        '(https://docs.claude.com/en/docs/claude-code/cli-reference)',
    );
    await user.selectOptions(dialog.getByRole('combobox', { name: /^Agent CLI/ }), 'gemini');
    expect(screen.getByTestId('agent-unattended-note').textContent).toBe(
      'launches with --yolo: not confirmed against https://geminicli.com/docs',
    );
    await user.selectOptions(dialog.getByRole('combobox', { name: /^Agent CLI/ }), 'plain');
    expect(box(/^Unattended/).disabled).toBe(true);
    expect(screen.getByTestId('agent-unattended-note').textContent).toBe(
      'Plain CLI has no flag for running without permission prompts',
    );
    // Every CLI's flag, confirmed or not, in one list.
    expect(screen.getByTestId('agent-unattended-flag-claude').textContent).toContain(
      '--dangerously-skip-permissions confirmed in its documentation',
    );
    expect(screen.getByTestId('agent-unattended-flag-gemini').textContent).toContain('--yolo not confirmed');
    expect(screen.getByTestId('agent-unattended-flag-plain').textContent).toBe('Plain CLI: none');
  });

  it('starts unattended and unsupervised from the keyboard, and clearing the branch turns unattended off', async () => {
    const { client, dialog, user, onClose } = await renderDialog();
    await user.type(dialog.getByLabelText(/^Worktree branch/), 'feat/x');
    box(/^Unattended/).focus();
    await user.keyboard(' ');
    expect(box(/^Unattended/).checked).toBe(true);
    await user.clear(dialog.getByLabelText(/^Worktree branch/));
    expect(box(/^Unattended/).checked).toBe(false);
    await user.type(dialog.getByLabelText(/^Worktree branch/), 'feat/login');
    expect(box(/^Unattended/).checked).toBe(false); // it stays off until asked again
    await user.click(box(/^Unattended/));

    expect(box(/^Supervised/).checked).toBe(true);
    await user.click(box(/^Supervised/));
    await user.click(dialog.getByRole('button', { name: 'Start' }));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(client.inputsOf('agents.start')).toEqual([
      { profile: 'claude', worktree: 'feat/login', project: 'shop', supervise: false, unattended: true },
    ]);
  });

  it('sends neither switch when left as they are (supervised, with prompts)', async () => {
    const { client, dialog, user, onClose } = await renderDialog();
    await user.click(dialog.getByRole('button', { name: 'Start' }));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(client.inputsOf('agents.start')).toEqual([{ profile: 'claude', project: 'shop' }]);
    expect(client.inputsOf('usage.setBudget')).toEqual([]);
  });

  it('sets the budget with usage.setBudget once the agent runs', async () => {
    const { client, dialog, user, onClose } = await renderDialog((c) =>
      c.answer('usage.setBudget', (input) => ({
        agentId: input.agent,
        name: 'fixer',
        figures: { ...EMPTY_USAGE },
        budget: { unit: 'tokens', limit: 50_000, warnAt: 0.8, warnedAt: null, stoppedAt: null },
      })),
    );
    await user.type(dialog.getByRole('textbox', { name: /^Budget/ }), '50000');
    await user.selectOptions(dialog.getByRole('combobox', { name: 'Budget in' }), 'tokens');
    await user.click(dialog.getByRole('button', { name: 'Start' }));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(client.inputsOf('usage.setBudget')).toEqual([{ agent: 'agent-1', unit: 'tokens', limit: 50_000 }]);
    expect(client.calls.findIndex((c) => c.method === 'agents.start')).toBeLessThan(
      client.calls.findIndex((c) => c.method === 'usage.setBudget'),
    );
  });

  it('refuses a budget that is not a positive number before starting anything', async () => {
    const { client, dialog, user } = await renderDialog();
    await user.type(dialog.getByRole('textbox', { name: /^Budget/ }), '0');
    await user.click(dialog.getByRole('button', { name: 'Start' }));
    expect(screen.getByTestId('agent-error-budget').textContent).toBe('more than 0 (leave it empty for no budget)');
    expect(client.inputsOf('agents.start')).toEqual([]);
  });

  it('says in a toast when the started agent’s budget is refused', async () => {
    const { dialog, stores, user, onClose } = await renderDialog((c) =>
      c.refuse('usage.setBudget', 'BAD_REQUEST', 'the usage store is read-only: free some disk'),
    );
    await user.type(dialog.getByRole('textbox', { name: /^Budget/ }), '2.5');
    await user.click(dialog.getByRole('button', { name: 'Start' }));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(stores.toasts.getState().toasts.map((t) => t.message)).toEqual([
      'fixer started without its budget: the usage store is read-only: free some disk',
    ]);
  });
});
