// A teammate's machine that sends garbage on the messages channel: malformed frames and bodies over the limit
// are dropped (the link stays), and a flood stores at most the inbound bound; the receiver keeps answering
// and a real message still gets through.
import { afterEach, describe, expect, it } from 'vitest';
import { MESSAGE_MAX_BYTES } from '../../../shared/message.js';
import { closeLoopbackAgents } from '../../helpers/loopback-mesh.js';
import { closeTeamMachines, TeamMachine } from '../../helpers/team-machine.js';
import { scaled } from '../../helpers/load-scale.js';
import { until } from '../../helpers/until.js';

const machines: TeamMachine[] = [];

afterEach(async () => {
  closeTeamMachines(machines);
  await closeLoopbackAgents();
});

const isLinked = (a: TeamMachine, b: TeamMachine) =>
  a.mesh.node.linkedMachines().some((m) => m.machineId === b.machineId);

async function pair(bobOptions = {}): Promise<{ alice: TeamMachine; bob: TeamMachine }> {
  const alice = await TeamMachine.founder('alice', { resendMs: 200 });
  machines.push(alice);
  const bob = await TeamMachine.joining('bob', alice, bobOptions);
  machines.push(bob);
  await until('linked', () => isLinked(alice, bob) && isLinked(bob, alice));
  alice.agent('ann');
  bob.agent('bo');
  return { alice, bob };
}

const frame = (n: number, body = `flood ${n}`) => ({
  k: 'msg',
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  from: { id: 'mallory', name: 'mallory' },
  to: 'bo',
  body,
  task: null,
  ts: Date.now(),
});

describe('a hostile teammate on the messages channel', () => {
  it('drops malformed frames and bodies over the limit, and keeps the link', async () => {
    const { alice, bob } = await pair();
    const raw = (m: unknown) => expect(alice.mesh.node.sendTeam(bob.machineId, 'messages', m)).toBe(true);
    raw({ k: 'msg', id: 'x' });
    raw('not an object');
    raw({ ...frame(1), to: '../../etc' });
    raw({ ...frame(2), extra: true });
    raw({ k: 'ack', id: frame(3).id, refused: 'y'.repeat(5000) });
    raw(frame(4, 'b'.repeat(MESSAGE_MAX_BYTES + 1)));
    raw(frame(5, 'h'.repeat(3 * 1024 * 1024)));
    await until('7 malformed frames counted', () => bob.messages.channel.malformed === 7);
    expect(bob.all()).toEqual([]);

    const ok = await alice.messages.send({ from: 'ann', to: 'bo@bob', body: 'still here?' });
    await until('the real message', () => bob.board.byId(ok.id!));
    expect(isLinked(alice, bob)).toBe(true);
  });

  it('bounds what a flood makes it store, keeps answering, and takes real messages after it', async () => {
    const burst = 50;
    const { alice, bob } = await pair({ inbound: { burst, perSecond: 20 } });
    const started = Date.now();
    const count = 3000;
    for (let n = 1; n <= count; n++) alice.mesh.node.sendTeam(bob.machineId, 'messages', frame(n));
    await until('the flood taken or dropped', () => bob.all().length + bob.messages.flooded >= count, scaled(30_000));
    const seconds = (Date.now() - started) / 1000;
    const stored = bob.all().length;
    expect(stored).toBeGreaterThanOrEqual(burst);
    expect(stored).toBeLessThanOrEqual(burst + Math.ceil(seconds * 20) + 1);
    expect(bob.messages.flooded).toBe(count - stored);

    // the daemon answers: a real message gets through once the bucket refills (alice re-sends it until acked)
    const ok = await alice.messages.send({ from: 'ann', to: 'bo@bob', body: 'after the flood' });
    await until('the real message after the flood', () => bob.board.byId(ok.id!), scaled(15_000));
    await until("alice's outbox empty", () => alice.messages.queued().size === 0, scaled(15_000));
    expect(bob.all().filter((m) => m.body === 'after the flood')).toHaveLength(1);
  });
});
