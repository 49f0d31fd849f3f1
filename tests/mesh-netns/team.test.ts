// The team across the mesh (issue 15) on three real machines (network namespaces, real `devmesh up` daemons,
// mDNS off, everyone linked by the invite's seed): each host's project `shop` is a git clone of one
// repository, so the project has one identity key everywhere. Presence: an agent started on alice is listed on
// bob and carol with its machine and human; alice's pulled cable marks her unreachable, plugging it back
// restores her. Messages: one to an agent on alice while her cable is out is delivered exactly once when it is
// back. Tasks: one posted on alice is offered on bob, won by bob's agent, and its INTENT lock refuses carol's
// WRITE. One lab for the file (its tests run in order and leave it as they found it). Locks across the mesh:
// team-locks.test.ts. See tests/helpers/mesh-lab.ts and team-lab.ts.
import { describe, expect, it } from 'vitest';
import type { LockSpaceSnapshot } from '../../shared/lock.js';
import type { Message } from '../../shared/message.js';
import type { TaskDetail, TaskInfo } from '../../shared/task.js';
import type { TeamMachine } from '../../shared/team.js';
import { scaled } from '../helpers/load-scale.js';
import { MeshLab, waitUntil } from '../helpers/mesh-lab.js';
import { TEST_TIMEOUT_MS, useSharedMeshLab } from '../helpers/mesh-lab-suite.js';
import {
  agentsOn,
  detectionBoundMs,
  identityKey,
  releaseLock,
  startSleeper,
  takeLock,
  TEAM_LAB,
} from '../helpers/team-lab.js';

describe.skipIf(!MeshLab.available())(
  `the team across three machines${MeshLab.available() ? '' : ` (skipped: ${MeshLab.unavailableReason()})`}`,
  () => {
    const lab = useSharedMeshLab(TEAM_LAB);

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
    /** a task posted on alice, offered on bob and bid there for bob's agent `agent` (new), awarded by alice */
    async function taskWonByBob(l: MeshLab, agent: string) {
      const [alice, bob] = [l.host('alice'), l.host('bob')];
      const builderId = await startSleeper(bob, agent);
      let taskId: string | null = null;
      const cleanup = async () => {
        if (taskId) await alice.cli(['task', 'cancel', taskId, '--reason', 'lab test done'], { allowFail: true });
        await bob.cli(['agent', 'stop', builderId], { allowFail: true });
      };
      try {
        await waitUntil(async () => (await agentsOn(alice)).some((a) => a.id === builderId && a.reachable), {
          timeoutMs: scaled(15_000),
          intervalMs: 250,
          what: "bob's agent on alice",
        });
        const title = 'Fix the orders total';
        const posted = await alice.json<TaskInfo>([
          'task',
          'add',
          title,
          '--prompt',
          'mind the discount',
          '--file',
          'src/orders.ts',
        ]);
        const id = (taskId = posted.id);
        const offered = await waitUntil(
          async () => (await bob.json<TaskInfo[]>(['task', 'ls', '--all'])).find((t) => t.id === id),
          { timeoutMs: scaled(15_000), intervalMs: 250, what: "alice's task on bob's board" },
        );
        expect(offered.home).toMatchObject({ name: 'alice', reachable: true });
        await bob.cli(['task', 'bid', id, '--as', agent, '--estimate', '10m']);
        // the home decides once: bob's agent, with the INTENT lock on the task's file
        const awarded = await waitUntil(
          async () => {
            const t = await alice.json<TaskDetail>(['task', 'show', id]);
            return t.assigneeId === builderId ? t : null;
          },
          { timeoutMs: scaled(30_000), intervalMs: 250, what: `the award of ${id} to bob's agent on alice` },
        );
        return { awarded, builderId, cleanup };
      } catch (err) {
        await cleanup();
        throw err;
      }
    }

    it(
      "awards a task posted on alice to bob's agent, its INTENT lock held on alice in that agent's name",
      async () => {
        const l = lab();
        const { awarded, builderId, cleanup } = await taskWonByBob(l, 'builder');
        try {
          expect(['CLAIMED', 'WORKING']).toContain(awarded.state);
          expect(awarded.assigneeName).toBe('builder@bob');
          expect(awarded.lockIds).toHaveLength(1);
          const spaces = await l.host('alice').json<LockSpaceSnapshot[]>(['locks']);
          const locks = spaces.flatMap((sp) => sp.locks);
          expect(locks.find((k) => k.id === awarded.lockIds[0])).toMatchObject({
            holder: builderId,
            mode: 'INTENT',
            target: { kind: 'file', path: 'src/orders.ts' },
          });
        } finally {
          await cleanup();
        }
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'honours the INTENT lock of a task awarded on alice on carol, naming it and alice',
      async () => {
        const l = lab();
        const carol = l.host('carol');
        const { cleanup } = await taskWonByBob(l, 'fixer');
        try {
          // The award takes its INTENT in one step on alice and asks the mesh right after: carol is refused from
          // then on (a WRITE granted before the answer reached her would be released and asked again).
          const refusal = await waitUntil(
            async () => {
              const write = await takeLock(carol, 'src/orders.ts', 'coder-3');
              if (!write.ok) return write;
              await releaseLock(carol, write.lock, 'coder-3');
              return null;
            },
            { timeoutMs: scaled(10_000), intervalMs: 250, what: "carol to be refused a WRITE on the task's file" },
          );
          expect(refusal.stderr).toMatch(/INTENT on src\/orders\.ts/);
          expect(refusal.stderr).toMatch(/\balice\b/);
        } finally {
          await cleanup();
        }
      },
      TEST_TIMEOUT_MS,
    );
  },
);
