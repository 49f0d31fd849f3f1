// @vitest-environment jsdom
// The New agent dialog as an operator fills it: the agent CLIs (missing ones shown, not pickable), what the
// form refuses before sending (a branch git would refuse, a base without a branch, a relative directory),
// the agents.start input it sends, and the daemon's refusal shown in the dialog, which stays open.
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { AgentNewDialog } from '../../../renderer/agents/agent-new-dialog.js';
import { renderView, type ViewClient } from '../../helpers/render-view.js';
import { agentRecord, profileChoice, projectInfo } from '../../helpers/view-fixtures.js';

const PROFILES = [profileChoice('claude', 'Claude Code', true), profileChoice('codex', 'Codex CLI', false)];

async function renderDialog(setup?: (client: ViewClient) => void) {
  const onClose = vi.fn();
  const view = renderView(<AgentNewDialog onClose={onClose} />, ({ client }) => {
    client.answer('projects.list', [projectInfo('shop')]);
    client.answer('agents.profiles', PROFILES);
    setup?.(client);
  });
  return { ...view, onClose };
}
const dialog = () => within(screen.getByRole('dialog', { name: 'New agent' }));
const field = (label: RegExp) => dialog().getByLabelText(label) as HTMLInputElement;
const start = () => dialog().getByRole('button', { name: 'Start' }) as HTMLButtonElement;
/** the form once the CLIs are listed and the open project is known */
const ready = async () => {
  await dialog().findByRole('combobox', { name: /^Agent CLI/ });
  await waitFor(() =>
    expect((dialog().getByRole('combobox', { name: /^Works in/ }) as HTMLSelectElement).value).toBe('shop'),
  );
};

describe('AgentNewDialog', () => {
  it('lists the CLIs, the installed one picked, the missing one shown with how to install it', async () => {
    await renderDialog();
    await ready();
    const cli = dialog().getByRole('combobox', { name: /^Agent CLI/ }) as HTMLSelectElement;
    const options = within(cli).getAllByRole('option') as HTMLOptionElement[];
    expect(options.map((o) => [o.textContent, o.disabled])).toEqual([
      ['Claude Code (1.2.3)', false],
      ['Codex CLI (not installed)', true],
    ]);
    expect(cli.value).toBe('claude');
    expect(dialog().getByText('Not installed: Codex CLI')).toBeTruthy();
    expect(dialog().getByText('npm install -g codex')).toBeTruthy();
  });

  it('names what git or the daemon would refuse beside its field and sends nothing', async () => {
    const { client, user } = await renderDialog();
    await ready();
    expect(field(/^From/).disabled).toBe(true); // a base only with a new branch
    await user.type(field(/^Worktree branch/), 'fix login');
    await user.type(field(/^Name/), '-bad');
    await user.type(field(/^GPUs/), '1.5');
    await user.selectOptions(dialog().getByRole('combobox', { name: /^Works in/ }), 'another directory…');
    await user.type(field(/^Directory/), 'relative/path');
    await user.click(start());
    expect(screen.getByTestId('agent-error-worktree').textContent).toBe(
      'not a branch name git accepts: no spaces or any of ~ ^ : ? * [ \\',
    );
    expect(screen.getByTestId('agent-error-name').textContent).toBe('letters, digits, . _ - (at most 64)');
    expect(screen.getByTestId('agent-error-gpus').textContent).toBe('a whole number');
    expect(screen.getByTestId('agent-error-cwd').textContent).toBe('an absolute path (/home/me/repo)');
    expect(client.inputsOf('agents.start')).toEqual([]);
  });

  it('sends the agent to start on a new worktree branch, closes, and lists the agent at once', async () => {
    const { client, stores, user, onClose } = await renderDialog((c) =>
      c.answer('agents.start', agentRecord('agent-1', { name: 'fixer', terminalId: 'term-9' })),
    );
    await ready();
    await user.type(field(/^Name/), 'fixer');
    await user.type(field(/^Initial prompt/), 'fix the login flow');
    await user.type(field(/^Worktree branch/), 'feat/login');
    expect(field(/^From/).disabled).toBe(false);
    await user.type(field(/^From/), 'main');
    await user.type(field(/^RAM/), '2');
    await user.click(start());
    await waitFor(() => expect(onClose).toHaveBeenCalledTimes(1));
    expect(client.inputsOf('agents.start')).toEqual([
      {
        profile: 'claude',
        name: 'fixer',
        prompt: 'fix the login flow',
        worktree: 'feat/login',
        base: 'main',
        project: 'shop',
        ramGb: 2,
      },
    ]);
    expect(stores.agents.getState().byId['agent-1']?.name).toBe('fixer');
  });

  it('shows the daemon’s refusal in the dialog and stays open with what was typed', async () => {
    const { client, user, onClose } = await renderDialog((c) =>
      c.refuse('agents.start', 'BAD_REQUEST', 'branch feat/login exists already: pick another name'),
    );
    await ready();
    await user.type(field(/^Worktree branch/), 'feat/login');
    await user.click(start());
    expect((await dialog().findByRole('alert')).textContent).toBe(
      'branch feat/login exists already: pick another name',
    );
    expect(field(/^Worktree branch/).value).toBe('feat/login');
    expect(onClose).not.toHaveBeenCalled();
    expect(start().disabled).toBe(false);
    expect(client.inputsOf('agents.start')).toHaveLength(1);
  });

  it('says why the CLIs could not be listed and offers no Start', async () => {
    await renderDialog((c) => c.refuse('agents.profiles', 'INTERNAL', 'the agent manager is closed'));
    expect((await dialog().findByRole('alert')).textContent).toBe(
      'could not list the agent CLIs: the agent manager is closed',
    );
    expect(start().disabled).toBe(true);
  });

  it('offers no Start when no CLI is installed', async () => {
    await renderDialog((c) => c.answer('agents.profiles', [profileChoice('codex', 'Codex CLI', false)]));
    await dialog().findByRole('combobox', { name: /^Agent CLI/ });
    expect(dialog().getByRole('option', { name: '(none installed)' })).toBeTruthy();
    expect(start().disabled).toBe(true);
  });

  it('closes with Cancel', async () => {
    const { user, onClose } = await renderDialog();
    await user.click(dialog().getByRole('button', { name: 'Cancel' }));
    expect(onClose).toHaveBeenCalled();
  });
});
