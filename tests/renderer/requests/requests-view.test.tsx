// @vitest-environment jsdom
// The Requests view's filters as an operator uses them: each filter asks the daemon for a fresh page with
// that filter, live requests join at the top only when they match it, and a failed page says why.
import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { RequestRecord } from '../../../shared/proxy.js';
import { RequestsView } from '../../../renderer/requests/requests-view.js';
import { renderView, type ViewClient } from '../../helpers/render-view.js';
import { projectInfo, serviceInfo } from '../../helpers/view-fixtures.js';
import { request } from '../proxy-fixtures.js';

const HISTORY: RequestRecord[] = [
  request(1, { path: '/login', status: 200 }),
  request(2, { service: 'web', host: 'web.localhost', path: '/', status: 200 }),
  request(3, { path: '/orders', status: 502, error: 'upstream refused the connection' }),
];

/** the daemon: project shop with api and web, its request log filtered as proxy.requests filters it */
function daemon(client: ViewClient): void {
  client.answer('projects.list', [projectInfo('shop', { services: ['api', 'web'] })]);
  client.answer('services.list', [serviceInfo('api'), serviceInfo('web')]);
  client.answer('proxy.requests', (input) => ({
    hasMore: false,
    requests: HISTORY.filter(
      (r) =>
        (input.service === undefined || r.service === input.service) &&
        (!input.errorsOnly || r.status >= 400 || r.error !== null) &&
        (input.search === undefined || `${r.host}${r.path}`.includes(input.search)),
    ),
  }));
}

/** the paths on screen, top first */
const paths = () =>
  screen.queryAllByTestId('request-row').map((row) => within(row).getAllByRole('cell')[3]?.textContent);

async function renderRequests() {
  const view = renderView(<RequestsView />, ({ client }) => daemon(client));
  await waitFor(() => expect(paths()).toEqual(['/orders', '/', '/login']));
  return view;
}

describe('RequestsView', () => {
  it('shows the project’s requests newest first, and live ones on top', async () => {
    const { client } = await renderRequests();
    act(() => client.emitRequest(request(4, { path: '/cart' })));
    await waitFor(() => expect(paths()).toEqual(['/cart', '/orders', '/', '/login']));
    expect(screen.getByText('4 requests')).toBeTruthy();
  });

  it('narrows to one service with a fresh page for it', async () => {
    const { client, user } = await renderRequests();
    await user.selectOptions(screen.getByRole('combobox', { name: 'Service' }), 'web');
    await waitFor(() => expect(paths()).toEqual(['/']));
    expect(client.inputsOf('proxy.requests').at(-1)).toMatchObject({
      project: 'shop',
      service: 'web',
      errorsOnly: false,
    });
  });

  it('shows errors only, and keeps a live success out', async () => {
    const { client, user } = await renderRequests();
    await user.click(screen.getByRole('checkbox', { name: 'Errors only' }));
    await waitFor(() => expect(paths()).toEqual(['/orders']));
    expect(client.inputsOf('proxy.requests').at(-1)).toMatchObject({ errorsOnly: true });
    act(() => {
      client.emitRequest(request(4, { path: '/fine', status: 200 }));
      client.emitRequest(request(5, { path: '/broken', status: 500 }));
    });
    await waitFor(() => expect(paths()).toEqual(['/broken', '/orders']));
  });

  it('filters by host or path', async () => {
    const { client, user } = await renderRequests();
    await user.type(screen.getByRole('searchbox', { name: 'Filter by host or path' }), 'login');
    await waitFor(() => expect(paths()).toEqual(['/login']));
    expect(client.inputsOf('proxy.requests').at(-1)).toMatchObject({ search: 'login' });
  });

  it('says why the requests could not be loaded, and when none match', async () => {
    const { client, user } = await renderRequests();
    client.refuse('proxy.requests', 'INTERNAL', 'the request log is closed');
    await user.click(screen.getByRole('checkbox', { name: 'Errors only' }));
    expect((await screen.findByText(/Could not load the requests/)).textContent).toBe(
      'Could not load the requests: the request log is closed',
    );

    daemon(client);
    await user.click(screen.getByRole('checkbox', { name: 'Errors only' }));
    await user.type(screen.getByRole('searchbox', { name: 'Filter by host or path' }), 'nothing-like-this');
    expect(await screen.findByText(/No request matches yet/)).toBeTruthy();
  });
});
