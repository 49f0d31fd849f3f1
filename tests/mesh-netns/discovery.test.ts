// How real `devmesh up` daemons on three machines (network namespaces) find each other: mDNS on a LAN
// with multicast, what they announce as an independent resolver (avahi) sees it, and a team on another mesh
// ignored on the same LAN. See tests/helpers/mesh-lab.ts.
import { hostname } from 'node:os';
import { expect, it } from 'vitest';
import { AvahiResolver, type ResolvedInstance } from '../helpers/mdns-resolvers.js';
import { MESH_PORT, sleep, waitUntil } from '../helpers/mesh-lab.js';
import { scaled } from '../helpers/load-scale.js';
import { describeMeshLab, TEST_TIMEOUT_MS } from '../helpers/mesh-lab-suite.js';

describeMeshLab('mesh discovery between machines', (createLab) => {
  it(
    'finds every teammate by mDNS and links to each (no static peers)',
    async () => {
      // no invite seeds either (they would link the joiners to alice directly): mDNS alone must do it
      const lab = await createLab({ hosts: 3, multicast: true, inviteSeeds: false });
      await lab.waitFullMesh(undefined, { timeoutMs: scaled(20_000) });
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
    },
    TEST_TIMEOUT_MS,
  );

  const avahiMissing = AvahiResolver.unavailableReason();
  it.skipIf(avahiMissing)(
    `announces each daemon under a host name of its own that avahi resolves to that daemon's address ${avahiMissing ?? ''}`,
    async () => {
      // every namespace shares this machine's hostname, as two daemons on one machine do
      const lab = await createLab({ hosts: 2, multicast: true, inviteSeeds: false, bystanders: 1 });
      await lab.waitFullMesh();
      const avahi = await AvahiResolver.start(lab.netns, lab.bystander(0));
      try {
        const expected = await Promise.all(
          lab.hosts.map(async (h) => ({ h, host: `${hostname()}-${(await h.meshInfo()).agentId.slice(0, 8)}.local` })),
        );
        // avahi-browse -rtp: each instance resolved through its SRV target to an address
        let seen: ResolvedInstance[] = [];
        await waitUntil(
          async () => {
            seen = await avahi.browse();
            return expected.every((e) => seen.some((s) => s.host === e.host)) ? seen : null;
          },
          { timeoutMs: scaled(20_000), intervalMs: 500, what: 'avahi-browse to resolve both daemons' },
        ).catch((err: Error) => {
          throw new Error(`${err.message}\navahi-browse saw: ${JSON.stringify(seen)}`);
        });
        for (const { h, host } of expected) {
          const entries = seen.filter((s) => s.host === host);
          expect(
            entries.map((e) => [e.addresses, e.port]),
            `${h.name}: ${JSON.stringify(seen)}`,
          ).toEqual([[[h.ip], MESH_PORT]]);
          // avahi-resolve -4 -n <host>.local: the host name alone, as any program on the LAN would look it up
          expect(await avahi.resolve4(host), `${h.name}'s ${host}`).toBe(h.ip);
        }
      } finally {
        avahi.dispose();
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'ignores an agent of another mesh on the same LAN',
    async () => {
      const lab = await createLab({ hosts: 3, multicast: true, members: ['alice', 'bob'], start: false });
      const carol = lab.host('carol');
      await carol.cli(['mesh', 'init', '--id', 'carols-own-mesh']);
      // at debug level the mesh logs every advert it ignores for being of another mesh
      for (const h of lab.hosts) h.env.DEVMESH_LOG_LEVEL = 'debug';
      await lab.startAll();
      await lab.waitFullMesh(['alice', 'bob'], { timeoutMs: scaled(20_000) });
      const [alice, bob] = [lab.host('alice'), lab.host('bob')];
      const aliceMesh = (await alice.meshInfo()).meshId;
      // The mesh filter keeps them apart, not a deaf network: wait until each side has heard the other's
      // adverts and ignored them (a fixed sleep was too short under load, and proved nothing when it was)...
      const ignored = (h: typeof alice, mesh: string | null) =>
        h.logEntries((e) => e.msg === 'ignoring an agent of another mesh' && e.mesh === mesh);
      await waitUntil(
        () =>
          ignored(carol, aliceMesh).length > 0 &&
          ignored(alice, 'carols-own-mesh').length > 0 &&
          ignored(bob, 'carols-own-mesh').length > 0,
        {
          timeoutMs: scaled(20_000),
          what: "alice and bob ignoring carol's adverts, and carol theirs",
        },
      );
      // ...then a few heartbeats for a link that should never come
      await sleep(4 * lab.heartbeatMs);
      for (const h of [alice, bob]) {
        const peers = await h.peers();
        expect(peers.map((p) => p.name)).toEqual([h === alice ? 'bob' : 'alice']);
      }
      expect(await carol.peers()).toEqual([]);
      const carolInfo = await carol.meshInfo();
      expect(carolInfo.meshId).toBe('carols-own-mesh');
      expect(carolInfo.mdns).toBe(true);
    },
    TEST_TIMEOUT_MS,
  );
});
