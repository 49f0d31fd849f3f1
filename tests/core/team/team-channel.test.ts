// Team frames between real MeshNodes on loopback: a channel gets only its own, validated messages; a
// malformed frame is dropped without ending the link (other channels share it); ups and downs are told.
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MeshMembership } from '../../../main/core/mesh/mesh-membership.js';
import { TeamChannel } from '../../../main/core/team/team-channel.js';
import { meshTransport, type UnlinkedMachine } from '../../../main/core/team/team-transport.js';
import { closeLoopbackAgents, loopbackAgent } from '../../helpers/loopback-mesh.js';
import { scaled } from '../../helpers/load-scale.js';
import { until } from '../../helpers/until.js';

afterEach(closeLoopbackAgents);

const Echo = z.object({ n: z.number().int() });

async function linkedPair() {
  const alice = await loopbackAgent('alice', (m) => m.init());
  const invite = alice.membership.invite([`127.0.0.1:${alice.node.port}`]);
  const bob = await loopbackAgent('bob', (m) => m.join(invite), { peers: MeshMembership.parseInvite(invite).seeds });
  await until(
    'alice and bob linked',
    () => alice.node.linkedMachines().length === 1 && bob.node.linkedMachines().length === 1,
  );
  return { alice, bob };
}

describe('team channels over real links', () => {
  it('delivers a channel its own valid messages, drops malformed ones and keeps the link', async () => {
    const { alice, bob } = await linkedPair();
    const got: { from: string; n: number }[] = [];
    const other: unknown[] = [];
    const logger = pino({ level: 'silent' });
    const echo = new TeamChannel({
      transport: meshTransport(bob.node),
      name: 'echo',
      schema: Echo,
      logger,
      onMessage: (from, m) => got.push({ from: from.name, n: m.n }),
    });
    const elsewhere = new TeamChannel({
      transport: meshTransport(bob.node),
      name: 'elsewhere',
      schema: Echo,
      logger,
      onMessage: (_from, m) => other.push(m),
    });
    const sender = new TeamChannel({
      transport: meshTransport(alice.node),
      name: 'echo',
      schema: Echo,
      logger,
      onMessage: () => undefined,
    });
    expect(sender.broadcast({ n: 1 })).toBe(1);
    expect(alice.node.sendTeam(bob.node.agentId, 'echo', { n: 'not a number' })).toBe(true);
    expect(sender.send(bob.node.agentId, { n: 2 })).toBe(true);
    await until('both valid messages on bob', () => got.length === 2);
    expect(got).toEqual([
      { from: 'alice', n: 1 },
      { from: 'alice', n: 2 },
    ]);
    expect(echo.malformed).toBe(1);
    expect(other).toEqual([]);
    expect(bob.node.list()[0]!.state).toBe('connected');
    expect(sender.send('no-such-machine', { n: 3 })).toBe(false);
    for (const c of [echo, elsewhere, sender]) c.dispose();
  });

  it('tells a channel when a machine comes up and when it leaves', async () => {
    // slow beats: a link that flaps on a loaded machine would be told as unreachable before bob's goodbye
    const alice = await loopbackAgent('alice', (m) => m.init(), { heartbeatMs: scaled(1000) });
    const ups: string[] = [];
    const downs: UnlinkedMachine[] = [];
    const channel = new TeamChannel({
      transport: meshTransport(alice.node),
      name: 'presence',
      schema: Echo,
      logger: pino({ level: 'silent' }),
      onMessage: () => undefined,
      onUp: (m) => ups.push(m.name),
      onDown: (m) => downs.push(m),
    });
    const invite = alice.membership.invite([`127.0.0.1:${alice.node.port}`]);
    const bob = await loopbackAgent('bob', (m) => m.join(invite), {
      peers: MeshMembership.parseInvite(invite).seeds,
      heartbeatMs: scaled(1000),
    });
    await until('bob up on alice', () => ups.includes('bob'));
    expect(channel.machines().map((m) => m.name)).toEqual(['bob']);
    const before = downs.length; // a link that flapped under load before the goodbye is not what is asked here
    await bob.node.close();
    const gone = await until('bob gone on alice', () => downs.slice(before).find((d) => d.name === 'bob'));
    expect(gone, JSON.stringify(downs)).toMatchObject({ name: 'bob', left: true });
    expect(channel.machines()).toEqual([]);
    channel.dispose();
  });
});
