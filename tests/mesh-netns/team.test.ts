// The team across the mesh (issue 15) on three real machines (network namespaces, real `devmesh up` daemons,
// mDNS off, everyone linked by the invite's seed): each host's project `shop` is a git clone of one
// repository, so the project has one identity key everywhere. Presence: an agent started on alice is listed on
// bob and carol with its machine and human; alice's pulled cable marks her unreachable, plugging it back
// restores her; a message to an agent there while the cable is out is delivered exactly once when it is back.
// Locks: a 1,000-round race of conflicting WRITE requests on alice and bob never grants both. One lab per describe block (its tests run in order and leave it as they found it).
// See tests/helpers/mesh-lab.ts.
import { describe, expect, it } from 'vitest';
import type { TeamAgent, TeamMachine } from '../../shared/team.js';
import type { Message } from '../../shared/message.js';
import type { ProjectInfo } from '../../shared/service.js';
import { scaled } from '../helpers/load-scale.js';
import { MeshLab, waitUntil, type DriverAnswer, type MeshHost } from '../helpers/mesh-lab.js';
import { mulberry32 } from '../helpers/mulberry32.js';
import { TEST_TIMEOUT_MS, useSharedMeshLab } from '../helpers/mesh-lab-suite.js';

const LAB_OPTIONS = { hosts: 3, multicast: false } as const;

/** the link's own rule (3 silent beats + min(beat/2, 1 s)), plus the machine's noise, scaled by its load */
function detectionBoundMs(lab: MeshLab): number {
  return 3 * lab.heartbeatMs + Math.min(lab.heartbeatMs / 2, 1_000) + scaled(2_000);
}

interface StatusJson {
  projects: Array<Pick<ProjectInfo, 'id' | 'root' | 'identity'>>;
}

/** `devmesh status --json` on `host`, once git has identified its project (absent for a few ms after open). */
async function identityKey(host: MeshHost): Promise<string> {
  const status = await waitUntil(
    async () => {
      const s = await host.json<StatusJson>(['status']);
      return s.projects[0]?.identity ? s : null;
    },
    { timeoutMs: scaled(15_000), intervalMs: 250, what: `${host.name}'s project to be identified` },
  );
  const identity = status.projects[0]!.identity!;
  expect(identity.localOnly, `${host.name}: ${identity.reason ?? ''}`).toBe(false);
  return identity.key;
}

function agentsOn(host: MeshHost): Promise<TeamAgent[]> {
  return host.json<TeamAgent[]>(['agent', 'ls', '--all']);
}

/** a plain command agent on `host` (a shell that sleeps), in its project folder; its id */
async function startSleeper(host: MeshHost, name: string): Promise<string> {
  // --json before `--`: every word after it is the command's
  const out = await host.cli([
    'agent',
    'start',
    '--json',
    '--command',
    '/bin/sh',
    '--name',
    name,
    '--',
    '-c',
    'sleep 600',
  ]);
  const started = JSON.parse(out.stdout) as { id: string; name: string };
  expect(started.name).toBe(name);
  return started.id;
}

describe.skipIf(!MeshLab.available())(
  `the team across three machines${MeshLab.available() ? '' : ` (skipped: ${MeshLab.unavailableReason()})`}`,
  () => {
    const lab = useSharedMeshLab(LAB_OPTIONS);

    it(
      'gives the project one identity key on every clone',
      async () => {
        const keys = await Promise.all(lab().hosts.map((h) => identityKey(h)));
        expect(new Set(keys).size).toBe(1);
        expect(keys[0]).toMatch(/^[0-9a-f]{16}$/);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      "lists alice's agent on bob and carol, marks it unreachable while her cable is out",
      async () => {
        const l = lab();
        const [alice, bob, carol] = [l.host('alice'), l.host('bob'), l.host('carol')];
        const key = await identityKey(alice);
        const id = await startSleeper(alice, 'scout');
        try {
          for (const host of [bob, carol]) {
            const seen = await waitUntil(async () => (await agentsOn(host)).find((a) => a.id === id), {
              timeoutMs: scaled(15_000),
              intervalMs: 250,
              what: `alice's agent in ${host.name}'s agent ls --all`,
            });
            expect(seen).toMatchObject({
              name: 'scout',
              machine: 'alice',
              human: 'Alice',
              local: false,
              reachable: true,
              projectKey: key,
            });
          }

          await alice.setLinkUp(false);
          try {
            const gone = await waitUntil(async () => (await agentsOn(bob)).find((a) => a.id === id && !a.reachable), {
              timeoutMs: detectionBoundMs(l),
              intervalMs: 250,
              what: "bob to mark alice's agent unreachable",
            });
            expect(gone).toMatchObject({ machine: 'alice', human: 'Alice' });
            const machines = await bob.json<TeamMachine[]>(['team']);
            const aliceSeen = machines.find((m) => m.name === 'alice');
            expect(aliceSeen).toMatchObject({ reachable: false, human: 'Alice' });
            expect(aliceSeen!.lastSeen).toEqual(expect.any(Number));
          } finally {
            await alice.setLinkUp(true);
          }
          const back = await waitUntil(async () => (await agentsOn(bob)).find((a) => a.id === id && a.reachable), {
            timeoutMs: scaled(30_000),
            intervalMs: 250,
            what: "bob to see alice's agent reachable again",
          });
          expect(back).toMatchObject({ machine: 'alice', human: 'Alice', name: 'scout' });
          expect((await bob.json<TeamMachine[]>(['team'])).find((m) => m.name === 'alice')).toMatchObject({
            reachable: true,
            lastSeen: null,
          });
        } finally {
          await alice.cli(['agent', 'stop', id], { allowFail: true });
          await l.waitFullMesh();
        }
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'delivers a message to an agent on an unreachable machine exactly once when its cable is back',
      async () => {
        const l = lab();
        const [alice, bob] = [l.host('alice'), l.host('bob')];
        const id = await startSleeper(alice, 'inbox');
        const body = `the orders API changed ${Date.now()}`;
        const copiesOnAlice = async () =>
          (await alice.json<Message[]>(['msg', 'ls', '--with', id, '--limit', '500'])).filter((m) => m.body === body);
        const aliceDownOnBob = (what: string) =>
          bob.waitPeers((peers) => peers.some((p) => p.name === 'alice' && p.state !== 'connected'), {
            timeoutMs: detectionBoundMs(l),
            what,
          });
        try {
          await waitUntil(async () => (await agentsOn(bob)).some((a) => a.id === id), {
            timeoutMs: scaled(15_000),
            intervalMs: 250,
            what: "alice's agent on bob",
          });
          await alice.setLinkUp(false);
          try {
            await aliceDownOnBob('alice unreachable on bob');
            const sent = await bob.json<Message>(['msg', 'send', 'inbox@alice', body]);
            expect(sent.queued).toBe(1);
            expect(await copiesOnAlice()).toEqual([]);
          } finally {
            await alice.setLinkUp(true);
          }
          const delivered = await waitUntil(async () => ((await copiesOnAlice()).length > 0 ? copiesOnAlice() : null), {
            timeoutMs: scaled(30_000),
            intervalMs: 250,
            what: 'the queued message on alice',
          });
          expect(delivered).toHaveLength(1);
          expect(delivered[0]).toMatchObject({ to: id, fromMachine: 'bob' });
          await waitUntil(
            async () =>
              (await bob.json<Message[]>(['msg', 'ls', '--limit', '500'])).find(
                (m) => m.body === body && m.queued === 0,
              ),
            { timeoutMs: scaled(15_000), intervalMs: 250, what: "bob's copy to count the message delivered" },
          );
          // a second outage and reconnect sends nothing again: still one copy
          await alice.setLinkUp(false);
          await aliceDownOnBob('alice unreachable on bob again');
          await alice.setLinkUp(true);
          await l.waitFullMesh();
          expect(await copiesOnAlice()).toHaveLength(1);
        } finally {
          await alice.setLinkUp(true);
          await alice.cli(['agent', 'stop', id], { allowFail: true });
          await l.waitFullMesh();
        }
      },
      TEST_TIMEOUT_MS,
    );
  },
);

/** rounds of the lock race (the issue asks for at least 1,000); TEAM_RACE_ROUNDS raises it for a long run */
const RACE_ROUNDS = Math.max(1_000, Number(process.env.TEAM_RACE_ROUNDS ?? 0) || 0);
const RACE_SEED = Number(process.env.TEAM_RACE_SEED ?? 0) || 0x15_15;

describe.skipIf(!MeshLab.available())(
  `locks across three machines${MeshLab.available() ? '' : ` (skipped: ${MeshLab.unavailableReason()})`}`,
  () => {
    const lab = useSharedMeshLab(LAB_OPTIONS);

    it(
      `never grants two conflicting WRITE locks at once on alice and bob (${RACE_ROUNDS} races)`,
      async () => {
        const l = lab();
        await Promise.all(l.hosts.map((h) => identityKey(h)));
        const [a, b] = await Promise.all([l.host('alice').lockDriver(), l.host('bob').lockDriver()]);
        const random = mulberry32(RACE_SEED);
        const delay = () => Math.floor(random() * 6); // 0–5 ms, in each namespace
        const both: number[] = [];
        const odd: string[] = [];
        const wins = { alice: 0, bob: 0, none: 0 };
        const started = Date.now();
        const deadline = started + scaled(600_000);
        try {
          for (let round = 0; round < RACE_ROUNDS && Date.now() < deadline; round++) {
            const path = 'src/orders.ts';
            const [ra, rb] = await Promise.all([
              a.acquire('r', { delayMs: delay(), holder: 'racer-alice', mode: 'WRITE', path, waitMs: 0 }),
              b.acquire('r', { delayMs: delay(), holder: 'racer-bob', mode: 'WRITE', path, waitMs: 0 }),
            ]);
            if (ra.ok && rb.ok) both.push(round);
            else if (ra.ok) wins.alice++;
            else if (rb.ok) wins.bob++;
            else wins.none++;
            for (const r of [ra, rb] as DriverAnswer[])
              if (!r.ok && r.error?.code !== 'CONFLICT' && odd.length < 10)
                odd.push(`round ${round}: ${JSON.stringify(r.error)}`);
            const released = await Promise.all([ra.ok ? a.release('r') : null, rb.ok ? b.release('r') : null]);
            for (const r of released)
              if (r && !r.ok) throw new Error(`round ${round}: release failed: ${JSON.stringify(r.error)}`);
            if (both.length >= 20) break; // the point is made: stop early
          }
        } finally {
          a.stop();
          b.stop();
        }
        const rounds = wins.alice + wins.bob + wins.none + both.length;
        console.log(
          `lock race (seed ${RACE_SEED}): ${rounds} rounds in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
            `alice won ${wins.alice}, bob won ${wins.bob}, no winner ${wins.none}, both granted ${both.length}`,
        );
        expect(both, `rounds where both were granted (seed ${RACE_SEED})`).toEqual([]);
        expect(odd, 'refusals other than CONFLICT').toEqual([]);
        expect(rounds).toBe(RACE_ROUNDS);
      },
      scaled(900_000),
    );
  },
);
