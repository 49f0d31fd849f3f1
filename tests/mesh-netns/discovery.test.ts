// How real `devmesh up` daemons on three machines (network namespaces) find each other: mDNS on a LAN
// with multicast, and a team on another mesh ignored on the same LAN. See tests/helpers/mesh-lab.ts.
import { expect, it } from 'vitest';
import { MeshLab, sleep } from '../helpers/mesh-lab.js';
import { describeMeshLab } from '../helpers/mesh-lab-suite.js';

describeMeshLab('mesh discovery between machines', (createLab) => {
  it('finds every teammate by mDNS and links to each (no static peers)', async () => {
    // no invite seeds either (they would link the joiners to alice directly): mDNS alone must do it
    const lab = await createLab({ hosts: 3, multicast: true, inviteSeeds: false });
    await lab.waitFullMesh(undefined, { timeoutMs: 20_000 });
    for (const h of lab.hosts) {
      const peers = await h.peers();
      const others = lab.hosts.filter((o) => o !== h);
      expect(peers.map((p) => p.name).sort()).toEqual(others.map((o) => o.name).sort());
      for (const o of others) {
        const p = peers.find((x) => x.name === o.name)!;
        expect(p.state).toBe('connected');
        expect(p.address).toBe(o.meshAddress);
        // nobody listed anyone: each link came from mDNS (dialed) or was accepted from a peer that heard us
        expect(['mdns', 'inbound', 'gossip']).toContain(p.via);
      }
      const info = await h.meshInfo();
      expect(info.mdns).toBe(true);
      expect(info.problems).toEqual([]);
    }
  }, 40_000);

  it('ignores an agent of another mesh on the same LAN', async () => {
    const lab = await createLab({ hosts: 3, multicast: true, members: ['alice', 'bob'], start: false });
    const carol = lab.host('carol');
    await carol.cli(['mesh', 'init', '--id', 'carols-own-mesh']);
    // at debug level the mesh logs every advert it ignores for being of another mesh
    for (const h of lab.hosts) h.env.DEVMESH_LOG_LEVEL = 'debug';
    await lab.startAll();
    await lab.waitFullMesh(['alice', 'bob'], { timeoutMs: 20_000 });
    // Carol's adverts reached alice and bob long ago (all three announce at start); give a few more
    // heartbeats for a link that should never come.
    await sleep(2_000);
    const [alice, bob] = [lab.host('alice'), lab.host('bob')];
    for (const h of [alice, bob]) {
      const peers = await h.peers();
      expect(peers.map((p) => p.name)).toEqual([h === alice ? 'bob' : 'alice']);
    }
    expect(await carol.peers()).toEqual([]);
    const carolInfo = await carol.meshInfo();
    expect(carolInfo.meshId).toBe('carols-own-mesh');
    expect(carolInfo.mdns).toBe(true);
    // the mesh filter kept them apart, not a deaf network: each side heard the other's adverts and ignored them
    const ignored = (entries: Record<string, unknown>[]) => entries.filter((e) => e.msg === 'ignoring an agent of another mesh');
    const aliceMesh = (await alice.meshInfo()).meshId;
    expect(ignored(carol.logEntries()).map((e) => e.mesh)).toContain(aliceMesh);
    expect(ignored(alice.logEntries()).map((e) => e.mesh)).toContain('carols-own-mesh');
  }, 40_000);
});
