// The message directory from presence, through real daemons (TeamCores): `ben` reaches the agent named ben on
// a teammate's machine without `@machine`, and `@frontend` goes only to the machines that have an agent with
// that role (carol, without one, never stores it).
import { afterEach, describe, expect, it } from 'vitest';
import { TeamCores } from '../../helpers/team-cores.js';
import { until } from '../../helpers/until.js';

let team: TeamCores | null = null;
afterEach(async () => {
  await team?.dispose();
  team = null;
});

const bodies = (core: TeamCores['members'][number]['core']): string[] =>
  core.coordination.messages
    .list({ limit: 100 })
    .map((m) => m.body)
    .reverse();

describe('the message directory from presence', () => {
  it("routes a teammate's agent by name and a role only to the machines that have it", async () => {
    team = await TeamCores.open(['alice', 'bob', 'carol']);
    const alice = team.get('alice').core;
    const bob = team.get('bob').core;
    const carol = team.get('carol').core;
    const ben = await bob.agents.manager.start({
      command: process.execPath,
      args: ['-e', 'setInterval(() => {}, 1000)'],
      name: 'ben',
      role: 'frontend',
      project: 'shop',
    });
    await until('ben in alice’s presence', () =>
      alice.team.presence.agents().some((a) => a.name === 'ben' && a.machine === 'bob'),
    );

    const direct = await alice.team.messages.send({ from: 'user', to: 'ben', body: 'please rebase' });
    expect(direct.to).toBe('ben@bob');
    await alice.team.messages.send({ from: 'user', to: '@frontend', body: 'new tokens' });
    await alice.team.messages.send({ from: 'user', to: '*', body: 'main is frozen' });
    await until('all three on bob', () => bodies(bob).length === 3);
    await until('the broadcast on carol', () => bodies(carol).includes('main is frozen'));
    await until('alice’s outbox empty', () => alice.team.messages.queued().size === 0);
    expect(bodies(bob)).toEqual(['please rebase', 'new tokens', 'main is frozen']);
    expect(bob.coordination.messages.read({ reader: ben.id, unreadOnly: true, limit: 10 }).map((m) => m.body)).toEqual([
      'please rebase',
      'new tokens',
      'main is frozen',
    ]);
    expect(bodies(carol)).toEqual(['main is frozen']);
  });
});
