// Teammates' locks through real daemons in one process (TeamCores: DevMeshCores on loopback, SQLite on disk,
// clones of one git repository): a lock held on alice is in bob's presence replica (machine, holder, mode,
// target) and bob's edit check (the PreToolUse hook's `locks.check`) refuses that file, naming the holder and
// its machine, until alice lets it go; an unreachable machine's locks stay as "last seen" and stop blocking.
import { afterEach, describe, expect, it } from 'vitest';
import { TeamCores } from '../../helpers/team-cores.js';
import { until } from '../../helpers/until.js';

let team: TeamCores | null = null;
afterEach(async () => {
  await team?.dispose();
  team = null;
});

const write = (holder: string, path = 'src/orders.ts') => ({
  holder,
  mode: 'WRITE' as const,
  target: { kind: 'file' as const, path },
  waitMs: 0,
});

describe("teammates' locks", () => {
  it("shows alice's lock on bob and refuses bob's edit of that file until it is released", async () => {
    team = await TeamCores.open(['alice', 'bob']);
    const alice = team.get('alice').core;
    const bob = team.get('bob');
    expect(bob.core.coordination.locks.check('shop', 'ben', ['src/orders.ts']).allowed).toBe(true);

    const held = await alice.coordination.acquireLock('shop', write('ana'));
    const seen = await until('alice’s lock on bob', () =>
      bob.core.team.presence.locks().locks.find((l) => l.machine === 'alice'),
    );
    expect(seen).toMatchObject({
      id: held.id,
      holder: 'ana',
      holderName: 'ana',
      mode: 'WRITE',
      target: { kind: 'file', path: 'src/orders.ts' },
      projectKey: alice.projects.list()[0]!.identity!.key,
      local: false,
      reachable: true,
      partitioned: [],
    });
    expect(bob.events.some((e) => e.type === 'team.locks' && e.machine === 'alice')).toBe(true);

    const refused = bob.core.coordination.locks.check('shop', 'ben', [`${bob.root}/src/orders.ts`, 'src/other.ts']);
    expect(refused.allowed).toBe(false);
    expect(refused.paths.map((p) => p.allowed)).toEqual([false, true]);
    expect(refused.message).toMatch(/src\/orders\.ts is locked: ana on alice holds WRITE on src\/orders\.ts/);
    // a lock on the folder above covers it too
    const dir = await alice.coordination.acquireLock('shop', {
      ...write('ana', 'src'),
      target: { kind: 'dir', path: 'src' },
    });
    await until('the folder lock on bob', () => bob.core.team.presence.locks().locks.some((l) => l.id === dir.id));
    expect(bob.core.coordination.locks.check('shop', 'ben', ['src/other.ts']).allowed).toBe(false);

    await alice.coordination.releaseLock('shop', 'ana', held.id);
    await alice.coordination.releaseLock('shop', 'ana', dir.id);
    await until('the release on bob', () => bob.core.team.presence.locks().locks.every((l) => l.machine !== 'alice'));
    expect(bob.core.coordination.locks.check('shop', 'ben', ['src/orders.ts']).allowed).toBe(true);
  });

  it('keeps an unreachable machine’s locks as last seen, and they no longer block', async () => {
    team = await TeamCores.open(['alice', 'bob']);
    const alice = team.get('alice').core;
    const bob = team.get('bob').core;
    await alice.coordination.acquireLock('shop', write('ana'));
    await until('alice’s lock on bob', () => bob.team.presence.locks().locks.some((l) => l.machine === 'alice'));
    team.cut('alice');
    const lastSeen = await until('alice’s lock last seen on bob', () =>
      bob.team.presence.locks().locks.find((l) => l.machine === 'alice' && !l.reachable),
    );
    expect(lastSeen.holder).toBe('ana');
    expect(bob.coordination.locks.check('shop', 'ben', ['src/orders.ts']).allowed).toBe(true);
  });
});
