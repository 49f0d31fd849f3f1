// @vitest-environment jsdom
// The command palette and the window's shortcuts, over the real stores and the commands the shell registers:
// Ctrl+K opens it, typing narrows the list by fuzzy match, Enter runs the chosen command (a service stops:
// the daemon is asked), Escape closes it and gives the focus back; each command with a shortcut shows it;
// G then S goes to a view, but not while typing in a field or a terminal.
import { act, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CommandPalette } from '../../../renderer/commands/command-palette.js';
import { Sidebar } from '../../../renderer/shell/sidebar.js';
import { useShell } from '../../../renderer/shell/use-shell.js';
import { installLayoutStubs } from '../../helpers/jsdom-layout.js';
import { renderView, type ViewClient } from '../../helpers/render-view.js';
import { projectInfo, serviceInfo } from '../../helpers/view-fixtures.js';

beforeAll(installLayoutStubs);
afterEach(() => localStorage.clear()); // the theme picked by one test is not the next one's

function Shell() {
  useShell();
  return (
    <>
      <input aria-label="A field" />
      <div className="xterm">
        <textarea aria-label="Terminal input" />
      </div>
      <Sidebar />
      <CommandPalette />
    </>
  );
}

function shop(client: ViewClient): void {
  client.answer('projects.list', [projectInfo('shop', { services: ['api', 'web'] })]);
  client.answer('services.list', [
    serviceInfo('api', { project: 'shop', state: 'healthy' }),
    serviceInfo('web', { project: 'shop', state: 'healthy' }),
  ]);
  client.answer('services.stop', ({ name }) => serviceInfo(name, { project: 'shop', state: 'stopped' }));
}

const render = () => renderView(<Shell />, ({ client }) => shop(client));

describe('the command palette', () => {
  it('opens on Ctrl+K, finds "stop web" by fuzzy match, and Enter stops web through the daemon', async () => {
    const { client, user, stores } = render();
    await screen.findByTestId('sidebar-service-web');
    await user.keyboard('{Control>}k{/Control}');
    const palette = await screen.findByRole('dialog', { name: 'Command palette' });
    const input = within(palette).getByRole('combobox');
    expect(document.activeElement).toBe(input);
    await user.type(input, 'stpweb');
    const options = within(palette).getAllByRole('option');
    expect(options[0]?.textContent).toContain('Stop web');
    expect(options[0]?.getAttribute('aria-selected')).toBe('true');
    await user.keyboard('{Enter}');
    await waitFor(() => expect(client.inputsOf('services.stop')).toEqual([{ project: 'shop', name: 'web' }]));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(stores.commands.getState().paletteOpen).toBe(false);
  });

  it('lists the views with their shortcuts beside them, and the arrows choose', async () => {
    const { user, stores } = render();
    await user.keyboard('{Control>}k{/Control}');
    const palette = await screen.findByRole('dialog', { name: 'Command palette' });
    const audit = within(palette).getByTestId('palette-item-view.audit');
    expect(audit.textContent).toContain('Go to Audit');
    expect(
      within(audit)
        .getAllByText(/^[GA]$/)
        .map((k) => k.textContent),
    ).toEqual(['G', 'A']);
    expect(audit.textContent).toContain('shortcut G then A');
    const open = within(palette).getByTestId('palette-item-palette.toggle');
    expect(open.textContent).toMatch(/CtrlK/);
    await user.type(within(palette).getByRole('combobox'), 'go to');
    await user.keyboard('{ArrowDown}{Enter}');
    expect(stores.view.getState().view).toBe('requests');
  });

  it('says when nothing matches, and Escape closes it and gives the focus back', async () => {
    const { user } = render();
    const field = screen.getByRole('textbox', { name: 'A field' });
    await user.click(field);
    await user.keyboard('{Control>}k{/Control}');
    const palette = await screen.findByRole('dialog', { name: 'Command palette' });
    await user.type(within(palette).getByRole('combobox'), 'zzqx');
    expect(within(palette).getByText(/No command matches “zzqx”/)).toBeTruthy();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(field);
  });

  it('lists a Start for a stopped service and no Stop, as its state allows', async () => {
    const { user, client } = render();
    await screen.findByTestId('sidebar-service-web');
    act(() =>
      client.emit({
        type: 'service.state',
        ts: 1,
        project: 'shop',
        service: 'web',
        info: serviceInfo('web', { project: 'shop', state: 'stopped', since: 5 }),
      } as never),
    );
    await user.keyboard('{Control>}k{/Control}');
    const palette = await screen.findByRole('dialog', { name: 'Command palette' });
    expect(within(palette).queryByTestId('palette-item-service.stop:web')).toBeNull();
    expect(within(palette).getByTestId('palette-item-service.start:web')).toBeTruthy();
    expect(within(palette).getByTestId('palette-item-service.stop:api')).toBeTruthy();
  });
});

describe('the window’s shortcuts', () => {
  it('go to a view with G then a letter, and switch the theme with Shift+T', async () => {
    const { user, stores } = render();
    await user.keyboard('gl');
    expect(stores.view.getState().view).toBe('locks');
    await user.keyboard('ga');
    expect(stores.view.getState().view).toBe('audit');
    expect(stores.theme.getState().preference).toBe('system');
    await user.keyboard('{Shift>}T{/Shift}');
    expect(stores.theme.getState().preference).toBe('light');
    expect(document.documentElement.dataset.theme).toBe('light');
  });

  it('collapse and expand the sidebar with Ctrl+B, listed in the palette, but not in a terminal', async () => {
    const { user, stores } = render();
    const toggle = screen.getByRole('button', { name: 'Sidebar' });
    await user.keyboard('{Control>}b{/Control}');
    expect(stores.sidebar.getState().collapsed).toBe(true);
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    await user.click(screen.getByRole('textbox', { name: 'Terminal input' }));
    await user.keyboard('{Control>}b{/Control}');
    expect(stores.sidebar.getState().collapsed).toBe(true);
    await user.click(screen.getByRole('textbox', { name: 'A field' }));
    await user.keyboard('{Control>}k{/Control}');
    const palette = await screen.findByRole('dialog', { name: 'Command palette' });
    const item = within(palette).getByTestId('palette-item-sidebar.toggle');
    expect(item.textContent).toContain('Expand the sidebar');
    expect(item.textContent).toContain('shortcut Ctrl+B');
    await user.type(within(palette).getByRole('combobox'), 'side bar');
    await user.keyboard('{Enter}');
    expect(stores.sidebar.getState().collapsed).toBe(false);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
  });

  it('are text in a field and in a terminal, where only Ctrl keys outside the terminal act', async () => {
    const { user, stores } = render();
    await user.click(screen.getByRole('textbox', { name: 'A field' }));
    await user.keyboard('gl');
    expect(stores.view.getState().view).toBe('services');
    await user.click(screen.getByRole('textbox', { name: 'Terminal input' }));
    await user.keyboard('gl{Control>}k{/Control}');
    expect(stores.view.getState().view).toBe('services');
    expect(stores.commands.getState().paletteOpen).toBe(false);
    await user.click(screen.getByRole('textbox', { name: 'A field' }));
    await user.keyboard('{Control>}k{/Control}');
    expect(stores.commands.getState().paletteOpen).toBe(true);
  });
});
