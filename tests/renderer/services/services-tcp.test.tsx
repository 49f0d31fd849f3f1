// @vitest-environment jsdom
// A TCP service's row in the services table: its stable address (copied with a button) and who serves it
// where an HTTP service has its URLs, its connections and bytes where an HTTP service has its traffic, kept
// current by polling proxy.tcp, and a busy port's problem in the daemon's words.
import { configure, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { TcpRoute } from '../../../shared/proxy.js';
import { ServicesTable } from '../../../renderer/services/services-table.js';
import { scaled } from '../../helpers/load-scale.js';
import { renderView } from '../../helpers/render-view.js';
import { projectInfo, routeInfo, serviceInfo, tcpRoute } from '../../helpers/view-fixtures.js';

// the daemon's answers come through promises and a one-second poll: wait as long as the machine's load needs
configure({ asyncUtilTimeout: scaled(5_000) });

async function renderTcp(routes: TcpRoute[]) {
  const view = renderView(<ServicesTable />, ({ client }) => {
    client.answer('projects.list', [projectInfo('shop', { services: ['api', 'db'] })]);
    client.answer('services.list', [
      serviceInfo('api', { state: 'healthy', port: 4001 }),
      serviceInfo('db', { state: 'healthy', port: 54012, protocol: 'tcp', tcpAddress: '127.0.0.1:15432' }),
    ]);
    client.answer('proxy.routes', [routeInfo('api')]);
    client.answer('proxy.tcp', routes);
  });
  await screen.findByRole('button', { name: 'db' });
  return view;
}

const rowOf = (name: string) => {
  const row = screen.getByRole('button', { name }).closest('tr');
  if (!row) throw new Error(`no row for ${name}`);
  return within(row);
};

describe('a TCP service in the services table', () => {
  it('shows its stable address, who serves it, and its connections and bytes beside the HTTP traffic', async () => {
    await renderTcp([
      tcpRoute('db', {
        connections: 2,
        totalConnections: 17,
        bytesIn: 1234,
        bytesOut: 5_600_000,
        servedBy: 'alice/db@15.0.0',
      }),
    ]);
    const db = rowOf('db');
    await waitFor(() =>
      expect(db.getByTestId('service-traffic-db').textContent).toBe('2 open · 17 total · in 1.2 kB · out 5.6 MB'),
    );
    expect(db.getByText('127.0.0.1:15432')).toBeTruthy();
    expect(db.getByTestId('service-tcp-served-db').textContent).toBe('→ alice/db@15.0.0');
    expect(db.queryByRole('link')).toBeNull(); // no http URL for a TCP service
    // the HTTP service beside it keeps its URL
    expect(await rowOf('api').findByRole('link', { name: 'api.localhost:7777' })).toBeTruthy();
  });

  it('says when the local engine listens on the address itself, and that its counts are sampled', async () => {
    await renderTcp([tcpRoute('db', { direct: true, servedBy: 'me/db@15.0.0', totalConnections: 3 })]);
    const db = rowOf('db');
    await waitFor(() => expect(db.getByTestId('service-tcp-served-db').textContent).toBe('→ me/db@15.0.0 (direct)'));
    expect(db.getByTestId('service-traffic-db').getAttribute('title')).toMatch(/sampled from the kernel/);
  });

  it('copies the address', async () => {
    const { user } = await renderTcp([tcpRoute('db')]);
    await user.click(rowOf('db').getByRole('button', { name: 'Copy the address of db' }));
    expect(await navigator.clipboard.readText()).toBe('127.0.0.1:15432');
    // copying is not a row selection: the log pane keeps the service it followed
  });

  it('follows the counters as proxy.tcp reports them', async () => {
    const { client } = await renderTcp([
      tcpRoute('db', { connections: 1, totalConnections: 1, bytesIn: 10, bytesOut: 20 }),
    ]);
    await waitFor(() =>
      expect(rowOf('db').getByTestId('service-traffic-db').textContent).toBe('1 open · 1 total · in 10 B · out 20 B'),
    );
    client.answer('proxy.tcp', [
      tcpRoute('db', { connections: 0, totalConnections: 4, bytesIn: 2000, bytesOut: 3000 }),
    ]);
    await waitFor(
      () =>
        expect(rowOf('db').getByTestId('service-traffic-db').textContent).toBe('0 open · 4 total · in 2 kB · out 3 kB'),
      { timeout: scaled(10_000) },
    );
  });

  it('shows a busy stable port with the daemon’s problem', async () => {
    const problem = 'port 15432 is taken by another program: free it or set tcp_port in devmesh.yaml';
    await renderTcp([tcpRoute('db', { address: null, problem })]);
    await waitFor(() => expect(rowOf('db').getByRole('alert').textContent).toBe(`127.0.0.1:15432: ${problem}`));
  });

  it('shows the address ServiceInfo gives before proxy.tcp answers, and a dash for its traffic', async () => {
    await renderTcp([]);
    const db = rowOf('db');
    expect(db.getByText('127.0.0.1:15432')).toBeTruthy();
    expect(db.getByTestId('service-traffic-db').textContent).toBe('—');
  });
});
