// The proxy's faces of the selected project: routes refetched when services change, traffic followed
// live and refetched when the pushes stop while a rate still shows.
import { afterEach, describe, expect, it } from 'vitest';
import type { DevMeshEvent } from '../../../shared/events.js';
import type { ProjectInfo, ServiceInfo } from '../../../shared/service.js';
import { createAppStores, type AppStores } from '../../../renderer/state/app-stores.js';
import { ProxySync } from '../../../renderer/state/proxy-sync.js';
import { FakeClient } from '../fake-client.js';
import { route, traffic } from '../proxy-fixtures.js';
import { sleep, until } from '../../helpers/until.js';

const syncs: ProxySync[] = [];
afterEach(() => {
  for (const s of syncs.splice(0)) s.dispose();
});

const project: ProjectInfo = {
  id: 'shop',
  root: '/tmp/shop',
  configPath: '/tmp/shop/devmesh.yaml',
  services: ['api', 'web'],
  configError: null,
};

function setup(options: { trafficStaleMs?: number } = {}) {
  const client = new FakeClient();
  const stores: AppStores = createAppStores(client.status);
  let routeCalls = 0;
  client.handlers['proxy.routes'] = () => {
    routeCalls++;
    return [route('api'), route('web', { target: null, state: 'stopped' }), route('other', { project: 'elsewhere' })];
  };
  client.handlers['proxy.traffic'] = () => [traffic('api')];
  const sync = new ProxySync(client, stores, { routesDebounceMs: 20, ...options });
  syncs.push(sync);
  stores.projects.getState().setProjects([project]);
  return { client, stores, routeCalls: () => routeCalls };
}

const stateEvent = (service: string, projectId = 'shop'): DevMeshEvent =>
  ({
    type: 'service.state',
    ts: Date.now(),
    project: projectId,
    service,
    info: { name: service } as ServiceInfo,
  }) as DevMeshEvent;

describe('ProxySync', () => {
  it('loads the routes and traffic of the selected project', async () => {
    const { client, stores } = setup();
    await until('the routes', () => Object.keys(stores.routes.getState().byService).length > 0);
    expect(Object.keys(stores.routes.getState().byService).sort()).toEqual(['api', 'web']);
    await until('the traffic', () => stores.traffic.getState().byService.api !== undefined);
    expect(client.calls.find((c) => c.method === 'proxy.routes')?.input).toEqual({ project: 'shop' });
  });

  it('refetches the routes once per burst of service events of its project', async () => {
    const { client, stores, routeCalls } = setup();
    await until('the routes', () => stores.routes.getState().byService.api !== undefined);
    expect(routeCalls()).toBe(1);
    const before = stores.routes.getState().byService.api;
    for (const name of ['api', 'web', 'api']) client.emit(stateEvent(name));
    client.emit(stateEvent('api', 'elsewhere'));
    await until('the refetch', () => routeCalls() === 2);
    await sleep(60);
    expect(routeCalls()).toBe(2);
    // Unchanged routes keep their identity: their rows do not re-render.
    expect(stores.routes.getState().byService.api).toBe(before);
  });

  it('applies pushed traffic snapshots and keeps unchanged entries', async () => {
    const { client, stores } = setup();
    await until('the traffic', () => stores.traffic.getState().byService.api !== undefined);
    const api = stores.traffic.getState().byService.api;
    client.emitTraffic([traffic('api'), traffic('web', { requestsPerSec: 3 }), traffic('x', { project: 'elsewhere' })]);
    const s = stores.traffic.getState();
    expect(s.byService.api).toBe(api);
    expect(s.byService.web?.requestsPerSec).toBe(3);
    expect(s.byService.x).toBeUndefined();
  });

  it('asks for the counters when pushes stop while a rate is above zero', async () => {
    const { client } = setup({ trafficStaleMs: 40 });
    const trafficCalls = () => client.calls.filter((c) => c.method === 'proxy.traffic').length;
    await until('the first fetch', () => trafficCalls() === 1);
    await until('a refetch of stale rates', () => trafficCalls() >= 2, 1000);
    client.handlers['proxy.traffic'] = () => [traffic('api', { requestsPerSec: 0, errorsPerSec: 0 })];
    await until('the quiet counters', () => trafficCalls() >= 3, 1000);
    const settled = trafficCalls();
    await sleep(150);
    expect(trafficCalls()).toBeLessThanOrEqual(settled + 1); // all rates at zero: no more polling
  });

  it('keeps the reason when the daemon cannot list routes, without a toast', async () => {
    const client = new FakeClient();
    const stores = createAppStores(client.status);
    client.handlers['proxy.routes'] = () => {
      throw new Error("unknown method 'proxy.routes'");
    };
    client.handlers['proxy.traffic'] = () => [];
    syncs.push(new ProxySync(client, stores));
    stores.projects.getState().setProjects([project]);
    await until('the error', () => stores.routes.getState().error !== null);
    expect(stores.routes.getState().error).toContain('proxy.routes');
    expect(stores.toasts.getState().toasts).toEqual([]);
    expect(client.followers).toBe(2); // the events and the traffic of shop
  });
});
