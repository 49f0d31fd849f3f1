// @vitest-environment jsdom
// The sidebar: every view reachable (the current one marked), the services of the open project and the agents
// at a glance (a state dot and a name, the state in the accessible name), a click going to the service's log or
// the agent's terminal; the status bar's figures from the stores; a slot other parts fill.
import { act, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { Sidebar } from '../../../renderer/shell/sidebar.js';
import { StatusBar } from '../../../renderer/shell/status-bar.js';
import { VIEWS } from '../../../renderer/shell/views.js';
import { createSidebarStore, SIDEBAR_STORAGE_KEY } from '../../../renderer/state/sidebar-store.js';
import { renderView, type ViewClient } from '../../helpers/render-view.js';
import { agentRecord, lockInfo, projectInfo, serviceInfo } from '../../helpers/view-fixtures.js';
import { terminalInfo } from '../terminals/terminal-fixtures.js';

function daemon(client: ViewClient): void {
  client.answer('projects.list', [projectInfo('shop', { services: ['api', 'web'] })]);
  client.answer('services.list', [
    serviceInfo('api', { project: 'shop', state: 'healthy' }),
    serviceInfo('web', { project: 'shop', state: 'crashed' }),
  ]);
  client.answer('terminals.list', [terminalInfo({ id: 'term-7', name: 'claude' })]);
  client.answer('agents.list', [
    agentRecord('agent-1', { name: 'fixer', status: 'working', terminalId: 'term-7' }),
    agentRecord('agent-2', { name: 'tester', status: 'waiting', terminalId: null }),
  ]);
}

describe('the sidebar', () => {
  it('lists every view once, marks the current one, and goes to one on click', async () => {
    const { user, stores } = renderView(<Sidebar />);
    const nav = screen.getByRole('navigation', { name: 'Views' });
    const buttons = within(nav).getAllByRole('button');
    expect(buttons.map((b) => b.textContent)).toEqual(VIEWS.map((v) => v.label));
    expect(buttons.map((b) => b.textContent)).toEqual(
      expect.arrayContaining(['Services', 'Requests', 'Graph', 'Terminals', 'Team', 'Tasks', 'Locks', 'Recordings']),
    );
    expect(within(nav).getByRole('button', { name: 'Audit' }).title).toBe('Audit (G then A)');
    expect(within(nav).getByRole('button', { current: 'page' }).textContent).toBe('Services');
    await user.click(within(nav).getByRole('button', { name: 'Recordings' }));
    expect(stores.view.getState().view).toBe('recordings');
    expect(within(nav).getByRole('button', { current: 'page' }).textContent).toBe('Recordings');
  });

  it('shows each service with its state, and a click shows its log in the Services view', async () => {
    const { user, stores } = renderView(<Sidebar />, ({ client }) => daemon(client));
    const services = await screen.findByRole('region', { name: 'Services' });
    const web = within(services).getByRole('button', { name: 'web, crashed' });
    expect(web.querySelector('.dot-crashed')).not.toBeNull();
    expect(within(services).getByRole('button', { name: 'api, healthy' }).querySelector('.dot-healthy')).not.toBeNull();
    act(() => stores.view.getState().show('graph'));
    await user.click(web);
    expect(stores.view.getState().view).toBe('services');
    expect(stores.services.getState().selectedName).toBe('web');
    expect(web.getAttribute('aria-current')).toBe('true');
  });

  it('follows a service’s state as its events arrive', async () => {
    const { client } = renderView(<Sidebar />, ({ client }) => daemon(client));
    await screen.findByRole('button', { name: 'web, crashed' });
    act(() =>
      client.emit({
        type: 'service.state',
        ts: 2,
        project: 'shop',
        service: 'web',
        info: serviceInfo('web', { project: 'shop', state: 'healthy', since: 99 }),
      } as never),
    );
    expect(await screen.findByRole('button', { name: 'web, healthy' })).toBeTruthy();
  });

  it('shows each agent with its status, and a click shows its terminal', async () => {
    const { user, stores } = renderView(<Sidebar />, ({ client }) => daemon(client));
    const agents = await screen.findByRole('region', { name: 'Agents' });
    const fixer = within(agents).getByRole('button', { name: 'fixer, working' });
    expect(
      within(agents).getByRole('button', { name: 'tester, waiting' }).querySelector('.dot-agent-waiting'),
    ).not.toBeNull();
    await waitFor(() => expect(stores.terminals.getState().ids).toEqual(['term-7']));
    act(() => stores.terminals.getState().replace([terminalInfo({ id: 'term-1' }), terminalInfo({ id: 'term-7' })]));
    act(() => stores.terminals.getState().show('term-1'));
    await user.click(fixer);
    expect(stores.view.getState().view).toBe('terminals');
    expect(stores.terminals.getState().panes[0]).toBe('term-7');
  });

  it('draws what another part adds to its slot, and stops when it is taken out', async () => {
    const { stores } = renderView(<Sidebar />);
    let remove = () => {};
    act(() => {
      remove = stores.slots.getState().add('sidebar', { id: 'load', Component: () => <p>CPU 12%</p> });
    });
    expect(screen.getByText('CPU 12%')).toBeTruthy();
    act(() => remove());
    expect(screen.queryByText('CPU 12%')).toBeNull();
  });
});

describe('the sidebar collapsed to its rail', () => {
  afterEach(() => localStorage.clear());

  it('collapses and expands from a labelled control that says which with aria-expanded, and remembers it', async () => {
    const { user, stores } = renderView(<Sidebar />, ({ client }) => daemon(client));
    await screen.findByRole('button', { name: 'web, crashed' });
    const toggle = screen.getByRole('button', { name: 'Sidebar' });
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    expect(toggle.getAttribute('aria-controls')).toBe(screen.getByTestId('sidebar').id);
    expect(screen.getByText('fixer')).toBeTruthy();

    toggle.focus();
    await user.keyboard('{Enter}');
    expect(stores.sidebar.getState().collapsed).toBe(true);
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(toggle.title).toBe('Expand the sidebar (Ctrl+B)');
    expect(screen.getByTestId('sidebar').dataset.collapsed).toBe('true');
    // the names are no longer written out, but every entry keeps its accessible name
    expect(screen.queryByText('fixer')).toBeNull();
    expect(screen.queryByText('Recordings')).toBeNull();
    expect(localStorage.getItem(SIDEBAR_STORAGE_KEY)).toBe('collapsed');
    expect(createSidebarStore(localStorage).getState().collapsed).toBe(true); // a reload

    await user.keyboard(' ');
    expect(stores.sidebar.getState().collapsed).toBe(false);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    expect(toggle.title).toBe('Collapse the sidebar (Ctrl+B)');
    expect(screen.getByText('fixer')).toBeTruthy();
    expect(localStorage.getItem(SIDEBAR_STORAGE_KEY)).toBe('expanded');
  });

  it('keeps every view, service and agent reachable as an icon or a dot with its name', async () => {
    const { user, stores } = renderView(<Sidebar />, ({ client }) => daemon(client));
    act(() => stores.sidebar.getState().setCollapsed(true));
    const nav = screen.getByRole('navigation', { name: 'Views' });
    const buttons = within(nav).getAllByRole('button');
    expect(buttons.map((b) => b.getAttribute('aria-label'))).toEqual(VIEWS.map((v) => v.label));
    expect(buttons.every((b) => b.querySelector('svg[aria-hidden="true"]') !== null)).toBe(true);
    expect(within(nav).getByRole('button', { name: 'Audit' }).title).toBe('Audit (G then A)');
    await user.click(within(nav).getByRole('button', { name: 'Locks' }));
    expect(stores.view.getState().view).toBe('locks');
    expect(within(nav).getByRole('button', { current: 'page' }).getAttribute('aria-label')).toBe('Locks');

    const services = await screen.findByRole('region', { name: 'Services' });
    const web = within(services).getByRole('button', { name: 'web, crashed' });
    expect(web.querySelector('.dot-crashed')).not.toBeNull();
    await user.click(web);
    expect(stores.view.getState().view).toBe('services');
    expect(stores.services.getState().selectedName).toBe('web');
    const agents = screen.getByRole('region', { name: 'Agents' });
    expect(within(agents).getByRole('button', { name: 'tester, waiting' }).title).toMatch(/^tester: waiting/);
  });

  it('is shown in full when what is stored is not a state, or the storage refuses', () => {
    localStorage.setItem(SIDEBAR_STORAGE_KEY, '<script>');
    expect(createSidebarStore(localStorage).getState().collapsed).toBe(false);
    const refusing = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    const store = createSidebarStore(refusing);
    expect(store.getState().collapsed).toBe(false);
    store.getState().toggle(); // applied now, only not remembered
    expect(store.getState().collapsed).toBe(true);
  });
});

describe('the status bar', () => {
  it('counts agents working, locks held and health problems from the stores', async () => {
    const { stores, user } = renderView(<StatusBar />, ({ client }) => {
      daemon(client);
      client.answer('locks.list', [
        {
          root: '/repo/shop',
          project: 'shop',
          locks: [lockInfo('l1', 'agent-1', 'src/a.ts'), lockInfo('l2', 'agent-1', 'src/b.ts')],
          waiters: [],
        },
      ]);
    });
    await waitFor(() =>
      expect(screen.getByTestId('status-agents').textContent).toBe('1 agent working, 1 waiting for you'),
    );
    await waitFor(() => expect(screen.getByTestId('status-locks').textContent).toBe('2 locks held'));
    expect(screen.getByTestId('status-health').textContent).toBe('Healthy');
    act(() =>
      stores.health.getState().replace([
        {
          component: 'request log',
          since: 1,
          failures: 3,
          lost: 0,
          message: 'disk full',
          rule: 'kept in memory',
        } as never,
      ]),
    );
    expect(screen.getByTestId('status-health').textContent).toBe('1 health problem');
    act(() => stores.mesh.getState().setInfo({ member: false } as never));
    expect(screen.getByTestId('status-mesh').textContent).toBe('Mesh: not joined');
    await user.click(screen.getByTestId('status-locks'));
    expect(stores.view.getState().view).toBe('locks');
  });
});
