// The data faces of the selected project: databases and snapshots listed on connect, again (once per burst)
// after database.changed or a database service's state change, never for another project or from a stale
// answer; proxy.tcp asked on a cadence only while a TCP service is on the Services view.
import { afterEach, describe, expect, it } from 'vitest';
import type { DevMeshEvent } from '../../../shared/events.js';
import { createAppStores, type AppStores } from '../../../renderer/state/app-stores.js';
import { DataSync } from '../../../renderer/state/data-sync.js';
import { FakeClient } from '../fake-client.js';
import { peer } from '../graph/mesh-fixtures.js';
import { databaseInfo, projectInfo, serviceInfo, snapshotInfo, tcpRoute } from '../../helpers/view-fixtures.js';
import { sleep, until } from '../../helpers/until.js';

const syncs: DataSync[] = [];
afterEach(() => {
  for (const s of syncs.splice(0)) s.dispose();
});

function setup(options: { tcpPollMs?: number; dbPollMs?: number } = {}) {
  const client = new FakeClient();
  const stores: AppStores = createAppStores(client.status);
  const count: Record<string, number> = {};
  const counted =
    <T>(method: string, answer: (input: any) => T) =>
    (input: unknown) => {
      count[method] = (count[method] ?? 0) + 1;
      return answer(input);
    };
  client.handlers['databases.list'] = counted('databases.list', ({ project }) => [
    databaseInfo('api-db', { project }),
    databaseInfo('other-db', { project: 'elsewhere' }),
  ]);
  client.handlers['databases.snapshots'] = counted('databases.snapshots', () => [
    snapshotInfo('api-db', 'old', { createdAt: 1 }),
    snapshotInfo('api-db', 'new', { createdAt: 2 }),
  ]);
  client.handlers['databases.peerSnapshots'] = counted('databases.peerSnapshots', () => []);
  client.handlers['proxy.tcp'] = counted('proxy.tcp', () => [tcpRoute('api-db')]);
  const sync = new DataSync(client, stores, {
    debounceMs: 20,
    tcpPollMs: options.tcpPollMs ?? 60_000,
    dbPollMs: options.dbPollMs ?? 60_000,
  });
  syncs.push(sync);
  stores.projects.getState().setProjects([projectInfo('shop'), projectInfo('blog')]);
  return { client, stores, calls: (m: string) => count[m] ?? 0 };
}

const changed = (project: string): DevMeshEvent => ({
  type: 'database.changed',
  ts: Date.now(),
  project,
  service: 'api-db',
  what: 'reset',
});

describe('DataSync', () => {
  it('lists the selected project’s databases, its snapshots newest first, and its TCP addresses', async () => {
    const { client, stores } = setup();
    await until('the databases', () => stores.databases.getState().loaded);
    const s = stores.databases.getState();
    expect(s.services).toEqual(['api-db']); // another project's entry is dropped
    await until('the snapshots', () => stores.databases.getState().snapshots['api-db'] !== undefined);
    expect(stores.databases.getState().snapshots['api-db']?.map((x) => x.name)).toEqual(['new', 'old']);
    await until('the addresses', () => stores.tcp.getState().byService['api-db'] !== undefined);
    expect(client.calls.find((c) => c.method === 'databases.list')?.input).toEqual({ project: 'shop' });
  });

  it('lists again once per burst of database.changed events of its project, not for another', async () => {
    const { client, stores, calls } = setup();
    await until('the databases', () => stores.databases.getState().loaded);
    expect(calls('databases.list')).toBe(1);
    client.emit(changed('blog'));
    await sleep(60);
    expect(calls('databases.list')).toBe(1);
    for (let i = 0; i < 3; i++) client.emit(changed('shop'));
    await until('the listing', () => calls('databases.list') === 2 && calls('databases.snapshots') === 2);
    await sleep(60);
    expect(calls('databases.list')).toBe(2);
  });

  it('shows a database service’s new state at once and lists again for its port and size', async () => {
    const { client, stores, calls } = setup();
    await until('the databases', () => stores.databases.getState().loaded);
    const event = (service: string): DevMeshEvent => {
      const info = serviceInfo(service, { state: 'stopping' });
      return {
        type: 'service.state',
        ts: 2,
        project: 'shop',
        service,
        from: 'healthy',
        to: 'stopping',
        reason: null,
        info,
      };
    };
    // a service that runs no database changes nothing
    client.emit(event('api'));
    await sleep(60);
    expect(calls('databases.list')).toBe(1);

    client.handlers['databases.list'] = () => new Promise(() => {}); // the listing takes its time
    client.emit(event('api-db'));
    expect(stores.databases.getState().byService['api-db']?.state).toBe('stopping');
    await until('the listing', () => calls('databases.snapshots') === 2);
  });

  it('lists teammates’ snapshots again when a teammate joins or leaves', async () => {
    const { client, calls } = setup();
    await until('the first listing', () => calls('databases.peerSnapshots') === 1);
    client.emit({ type: 'peer.joined', ts: Date.now(), peer: peer('alice'), reason: null });
    client.emit({ type: 'peer.left', ts: Date.now(), peer: peer('bob'), reason: 'quit' });
    await until('the listing', () => calls('databases.peerSnapshots') === 2);
    await sleep(60);
    expect(calls('databases.peerSnapshots')).toBe(2);
    expect(calls('databases.list')).toBe(1);
  });

  it('drops an answer for the project shown before', async () => {
    const { client, stores } = setup();
    await until('the databases', () => stores.databases.getState().loaded);
    let release: (v: unknown) => void = () => {};
    client.handlers['databases.list'] = ({ project }: { project: string }) =>
      project === 'blog'
        ? new Promise((r) => (release = () => r([databaseInfo('late-db', { project: 'blog' })])))
        : [databaseInfo('api-db')];
    stores.projects.getState().select('blog');
    expect(stores.databases.getState().services).toEqual([]); // the previous project's databases are gone
    stores.projects.getState().select('shop');
    await until('shop again', () => stores.databases.getState().services.length === 1);
    release(undefined);
    await sleep(20);
    expect(stores.databases.getState().services).toEqual(['api-db']);
  });

  it('polls proxy.tcp only while the Services view shows a TCP service', async () => {
    const { stores, calls } = setup({ tcpPollMs: 20 });
    await until('the first read', () => calls('proxy.tcp') === 1);
    await sleep(100);
    expect(calls('proxy.tcp')).toBe(1); // no TCP service: no polling
    stores.services.getState().showProject('shop');
    stores.services.getState().replace('shop', [serviceInfo('api-db', { protocol: 'tcp' })]);
    await until('polling', () => calls('proxy.tcp') >= 3);
    stores.view.getState().show('terminals');
    await sleep(40);
    const seen = calls('proxy.tcp');
    await sleep(100);
    expect(calls('proxy.tcp')).toBe(seen);
  });

  it('lists the databases again on a cadence while the Services view shows them: a growing size follows', async () => {
    // Found in Chromium: 57 MB written through psql left the card at "48 MB" until some service changed state.
    const { client, stores, calls } = setup({ dbPollMs: 20 });
    await until('the databases', () => stores.databases.getState().byService['api-db'] !== undefined);
    const first = stores.databases.getState().byService['api-db']!;
    await until('a second listing', () => calls('databases.list') >= 3);
    expect(stores.databases.getState().byService['api-db']).toBe(first); // nothing new: the same object
    client.handlers['databases.list'] = () => [databaseInfo('api-db', { sizeBytes: 105_000_000 })];
    await until('the new size', () => stores.databases.getState().byService['api-db']?.sizeBytes === 105_000_000);
    stores.view.getState().show('terminals');
    await sleep(40);
    const seen = calls('databases.list');
    await sleep(100);
    expect(calls('databases.list')).toBe(seen);
  });

  it('keeps the same objects when a poll finds nothing new', async () => {
    const { stores } = setup();
    await until('the addresses', () => stores.tcp.getState().byService['api-db'] !== undefined);
    const before = stores.tcp.getState();
    stores.tcp.getState().replace('shop', [tcpRoute('api-db')]);
    expect(stores.tcp.getState()).toBe(before);
    stores.tcp.getState().replace('shop', [tcpRoute('api-db', { connections: 1, totalConnections: 1 })]);
    expect(stores.tcp.getState().byService['api-db']?.connections).toBe(1);
  });
});
