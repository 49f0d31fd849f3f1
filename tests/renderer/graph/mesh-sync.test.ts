// The mesh store fed from the daemon: a full load on connect, peers and alerts patched by their events,
// the graph fetched again (once per burst) when something it is drawn from changes.
import { afterEach, describe, expect, it } from 'vitest';
import type { DevMeshEvent } from '../../../shared/events.js';
import type { ServiceInfo } from '../../../shared/service.js';
import { createAppStores } from '../../../renderer/state/app-stores.js';
import { MeshSync } from '../../../renderer/graph/mesh-sync.js';
import { FakeClient } from '../fake-client.js';
import { traffic } from '../proxy-fixtures.js';
import { alert, meshInfo, peer, shopGraph } from './mesh-fixtures.js';
import { sleep, until } from '../../helpers/until.js';

const syncs: MeshSync[] = [];
afterEach(() => {
  for (const s of syncs.splice(0)) s.dispose();
});

function setup(status: 'open' | 'connecting' = 'open', pollMs = 60_000) {
  const client = new FakeClient();
  client.status = { state: status, attempt: 0, retryInMs: null };
  const stores = createAppStores(client.status);
  const count = { graph: 0 };
  client.handlers['mesh.info'] = () => meshInfo();
  client.handlers['mesh.peers'] = () => [peer('alice'), peer('carol', { state: 'unreachable', services: [] })];
  client.handlers['mesh.graph'] = () => {
    count.graph++;
    return shopGraph();
  };
  client.handlers['mesh.alerts'] = () => [alert(2), alert(1)];
  const sync = new MeshSync(client, stores, { graphDebounceMs: 20, pollMs });
  syncs.push(sync);
  return { client, stores, count };
}

const loaded = async (stores: ReturnType<typeof createAppStores>) =>
  until('the mesh', () => {
    const s = stores.mesh.getState();
    return s.info !== null && s.peers.length > 0 && s.graph !== null && s.alerts.length > 0;
  });

describe('MeshSync', () => {
  it('loads the mesh info, peers, graph and alerts on connect', async () => {
    const { client, stores } = setup();
    await loaded(stores);
    const s = stores.mesh.getState();
    expect(s.info?.name).toBe('bob');
    expect(s.peers.map((p) => p.name)).toEqual(['alice', 'carol']);
    expect(s.graph?.nodes).toHaveLength(6);
    expect(s.alerts.map((a) => a.id)).toEqual([2, 1]);
    expect(client.calls.find((c) => c.method === 'mesh.alerts')?.input).toEqual({ limit: 100 });
  });

  it('loads again when the connection comes back', async () => {
    const { client, stores } = setup('connecting');
    await sleep(20);
    expect(client.calls).toHaveLength(0);
    client.setStatus('open');
    await loaded(stores);
    client.handlers['mesh.peers'] = () => [peer('dave')];
    client.setStatus('reconnecting');
    client.setStatus('open');
    await until('the new peers', () => stores.mesh.getState().peers[0]?.name === 'dave');
  });

  it('peer events update, add and drop peers', async () => {
    const { client, stores } = setup();
    await loaded(stores);
    client.emit({
      type: 'peer.unreachable',
      ts: 5_000,
      peer: peer('alice', { state: 'unreachable', since: 5_000 }),
      reason: 'no heartbeat for 15s',
    });
    client.emit({ type: 'peer.joined', ts: 5_001, peer: peer('dave', { since: 5_001 }), reason: null });
    client.emit({ type: 'peer.left', ts: 5_002, peer: peer('carol'), reason: 'left the mesh' });
    const peers = stores.mesh.getState().peers;
    expect(peers.map((p) => `${p.name}:${p.state}`)).toEqual(['alice:unreachable', 'dave:connected']);
  });

  it("a peer.service event changes that peer's service list", async () => {
    const { client, stores } = setup();
    await loaded(stores);
    const service = { project: 'shop', name: 'auth', version: '3.1.0', state: 'healthy' as const, dependsOn: [] };
    client.emit({ type: 'peer.service', ts: 5_000, agentId: 'alice', peerName: 'alice', change: 'changed', service });
    client.emit({
      type: 'peer.service',
      ts: 5_001,
      agentId: 'alice',
      peerName: 'alice',
      change: 'appeared',
      service: { ...service, name: 'billing' },
    });
    const alice = stores.mesh.getState().peers.find((p) => p.agentId === 'alice')!;
    expect(alice.services.map((s) => `${s.name}@${s.version}`)).toEqual(['auth@3.1.0', 'billing@3.1.0']);
    client.emit({
      type: 'peer.service',
      ts: 5_002,
      agentId: 'alice',
      peerName: 'alice',
      change: 'disappeared',
      service,
    });
    expect(
      stores.mesh
        .getState()
        .peers.find((p) => p.agentId === 'alice')!
        .services.map((s) => s.name),
    ).toEqual(['billing']);
  });

  it('alert.raised adds the alert first and shows a toast naming both sides', async () => {
    const { client, stores } = setup();
    await loaded(stores);
    const raised = alert(3, { lastTs: 9_000, action: 'refused' });
    client.emit({ type: 'alert.raised', ts: 9_000, alert: raised });
    expect(stores.mesh.getState().alerts.map((a) => a.id)).toEqual([3, 2, 1]);
    const toasts = stores.toasts.getState().toasts;
    expect(toasts).toHaveLength(1);
    expect(toasts[0]).toMatchObject({ code: 'VERSION_MISMATCH' });
    expect(toasts[0]!.message).toContain('web needs auth ^2.1');
    expect(toasts[0]!.message).toContain("alice's auth is 3.0.0");
    expect(toasts[0]!.message).toContain('refused');
    // Raised again (count 2): the same alert, updated, not a second one.
    client.emit({ type: 'alert.raised', ts: 9_500, alert: { ...raised, count: 2, lastTs: 9_500 } });
    expect(
      stores.mesh
        .getState()
        .alerts.filter((a) => a.id === 3)
        .map((a) => a.count),
    ).toEqual([2]);
  });

  it('refetches the graph once per burst of service and peer events', async () => {
    const { client, stores, count } = setup();
    await loaded(stores);
    expect(count.graph).toBe(1);
    const before = stores.mesh.getState().graph;
    client.emit({
      type: 'service.state',
      ts: 1,
      project: 'shop',
      service: 'api',
      from: 'starting',
      to: 'healthy',
      reason: null,
      info: { name: 'api' } as ServiceInfo,
    } as DevMeshEvent);
    client.emit({
      type: 'peer.service',
      ts: 2,
      agentId: 'alice',
      peerName: 'alice',
      change: 'appeared',
      service: { project: 'shop', name: 'x', version: '1.0.0', state: 'healthy', dependsOn: [] },
    });
    client.emit({ type: 'peer.back', ts: 3, peer: peer('carol', { since: 3 }), reason: null });
    await until('the refetch', () => count.graph === 2);
    await sleep(60);
    expect(count.graph).toBe(2);
    // Replaced whole, never patched.
    expect(stores.mesh.getState().graph).not.toBe(before);
  });

  it('fetches the graph again once the proxy sees traffic, though the graph it has shows none', async () => {
    const { stores, count } = setup('open', 30);
    await loaded(stores);
    await sleep(100);
    expect(count.graph).toBe(1); // idle: nothing to refresh
    stores.traffic.getState().showProject('shop');
    stores.traffic.getState().apply('shop', [traffic('api', { requestsPerSec: 3, errorsPerSec: 0 })]);
    await until('the refetch', () => count.graph >= 2);
  });

  it('keeps what it has and says why when the mesh cannot be read', async () => {
    const client = new FakeClient();
    const stores = createAppStores(client.status);
    client.handlers['mesh.info'] = () => {
      throw new Error('unknown method mesh.info');
    };
    syncs.push(new MeshSync(client, stores, { pollMs: 60_000 }));
    await until('the error', () => stores.mesh.getState().error !== null);
    expect(stores.mesh.getState().error).toContain('unknown method');
    expect(client.calls.map((c) => c.method)).toEqual(['mesh.info']);
    expect(stores.toasts.getState().toasts).toHaveLength(0);
  });
});
