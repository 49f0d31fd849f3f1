// TCP services and databases between teammates' real `devmesh up` daemons (network namespaces, multicast off,
// invite seeds link everyone): each of alice, bob and carol runs the project's Postgres (`db`, a database-only
// service seeded with its own name). A psql client on alice's stable address reaches alice's instance; with it
// stopped, a teammate's through their peer ingress (the TLS tunnel); with that teammate's machine dead, the
// other one at the very next connect. Then a snapshot published by the survivor is pulled by alice over the
// authenticated link, checked by hash and restored into her own database. See tests/helpers/mesh-lab.ts.
import { expect, it } from 'vitest';
import type { SnapshotInfo } from '../../shared/database.js';
import type { TcpRoute } from '../../shared/proxy.js';
import { peerNamed, waitUntil, type MeshHost, type MeshLab, type MeshServiceSpec } from '../helpers/mesh-lab.js';
import { scaled } from '../helpers/load-scale.js';
import { describeMeshLab } from '../helpers/mesh-lab-suite.js';

const HOSTS = ['alice', 'bob', 'carol'];

function database(who: string): MeshServiceSpec {
  return {
    name: 'db',
    yaml: ['database: { engine: postgres, seed: seed.sql }'],
    files: { 'seed.sql': `create table who (name text);\ninsert into who values ('${who}');\n` },
  };
}

/** `select name from who` through `address` with psql, from inside `host`'s namespace: the name, or the error */
async function who(lab: MeshLab, host: MeshHost, address: string): Promise<string> {
  const r = await lab.netns.run(
    host.index,
    'psql',
    [`postgres://devmesh@${address}/shop`, '-tAc', 'select name from who'],
    {
      env: { ...process.env, PGCONNECT_TIMEOUT: '10' },
      timeoutMs: scaled(30_000),
    },
  );
  return r.code === 0 ? r.stdout.trim() : `error: ${r.stderr.trim() || r.code}`;
}

describeMeshLab('TCP services and databases between machines', (createLab) => {
  it(
    'reaches a teammate’s Postgres through the stable port, fails over when it dies, and pulls a snapshot',
    async () => {
      const lab = await createLab({
        hosts: HOSTS,
        multicast: false,
        servicesByHost: Object.fromEntries(HOSTS.map((h) => [h, [database(h)]])),
      });
      await lab.waitFullMesh();
      const alice = lab.host('alice');
      // every teammate's database is up, as alice sees them
      await alice.waitPeers(
        (peers) =>
          ['bob', 'carol'].every((n) =>
            peerNamed(peers, n)?.services.some((s) => s.name === 'db' && s.state === 'healthy'),
          ),
        { timeoutMs: scaled(150_000), what: "bob's and carol's databases healthy" },
      );
      await waitUntil(async () => (await alice.status()).find((s) => s.name === 'db')?.state === 'healthy', {
        timeoutMs: scaled(150_000),
        what: "alice's database healthy",
      });
      const route = (await alice.api<TcpRoute[]>('proxy.tcp', { project: 'shop' })).find((r) => r.service === 'db');
      expect(route?.address).toMatch(/^127\.0\.0\.1:\d+$/);
      const address = route!.address!;
      expect(await who(lab, alice, address)).toBe('alice');

      // alice's own instance stopped: the same address reaches a teammate's, through their ingress
      await alice.stopService('db');
      const first = await who(lab, alice, address);
      expect(['bob', 'carol']).toContain(first);
      const other = first === 'bob' ? 'carol' : 'bob';

      // that teammate's machine loses power: the very next connection fails over to the other one
      await lab.host(first).kill9();
      expect(await who(lab, alice, address)).toBe(other);
      const counted = (await alice.api<TcpRoute[]>('proxy.tcp', { project: 'shop' })).find((r) => r.service === 'db')!;
      // the two forwarded to teammates (alice's own, straight to her engine, is sampled, and may be too short)
      expect(counted.totalConnections).toBeGreaterThanOrEqual(2);

      // the survivor publishes a snapshot; alice pulls it over the link, and her own database holds its rows
      const survivor = lab.host(other);
      await survivor.cli(['db', 'snapshot', 'db', '--name', `from-${other}`]);
      await survivor.cli(['db', 'publish', 'db', `from-${other}`]);
      await alice.startService('db');
      const pulled = await alice.cli(['db', 'pull', `${other}/db`, '--yes'], { timeoutMs: scaled(120_000) });
      expect(pulled.code).toBe(0);
      const mine = await alice.json<SnapshotInfo[]>(['db', 'ls', 'db']);
      expect(mine.find((s) => s.name === `from-${other}`)).toMatchObject({ source: other });
      expect(await who(lab, alice, address)).toBe(other);
    },
    scaled(420_000),
  );
});
