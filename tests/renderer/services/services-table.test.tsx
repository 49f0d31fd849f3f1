// @vitest-environment jsdom
// The services table as an operator uses it: a row per service with its version, state, port and proxy URL,
// the actions a state allows (no Stop on a stopped service), what a click sends, a refused start in the
// daemon's words, and the empty states.
import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { DevMeshEvent } from '../../../shared/events.js';
import type { RouteInfo } from '../../../shared/proxy.js';
import type { ServiceInfo, ServiceState } from '../../../shared/service.js';
import { ServicesTable } from '../../../renderer/services/services-table.js';
import { ToastList } from '../../../renderer/shell/toast-list.js';
import { renderView, type ViewClient } from '../../helpers/render-view.js';
import { projectInfo, routeInfo, serviceInfo } from '../../helpers/view-fixtures.js';

/** the daemon has project shop open with these services */
function daemonHas(client: ViewClient, list: ServiceInfo[], routes: RouteInfo[] = []): void {
  client.answer('projects.list', [projectInfo('shop', { services: list.map((s) => s.name) })]);
  client.answer('services.list', list);
  client.answer('proxy.routes', routes);
}

/** what the daemon pushes when a service moves on */
const stateEvent = (info: ServiceInfo, from: ServiceState): DevMeshEvent => ({
  type: 'service.state',
  ts: info.since,
  project: info.project,
  service: info.name,
  from,
  to: info.state,
  reason: info.reason,
  info,
});

/** renders the table once the daemon's listing is on screen */
async function renderTable(list: ServiceInfo[], routes: RouteInfo[] = [], ui = <ServicesTable />) {
  const view = renderView(ui, ({ client }) => daemonHas(client, list, routes));
  if (list[0]) await screen.findByRole('button', { name: list[0].name });
  return view;
}

/** the table row of a service, found by its name button as a user would */
const rowOf = (name: string) => {
  const row = screen.getByRole('button', { name }).closest('tr');
  if (!row) throw new Error(`no row for ${name}`);
  return within(row);
};
/** the action buttons of a service's row a user can press */
const actionsOf = (name: string) =>
  ['Start', 'Stop', 'Restart'].filter(
    (label) => !(rowOf(name).getByRole('button', { name: label }) as HTMLButtonElement).disabled,
  );

describe('ServicesTable', () => {
  it('shows a row per service, in the daemon’s order, with version, state, port and its proxy URL', async () => {
    await renderTable(
      [
        serviceInfo('web', {
          version: '2.1.0',
          state: 'healthy',
          port: 4002,
          pid: 4242,
          startedAt: Date.now() - 5_000,
        }),
        serviceInfo('api', { version: '0.9.1', state: 'crashed', reason: 'exited with code 1' }),
      ],
      [routeInfo('web')],
    );
    const names = screen
      .getAllByRole('row')
      .slice(1)
      .map((r) => within(r).getAllByRole('button')[0]?.textContent);
    expect(names).toEqual(['web', 'api']);

    const web = rowOf('web');
    expect(web.getAllByText('2.1.0').length).toBeGreaterThan(0);
    expect(web.getByText('healthy')).toBeTruthy();
    expect(web.getByText('4002')).toBeTruthy();
    const link = await web.findByRole('link', { name: 'web.localhost:7777' });
    expect(link.getAttribute('href')).toBe('http://web.localhost:7777/');
    expect(web.getByRole('link', { name: 'https' }).getAttribute('href')).toBe('https://web.localhost:7443/');

    const api = rowOf('api');
    expect(api.getByText('crashed')).toBeTruthy();
    expect(api.getByText('exited with code 1')).toBeTruthy();
    expect(api.queryByRole('link')).toBeNull(); // no route: no URL to follow
  });

  it('offers only the actions the state allows', async () => {
    await renderTable([
      serviceInfo('stopped-one', { state: 'stopped' }),
      serviceInfo('healthy-one', { state: 'healthy', startedAt: Date.now() }),
      serviceInfo('crashed-one', { state: 'crashed' }),
      serviceInfo('backing-off-one', { state: 'backing-off' }),
    ]);
    expect(actionsOf('stopped-one')).toEqual(['Start']);
    expect(actionsOf('healthy-one')).toEqual(['Stop', 'Restart']);
    expect(actionsOf('crashed-one')).toEqual(['Start', 'Restart']);
    expect(actionsOf('backing-off-one')).toEqual(['Start', 'Stop', 'Restart']);
  });

  it('starts a service on click, keeps its buttons off while the call runs, and shows the new state', async () => {
    const { client, user } = await renderTable([serviceInfo('api')]);
    const answer = client.hold('services.start');
    await user.click(rowOf('api').getByRole('button', { name: 'Start' }));
    expect(client.inputsOf('services.start')).toEqual([{ project: 'shop', name: 'api' }]);
    expect(actionsOf('api')).toEqual([]);

    const running = serviceInfo('api', { state: 'healthy', port: 4001, startedAt: Date.now(), since: 2 });
    client.emit(stateEvent(running, 'starting'));
    answer(running);
    await waitFor(() => expect(actionsOf('api')).toEqual(['Stop', 'Restart']));
    expect(rowOf('api').getByText('healthy')).toBeTruthy();
    expect(rowOf('api').getByText('4001')).toBeTruthy();
  });

  it('shows a refused start in the daemon’s words and gives the buttons back', async () => {
    const ui = (
      <>
        <ServicesTable />
        <ToastList />
      </>
    );
    const { client, user } = await renderTable([serviceInfo('api')], [], ui);
    client.refuse('services.start', 'PORT_BUSY', 'port 4001 is taken by pid 77: stop it or change the port');
    await user.click(rowOf('api').getByRole('button', { name: 'Start' }));
    const toast = await screen.findByRole('alert');
    expect(toast.textContent).toContain('start api: port 4001 is taken by pid 77: stop it or change the port');
    expect(toast.textContent).toContain('PORT_BUSY');
    await waitFor(() => expect(actionsOf('api')).toEqual(['Start']));
  });

  it('sends restart and stop for a running service', async () => {
    const { client, user } = await renderTable([serviceInfo('api', { state: 'healthy', startedAt: Date.now() })]);
    client.answer('services.restart', serviceInfo('api', { state: 'healthy' }));
    client.answer('services.stop', serviceInfo('api'));
    await user.click(rowOf('api').getByRole('button', { name: 'Restart' }));
    await waitFor(() => expect(actionsOf('api')).toEqual(['Stop', 'Restart']));
    await user.click(rowOf('api').getByRole('button', { name: 'Stop' }));
    const sent = client.calls.filter((c) => /^services\.(start|stop|restart)$/.test(c.method));
    expect(sent).toEqual([
      { method: 'services.restart', input: { project: 'shop', name: 'api' } },
      { method: 'services.stop', input: { project: 'shop', name: 'api' } },
    ]);
  });

  it('turns every action off while the daemon is out of reach, and back on when it returns', async () => {
    const { client } = await renderTable([serviceInfo('api', { state: 'healthy', startedAt: Date.now() })]);
    act(() => client.setStatus('reconnecting'));
    expect(actionsOf('api')).toEqual([]);
    act(() => client.setStatus('open'));
    await waitFor(() => expect(actionsOf('api')).toEqual(['Stop', 'Restart']));
  });

  it('selects the service whose log is shown when its row is clicked', async () => {
    const { stores, user } = await renderTable([serviceInfo('api'), serviceInfo('web')]);
    const selected = () => screen.getAllByRole('row').filter((r) => r.getAttribute('aria-selected') === 'true');
    expect(selected().map((r) => within(r).getAllByRole('button')[0]?.textContent)).toEqual(['api']);
    await user.click(screen.getByRole('button', { name: 'web' }));
    expect(selected().map((r) => within(r).getAllByRole('button')[0]?.textContent)).toEqual(['web']);
    expect(stores.services.getState().selectedName).toBe('web');
  });

  it('says Loading until the daemon answers, then that no project is open', async () => {
    const { client } = renderView(<ServicesTable />, ({ client }) => void client.hold('projects.list'));
    expect(screen.getByText('Loading…')).toBeTruthy();
    client.answer('projects.list', []);
    act(() => client.setStatus('open')); // a reconnect lists again
    expect((await screen.findByText(/No project is open/)).textContent).toContain('devmesh up --project <folder>');
  });

  it('says when the open project declares no services', async () => {
    renderView(<ServicesTable />, ({ client }) => daemonHas(client, []));
    expect(await screen.findByText('This project declares no services.')).toBeTruthy();
    expect(screen.getAllByRole('row')).toHaveLength(1); // the header only
  });
});
