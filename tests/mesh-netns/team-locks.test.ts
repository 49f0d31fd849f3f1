// Locks across the mesh (issue 15) on three real machines (network namespaces, real `devmesh up` daemons, mDNS
// off; each project a clone of one git repository, so one identity key): a lock on alice refuses a conflicting
// one on bob, naming the holder and alice; a race of simultaneous conflicting WRITE requests on alice and bob,
// repeated at least 1,000 times with random delays, never grants both while they are linked; an INTENT lock on
// alice is honoured on carol; of two machines setting one state key from one version (compare-and-set) exactly
// one wins, 200 times, and carol's copies converge; a partition with conflicting grants on both sides is raised
// on both after it heals. One lab for the file (its tests run in order and leave it as they found it). See
// tests/helpers/mesh-lab.ts, lock-driver.ts and team-lab.ts; the protocol: docs/mesh-locks.md.
import { describe, expect, it } from 'vitest';
import { scaled } from '../helpers/load-scale.js';
import { MeshLab, waitUntil, type DriverAnswer, type MeshHost } from '../helpers/mesh-lab.js';
import { mulberry32 } from '../helpers/mulberry32.js';
import type { AuditEntry } from '../../shared/audit.js';
import type { Message } from '../../shared/message.js';
import type { TeamLockConflictEvent } from '../../shared/team.js';
import { TEST_TIMEOUT_MS, useSharedMeshLab } from '../helpers/mesh-lab-suite.js';
import { detectionBoundMs, identityKey, releaseLock, startSleeper, takeLock, TEAM_LAB } from '../helpers/team-lab.js';

/** rounds of the lock race (the issue asks for at least 1,000); TEAM_RACE_ROUNDS raises it for a long run */
const RACE_ROUNDS = Math.max(1_000, Number(process.env.TEAM_RACE_ROUNDS ?? 0) || 0);
/** rounds of the compare-and-set race on a state key (a fresh key each) */
const CAS_ROUNDS = 200;
const RACE_SEED = Number(process.env.TEAM_RACE_SEED ?? 0) || 0x15_15;

describe.skipIf(!MeshLab.available())(
  `locks across three machines${MeshLab.available() ? '' : ` (skipped: ${MeshLab.unavailableReason()})`}`,
  () => {
    const lab = useSharedMeshLab(TEAM_LAB);

    it(
      'refuses a WRITE on bob while alice holds one, naming the holder and her machine',
      async () => {
        const l = lab();
        const [alice, bob] = [l.host('alice'), l.host('bob')];
        await Promise.all(l.hosts.map((h) => identityKey(h)));
        const held = await takeLock(alice, 'src/orders.ts', 'writer-1');
        if (!held.ok) throw new Error(`alice could not take the lock: ${held.stderr}`);
        try {
          const refused = await takeLock(bob, 'src/orders.ts', 'reviewer-2');
          expect(refused.ok, 'bob was granted a WRITE that alice holds').toBe(false);
          if (refused.ok) return;
          expect(refused.stderr).toMatch(/writer-1/);
          expect(refused.stderr).toMatch(/\balice\b/);
          // through the API: CONFLICT, with the holder and machine as data
          const driver = await bob.lockDriver();
          try {
            const r = await driver.acquire('x', { holder: 'reviewer-2', mode: 'WRITE', path: 'src/orders.ts' });
            expect(r.ok).toBe(false);
            expect(r.error).toMatchObject({ code: 'CONFLICT' });
            expect(JSON.stringify(r.error)).toMatch(/writer-1/);
          } finally {
            driver.stop();
          }
        } finally {
          await releaseLock(alice, held.lock, 'writer-1');
        }
        // released on alice: bob may take it now
        const after = await takeLock(bob, 'src/orders.ts', 'reviewer-2');
        if (!after.ok) throw new Error(`bob was refused after alice released: ${after.stderr}`);
        await releaseLock(bob, after.lock, 'reviewer-2');
      },
      TEST_TIMEOUT_MS,
    );

    it(
      "refuses bob's human a file alice's human holds (both are `user`)",
      async () => {
        const l = lab();
        const [alice, bob] = [l.host('alice'), l.host('bob')];
        const held = await takeLock(alice, 'src/cart.ts', 'user');
        if (!held.ok) throw new Error(`alice could not take the lock: ${held.stderr}`);
        try {
          const second = await takeLock(bob, 'src/cart.ts', 'user');
          if (second.ok) await releaseLock(bob, second.lock, 'user');
          expect(second.ok, "bob's human was granted a WRITE that alice's human holds").toBe(false);
          if (!second.ok) expect(second.stderr).toMatch(/\balice\b/);
        } finally {
          await releaseLock(alice, held.lock, 'user');
        }
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'honours an INTENT lock taken on alice on carol: her WRITE refused, her READ admitted',
      async () => {
        const l = lab();
        const [alice, carol] = [l.host('alice'), l.host('carol')];
        const intent = await takeLock(alice, 'src/cart.ts', 'planner-1', 'INTENT');
        if (!intent.ok) throw new Error(`alice could not take the INTENT lock: ${intent.stderr}`);
        try {
          const write = await takeLock(carol, 'src/cart.ts', 'coder-3');
          if (write.ok) await releaseLock(carol, write.lock, 'coder-3');
          expect(write.ok, "carol was granted a WRITE on alice's INTENT").toBe(false);
          if (!write.ok) {
            expect(write.stderr).toMatch(/planner-1/);
            expect(write.stderr).toMatch(/\balice\b/);
            expect(write.stderr).toMatch(/INTENT/);
          }
          const read = await takeLock(carol, 'src/cart.ts', 'reader-3', 'READ');
          if (!read.ok) throw new Error(`carol's READ beside an INTENT was refused: ${read.stderr}`);
          await releaseLock(carol, read.lock, 'reader-3');
        } finally {
          await releaseLock(alice, intent.lock, 'planner-1');
        }
      },
      TEST_TIMEOUT_MS,
    );

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
        // and it ran linked: no grant of it was made while the other machine was unreachable
        for (const host of [l.host('alice'), l.host('bob')]) {
          const partitioned = await host.json<AuditEntry[]>(['audit', 'ls', '--kind', 'lock.partitioned']);
          expect(partitioned.filter((e) => String(e.actor).startsWith('racer-'))).toEqual([]);
        }
      },
      scaled(900_000),
    );
    it(
      `lets exactly one of two machines set a key from one version (${CAS_ROUNDS} races), and carol converges`,
      async () => {
        const l = lab();
        const [a, b, c] = await Promise.all(['alice', 'bob', 'carol'].map((n) => l.host(n).lockDriver()));
        const random = mulberry32(RACE_SEED + 1);
        const delay = () => Math.floor(random() * 6);
        const prefix = `cas-${Date.now()}/`;
        const winners = new Map<string, string>();
        const wrong: string[] = [];
        try {
          for (let round = 0; round < CAS_ROUNDS; round++) {
            const key = `${prefix}${round}`;
            const [ra, rb] = await Promise.all([
              a.call('state.set', { key, value: 'alice', by: 'user', expectedVersion: 0 }, delay()),
              b.call('state.set', { key, value: 'bob', by: 'user', expectedVersion: 0 }, delay()),
            ]);
            if (ra.ok === rb.ok) wrong.push(`round ${round}: alice ${JSON.stringify(ra)}, bob ${JSON.stringify(rb)}`);
            else winners.set(key, ra.ok ? 'alice' : 'bob');
            const loser = ra.ok ? rb : ra;
            if (!loser.ok && loser.error?.code !== 'CONFLICT')
              wrong.push(`round ${round}: ${JSON.stringify(loser.error)}`);
            if (wrong.length >= 10) break;
          }
          expect(wrong, 'rounds without exactly one winner').toEqual([]);
          const byAlice = [...winners.values()].filter((w) => w === 'alice').length;
          console.log(`state CAS race: ${CAS_ROUNDS} rounds, alice won ${byAlice}, bob won ${winners.size - byAlice}`);
          // every machine ends with the winner's value at version 1
          await waitUntil(
            async () => {
              const r = await c.call<Array<{ key: string; value: unknown; version: number }>>('state.list', { prefix });
              const seen = new Map((r.value ?? []).map((e) => [e.key, `${String(e.value)}@${e.version}`]));
              return [...winners].every(([k, w]) => seen.get(k) === `${w}@1`);
            },
            { timeoutMs: scaled(20_000), intervalMs: 250, what: "carol's copies of every key to show its winner" },
          );
        } finally {
          for (const d of [a, b, c]) d.stop();
        }
      },
      scaled(300_000),
    );

    it(
      'grants conflicting locks on both sides of a partition, and raises them on both when it heals',
      async () => {
        const l = lab();
        const [alice, bob] = [l.host('alice'), l.host('bob')];
        const [keeperId, rivalId] = await Promise.all([startSleeper(alice, 'keeper'), startSleeper(bob, 'rival')]);
        const [onAlice, onBob] = await Promise.all([alice.followEvents(), bob.followEvents()]);
        const taken: Array<() => Promise<void>> = [];
        try {
          await alice.setLinkUp(false);
          try {
            await Promise.all([
              alice.waitPeers((ps) => ps.every((p) => p.state !== 'connected'), {
                timeoutMs: detectionBoundMs(l),
                what: 'alice to lose every link',
              }),
              bob.waitPeers((ps) => ps.some((p) => p.name === 'alice' && p.state !== 'connected'), {
                timeoutMs: detectionBoundMs(l),
                what: 'bob to lose alice',
              }),
            ]);
            const mine = await takeLock(alice, 'src/orders.ts', 'keeper');
            if (!mine.ok) throw new Error(`alice was refused while alone: ${mine.stderr}`);
            taken.push(() => releaseLock(alice, mine.lock, 'keeper'));
            const theirs = await takeLock(bob, 'src/orders.ts', 'rival');
            if (!theirs.ok) throw new Error(`bob was refused while alice was away: ${theirs.stderr}`);
            taken.push(() => releaseLock(bob, theirs.lock, 'rival'));
            // each grant is marked partitioned, naming who could not be asked
            const unreachable = async (host: MeshHost) => {
              const [entry] = await host.json<AuditEntry[]>(['audit', 'ls', '--kind', 'lock.partitioned']);
              return [...((entry?.data as { unreachable?: string[] } | undefined)?.unreachable ?? [])].sort();
            };
            expect(await unreachable(alice)).toEqual(['bob', 'carol']);
            expect(await unreachable(bob)).toEqual(['alice']);
          } finally {
            await alice.setLinkUp(true);
          }
          // healed: both sides raise it (event, audit entry, a message to the local holder)
          const conflict = (e: Record<string, unknown>) => e.type === 'team.lock-conflict';
          const [a, b] = (await Promise.all([
            onAlice.waitFor(conflict, { timeoutMs: scaled(30_000), what: 'the conflict raised on alice' }),
            onBob.waitFor(conflict, { timeoutMs: scaled(30_000), what: 'the conflict raised on bob' }),
          ])) as unknown as TeamLockConflictEvent[];
          expect(a.mine).toMatchObject({ holder: keeperId, machine: 'alice', what: 'WRITE on src/orders.ts' });
          expect(a.theirs).toMatchObject({ holderName: 'rival', machine: 'bob', what: 'WRITE on src/orders.ts' });
          expect(b.mine).toMatchObject({ holder: rivalId, machine: 'bob' });
          expect(b.theirs).toMatchObject({ holderName: 'keeper', machine: 'alice' });
          for (const [host, holder] of [
            [alice, keeperId],
            [bob, rivalId],
          ] as const) {
            const audit = await host.json<AuditEntry[]>(['audit', 'ls', '--kind', 'lock.mesh-conflict']);
            expect(audit, `${host.name}'s audit chain`).toHaveLength(1);
            const told = await host.json<Message[]>(['msg', 'ls', '--with', holder]);
            expect(
              told.filter((m) => m.from === 'devmesh' && /Lock conflict across the mesh/.test(m.body)),
            ).toHaveLength(1);
          }
          // raised once: not again while both locks stay held
          await l.waitFullMesh();
          expect(onAlice.events.filter(conflict)).toHaveLength(1);
          expect(onBob.events.filter(conflict)).toHaveLength(1);
        } finally {
          onAlice.stop();
          onBob.stop();
          await alice.setLinkUp(true);
          for (const release of taken) await release().catch(() => undefined);
          await alice.cli(['agent', 'stop', keeperId], { allowFail: true });
          await bob.cli(['agent', 'stop', rivalId], { allowFail: true });
          await l.waitFullMesh();
        }
      },
      TEST_TIMEOUT_MS,
    );
  },
);
