// StoreSync: what the UI shows follows the daemon across reconnects and project switches.
import { describe, expect, it } from 'vitest';
import type { ProjectInfo, ServiceInfo } from '../../../shared/service.js';
import { createAppStores } from '../../../renderer/state/app-stores.js';
import { StoreSync } from '../../../renderer/state/store-sync.js';
import { DevMeshError } from '../../../shared/errors.js';
import { FakeClient } from '../fake-client.js';

const project = (id: string): ProjectInfo => ({
  id,
  root: `/src/${id}`,
  configPath: `/src/${id}/devmesh.yaml`,
  services: [],
  configError: null,
});
const service = (projectId: string, name: string, state: ServiceInfo['state'] = 'stopped'): ServiceInfo => ({
  project: projectId,
  name,
  version: '1.0.0',
  state,
  port: null,
  pid: null,
  restarts: 0,
  startedAt: null,
  since: 1,
  reason: null,
  autostart: true,
  dependsOn: [],
});
const settle = () => new Promise((r) => setTimeout(r, 0));

function setup() {
  const client = new FakeClient();
  const services: Record<string, ServiceInfo[]> = {
    shop: [service('shop', 'api'), service('shop', 'web')],
    blog: [service('blog', 'cms')],
  };
  client.handlers['projects.list'] = () => [project('shop'), project('blog')];
  client.handlers['services.list'] = (input: { project: string }) => services[input.project] ?? [];
  const stores = createAppStores(client.status);
  const sync = new StoreSync(client, stores);
  return { client, stores, sync, services };
}

describe('StoreSync', () => {
  it('loads projects and the first project’s services, then applies live events', async () => {
    const { client, stores, sync } = setup();
    await settle();
    expect(stores.projects.getState().selectedId).toBe('shop');
    expect(stores.services.getState().names).toEqual(['api', 'web']);
    client.emit({
      type: 'service.state',
      ts: 2,
      project: 'shop',
      service: 'api',
      from: 'stopped',
      to: 'starting',
      reason: null,
      info: service('shop', 'api', 'starting'),
    });
    expect(stores.services.getState().byName.api?.state).toBe('starting');
    sync.dispose();
  });

  it('switches the table when another project is picked', async () => {
    const { stores, sync } = setup();
    await settle();
    stores.projects.getState().select('blog');
    expect(stores.services.getState()).toMatchObject({ projectId: 'blog', names: [] });
    await settle();
    expect(stores.services.getState().names).toEqual(['cms']);
    sync.dispose();
  });

  it('refetches everything on reconnect, because events sent while disconnected are lost', async () => {
    const { client, stores, sync, services } = setup();
    await settle();
    client.setStatus('reconnecting');
    expect(stores.connection.getState().status.state).toBe('reconnecting');
    services.shop = [service('shop', 'api', 'healthy')];
    client.setStatus('open');
    await settle();
    expect(stores.services.getState().names).toEqual(['api']);
    expect(stores.services.getState().byName.api?.state).toBe('healthy');
    expect(stores.connection.getState().everConnected).toBe(true);
    sync.dispose();
  });

  it('shows a failed refresh as a toast, but not a lost connection', async () => {
    const { client, stores, sync } = setup();
    await settle();
    client.handlers['projects.list'] = () => {
      throw new DevMeshError('DAEMON_NOT_RUNNING', 'not connected');
    };
    await sync.refresh();
    expect(stores.toasts.getState().toasts).toEqual([]);
    client.handlers['projects.list'] = () => {
      throw new DevMeshError('INTERNAL', 'database is locked');
    };
    await sync.refresh();
    expect(stores.toasts.getState().toasts[0]).toMatchObject({
      code: 'INTERNAL',
      message: 'could not list projects: database is locked',
    });
    sync.dispose();
  });
});
