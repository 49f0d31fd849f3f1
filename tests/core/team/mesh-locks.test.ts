// Locks across the mesh through real daemons in one process (TeamCores: DevMeshCores on loopback, SQLite on
// disk, clones of one git repository): a lock on alice refuses a conflicting one on bob, naming the holder and
// its machine; a waiting request is granted when the lock is let go; simultaneous conflicting requests never
// both win; a partition grants locally, marked, and the heal raises the conflict on both machines.
import { afterEach, describe, expect, it } from 'vitest';
import type { LockInfo } from '../../../shared/lock.js';
import { TeamCores } from '../../helpers/team-cores.js';
import { scaled } from '../../helpers/load-scale.js';
import { until } from '../../helpers/until.js';

let team: TeamCores | null = null;
afterEach(async () => {
  await team?.dispose();
  team = null;
});

const write = (holder: string, path = 'src/orders.ts', waitMs = 0) => ({
  holder,
  mode: 'WRITE' as const,
  target: { kind: 'file' as const, path },
  waitMs,
});

describe('locks across the mesh', () => {
  it('refuses a conflicting lock on another machine, naming holder and machine; queues and grants a waiter', async () => {
    team = await TeamCores.open(['alice', 'bob']);
    const alice = team.get('alice').core.coordination;
    const bob = team.get('bob').core.coordination;
    const held = await alice.acquireLock('shop', write('ana'));
    await expect(bob.acquireLock('shop', write('ben'))).rejects.toThrow(
      /ben cannot take WRITE on src\/orders\.ts: it is locked across the mesh \(ana on alice holds WRITE on src\/orders\.ts\)/,
    );
    // a READ elsewhere and a lock on another file are not in the way
    await expect(bob.acquireLock('shop', write('ben', 'src/other.ts'))).resolves.toMatchObject({ mode: 'WRITE' });
    const waiting = bob.acquireLock('shop', write('ben', 'src/orders.ts', scaled(20_000)));
    let granted: LockInfo | null = null;
    void waiting.then((l) => (granted = l));
    await new Promise((r) => setTimeout(r, 200));
    expect(granted).toBeNull();
    await alice.releaseLock('shop', 'ana', held.id);
    await expect(waiting).resolves.toMatchObject({ holder: 'ben', mode: 'WRITE' });
    // and now alice is refused by bob's lock
    await expect(alice.acquireLock('shop', write('ana'))).rejects.toThrow(/ben on bob holds WRITE/);
    // the humans at two machines are two people, though both are `user` to their own DevMesh
    await alice.acquireLock('shop', write('user', 'README.md'));
    await expect(bob.acquireLock('shop', write('user', 'README.md'))).rejects.toThrow(/user on alice holds WRITE/);
  });

  it('never grants both of two simultaneous conflicting requests on two machines', async () => {
    team = await TeamCores.open(['alice', 'bob']);
    const alice = team.get('alice').core.coordination;
    const bob = team.get('bob').core.coordination;
    let winners = 0;
    for (let round = 0; round < 40; round++) {
      const results = await Promise.allSettled([
        alice.acquireLock('shop', write('ana')),
        bob.acquireLock('shop', write('ben')),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won.length, `round ${round}`).toBeLessThanOrEqual(1);
      winners += won.length;
      if (results[0].status === 'fulfilled') await alice.releaseLock('shop', 'ana', results[0].value.id);
      if (results[1].status === 'fulfilled') await bob.releaseLock('shop', 'ben', results[1].value.id);
    }
    expect(winners).toBeGreaterThan(0);
  });

  it('grants locally while a teammate is unreachable, marked, and raises the conflict on both after the heal', async () => {
    team = await TeamCores.open(['alice', 'bob']);
    const a = team.get('alice');
    const b = team.get('bob');
    team.cut('alice');
    await until('alice sees bob unreachable', () =>
      a.core.team.presence.machines().some((m) => m.name === 'bob' && !m.reachable),
    );
    await until('bob sees alice unreachable', () =>
      b.core.team.presence.machines().some((m) => m.name === 'alice' && !m.reachable),
    );
    await a.core.coordination.acquireLock('shop', write('ana'));
    await b.core.coordination.acquireLock('shop', write('ben'));
    const marked = a.core.team.locks.snapshot().held;
    expect(marked[0]?.partitioned.length).toBe(1);
    await team.waitLinked();
    for (const [side, other] of [
      [a, 'ben'],
      [b, 'ana'],
    ] as const) {
      const raised = await until(`${side.name} raises the conflict`, () =>
        side.events.find((e) => e.type === 'team.lock-conflict'),
      );
      expect(raised).toMatchObject({ theirs: { holderName: other } });
      await side.core.coordination.trail.settled();
      const audit = side.core.coordination.audit.list({ kind: 'lock.mesh-conflict', limit: 10 });
      expect(audit.entries.length).toBe(1);
    }
  });

  it('asks the teammates for a lock taken in one step without the gate (a task award), and says when one refuses', async () => {
    team = await TeamCores.open(['alice', 'bob']);
    const a = team.get('alice');
    const b = team.get('bob');
    const manager = a.core.coordination.locks.at(a.core.projects.list()[0]!.root).manager;
    const intent = { holder: 'ana', mode: 'INTENT' as const, target: { kind: 'file' as const, path: 'src/orders.ts' } };
    expect(manager.tryAcquire(intent).ok).toBe(true);
    // once alice's round is answered, bob's WRITE is refused naming ana on alice
    await until('the teammates permitted the INTENT lock', () =>
      a.core.team.locks.snapshot().held.some((h) => h.holder.startsWith('ana@')),
    );
    await expect(b.core.coordination.acquireLock('shop', write('ben'))).rejects.toThrow(
      /ana on alice holds INTENT on src\/orders\.ts/,
    );
    // bob holds WRITE on another file; alice's one-step INTENT there is granted here, refused by bob: raised
    await b.core.coordination.acquireLock('shop', write('ben', 'src/cart.ts'));
    // (the human holds it this time: messages reach agents of this machine and its human)
    expect(manager.tryAcquire({ ...intent, holder: 'user', target: { kind: 'file', path: 'src/cart.ts' } }).ok).toBe(
      true,
    );
    await until('alice audits the refusal', async () => {
      await a.core.coordination.trail.settled();
      const entries = a.core.coordination.audit.list({ kind: 'lock.mesh-refused', limit: 5 }).entries;
      return entries.length === 1 && entries[0]!.subject === 'INTENT on src/cart.ts';
    });
    const told = a.core.coordination.messages.list({ limit: 10, party: 'user' });
    expect(told.some((m) => m.from === 'devmesh' && /ben on bob holds WRITE on src\/cart\.ts/.test(m.body))).toBe(true);
  });

  it('leaves two holders of one machine to its own fair queue while teammates are linked', async () => {
    team = await TeamCores.open(['alice', 'bob']);
    const alice = team.get('alice').core.coordination;
    const held = await alice.acquireLock('shop', write('ana'));
    const waiting = alice.acquireLock('shop', write('ava', 'src/orders.ts', scaled(20_000)));
    // ava waits in alice's own queue, where the Locks view and the deadlock detection see her
    await until('ava queued on alice', () => alice.locks.list('shop')[0]?.waiters.some((w) => w.holder === 'ava'));
    await alice.releaseLock('shop', 'ana', held.id);
    await expect(waiting).resolves.toMatchObject({ holder: 'ava' });
    // and bob is still refused while ava holds it
    await expect(team.get('bob').core.coordination.acquireLock('shop', write('ben'))).rejects.toThrow(/ava on alice/);
  });

  it('refuses a wait that runs out naming the holder, and a wait cut short by a shutdown as such', async () => {
    team = await TeamCores.open(['alice', 'bob']);
    const alice = team.get('alice').core.coordination;
    const bob = team.get('bob').core;
    await alice.acquireLock('shop', write('ana'));
    await expect(bob.coordination.acquireLock('shop', write('ben', 'src/orders.ts', 300))).rejects.toThrow(
      /ben waited 300 ms for WRITE on src\/orders\.ts across the mesh: ana on alice holds WRITE/,
    );
    const waiting = bob.coordination.acquireLock('shop', write('ben', 'src/orders.ts', scaled(20_000)));
    await until('ben asking', () => bob.team.locks.snapshot().pending.length === 1);
    bob.team.locks.dispose();
    await expect(waiting).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
  });
});
