// Shared state across the mesh through real daemons in one process (TeamCores): two machines setting one key
// from one version at once, exactly one wins, every time, and both end with the winner's value; a set is
// told to teammates; sets made across a partition reach the other side when the link comes back.
import { afterEach, describe, expect, it } from 'vitest';
import { TeamCores } from '../../helpers/team-cores.js';
import { until } from '../../helpers/until.js';

let team: TeamCores | null = null;
afterEach(async () => {
  await team?.dispose();
  team = null;
});

describe('shared state across the mesh', () => {
  it('lets exactly one of two machines set a key from the same version, every round', async () => {
    team = await TeamCores.open(['alice', 'bob']);
    const alice = team.get('alice').core.coordination;
    const bob = team.get('bob').core.coordination;
    await alice.setState({ key: 'plan', value: { step: 0 }, by: 'user' });
    await until('bob has the plan', () => bob.state.get('plan')?.version === 1);
    for (let round = 1; round <= 25; round++) {
      const from = alice.state.get('plan')!.version;
      expect(bob.state.get('plan')!.version, `round ${round}: both at one version`).toBe(from);
      const results = await Promise.allSettled([
        alice.setState({ key: 'plan', value: { step: round, by: 'alice' }, by: 'user', expectedVersion: from }),
        bob.setState({ key: 'plan', value: { step: round, by: 'bob' }, by: 'user', expectedVersion: from }),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won.length, `round ${round}`).toBe(1);
      const lost = results.find((r) => r.status === 'rejected');
      expect(String(lost?.reason)).toMatch(/version|waited/);
      await until(`round ${round}: both see the winner`, () => {
        const a = alice.state.get('plan');
        const b = bob.state.get('plan');
        return (
          a?.version === from + 1 && b?.version === from + 1 && JSON.stringify(a.value) === JSON.stringify(b.value)
        );
      });
    }
  });

  it('tells teammates a set, and brings sets made across a partition to the other side after the heal', async () => {
    team = await TeamCores.open(['alice', 'bob']);
    const a = team.get('alice');
    const b = team.get('bob');
    await a.core.coordination.setState({ key: 'build', value: 'green', by: 'user' });
    await until('bob told of the build', () =>
      b.events.find((e) => e.type === 'state.changed' && e.key === 'build' && e.machine === 'alice'),
    );
    expect(b.core.coordination.state.get('build')?.value).toBe('green');
    team.cut('alice');
    await until('bob sees alice unreachable', () =>
      b.core.team.presence.machines().some((m) => m.name === 'alice' && !m.reachable),
    );
    await b.core.coordination.setState({ key: 'review', value: 'ben reviews', by: 'user' });
    await team.waitLinked();
    await until('alice has the set made while apart', () => a.core.coordination.state.get('review')?.value);
    expect(a.core.coordination.state.get('review')).toMatchObject({ value: 'ben reviews', version: 1 });
  });
});
