// Messages across the mesh between real MeshNodes on loopback, each machine with its SQLite store on disk:
// delivered once and read once per reader; kept in the outbox while the machine is unreachable (across a
// restart of the sender's part), delivered in order and exactly once when it is back, a re-send after lost
// acks stored once; `*` and `@role` fan out; unknown recipients are clear errors, here or from there.
import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from '../../../shared/message.js';
import { DevMeshError } from '../../../shared/errors.js';
import type { TeamTransport } from '../../../main/core/team/team-transport.js';
import { closeLoopbackAgents } from '../../helpers/loopback-mesh.js';
import { closeTeamMachines, TeamMachine } from '../../helpers/team-machine.js';
import { until } from '../../helpers/until.js';

const machines: TeamMachine[] = [];

afterEach(async () => {
  closeTeamMachines(machines);
  await closeLoopbackAgents();
});

async function founder(name: string, options = {}): Promise<TeamMachine> {
  const m = await TeamMachine.founder(name, options);
  machines.push(m);
  return m;
}

async function joining(name: string, to: TeamMachine, options = {}): Promise<TeamMachine> {
  const m = await TeamMachine.joining(name, to, options);
  machines.push(m);
  await linked(to, m);
  return m;
}

const isLinked = (a: TeamMachine, b: TeamMachine) =>
  a.mesh.node.linkedMachines().some((m) => m.machineId === b.machineId);

async function linked(a: TeamMachine, b: TeamMachine): Promise<void> {
  await until(`${a.name} and ${b.name} linked`, () => isLinked(a, b) && isLinked(b, a));
}

const bodies = (list: Message[]) => list.map((m) => m.body);

/** a transport whose acks are lost while `lost.on` */
function losingAcks(lost: { on: boolean }) {
  return (t: TeamTransport): TeamTransport =>
    Object.assign(Object.create(t) as TeamTransport, {
      send: (machineId: string, ch: string, m: unknown) =>
        lost.on && ch === 'messages' && (m as { k?: string }).k === 'ack' ? true : t.send(machineId, ch, m),
    });
}

async function refusal(p: Promise<unknown>): Promise<DevMeshError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DevMeshError);
  return err as DevMeshError;
}

describe('messages across the mesh', () => {
  it('delivers a message to an agent on another machine once, and its reader reads it once', async () => {
    const alice = await founder('alice');
    const bob = await joining('bob', alice);
    alice.agent('ann');
    bob.agent('bo');

    const sent = await alice.messages.send({ from: 'ann', to: 'bo@bob', body: 'please rebase' });
    expect(sent).toMatchObject({ to: 'bo@bob', fromName: 'ann', fromMachine: null, queued: 1 });

    await until('the message on bob', () => bob.all().length === 1);
    const [got] = bob.read('bo');
    expect(got).toMatchObject({ id: sent.id, body: 'please rebase', fromName: 'ann', fromMachine: 'alice' });
    expect(got!.from).toBe('agent-ann@alice');
    expect(bob.read('bo')).toEqual([]);
    expect(bob.read('user')).toEqual([]);

    await until('the ack on alice', () => alice.board.byId(sent.id!)?.queued === 0);
    expect(alice.messages.queued().size).toBe(0);
    expect(alice.events.some((e) => e.type === 'message.delivered' && e.message.id === sent.id)).toBe(true);
    expect(alice.auditKinds()).toEqual(['message.sent']);
    expect(bob.auditKinds()).toEqual(['message.delivered']);

    // the reply goes back by the sender's address as stored on bob
    await bob.messages.send({ from: 'bo', to: got!.from, body: 'done' });
    await until('the reply on alice', () => alice.all().length === 2);
    expect(bodies(alice.read('ann'))).toEqual(['done']);
  });

  it('keeps messages for an unreachable machine on disk and delivers them once, in order, when it is back', async () => {
    const alice = await founder('alice');
    const bob = await joining('bob', alice);
    alice.agent('ann');
    bob.agent('bo');

    bob.closePart();
    await bob.mesh.node.close();
    await until('bob gone from alice', () => !isLinked(alice, bob));
    for (const n of [1, 2, 3]) await alice.messages.send({ from: 'ann', to: 'bo@bob', body: `note ${n}` });
    expect(alice.messages.queued().get(bob.machineId)).toBe(3);

    alice.restartPart(); // the outbox is the store's: it survives the part (and the daemon) restarting
    expect(alice.messages.queued().get(bob.machineId)).toBe(3);
    expect(alice.all().map((m) => m.queued)).toEqual([1, 1, 1]);

    await bob.restartNode();
    await linked(alice, bob);
    await until('the 3 notes on bob', () => bob.all().length === 3);
    await until("alice's outbox empty", () => alice.messages.queued().size === 0);
    expect(bodies(bob.read('bo'))).toEqual(['note 1', 'note 2', 'note 3']);
    expect(bob.read('bo')).toEqual([]);
    expect(alice.all().map((m) => m.queued)).toEqual([0, 0, 0]);
    expect(bob.auditKinds()).toEqual(['message.delivered', 'message.delivered', 'message.delivered']);
  });

  it('refuses a message to a machine whose queue is full, keeping the queued ones', async () => {
    const alice = await founder('alice', { maxQueued: 2 });
    const bob = await joining('bob', alice);
    alice.agent('ann');
    bob.agent('bo');
    bob.closePart();
    await bob.mesh.node.close();
    await until('bob gone from alice', () => !isLinked(alice, bob));

    await alice.messages.send({ from: 'ann', to: 'bo@bob', body: 'one' });
    await alice.messages.send({ from: 'ann', to: 'bo@bob', body: 'two' });
    const full = await refusal(alice.messages.send({ from: 'ann', to: '*', body: 'three' }));
    expect(full.code).toBe('OUTBOX_FULL');
    expect(full.message).toMatch(/bob has 2 messages waiting .* this message to \* was not sent; .*linked again/);
    expect(bodies(alice.all())).toEqual(['one', 'two']);
    expect(alice.messages.queued().get(bob.machineId)).toBe(2);
    expect(alice.auditKinds()).toEqual(['message.sent', 'message.sent']);

    await bob.restartNode();
    await until('both on bob', () => bob.all().length === 2);
    expect(bodies(bob.read('bo'))).toEqual(['one', 'two']);
  });

  it('stores a message sent again after its ack was lost only once', async () => {
    const alice = await founder('alice');
    const bob = await joining('bob', alice);
    alice.agent('ann');
    bob.agent('bo');
    const lost = { on: true };
    bob.wrap = losingAcks(lost);
    bob.restartPart();

    for (const n of [1, 2, 3]) await alice.messages.send({ from: 'ann', to: 'bo@bob', body: `note ${n}` });
    await until('the 3 notes on bob', () => bob.all().length === 3);
    expect(alice.messages.queued().get(bob.machineId)).toBe(3); // no ack came back

    lost.on = false;
    await bob.restartNode(); // the link drops after delivery, before the acks: alice sends all 3 again
    await linked(alice, bob);
    await until("alice's outbox empty", () => alice.messages.queued().size === 0);
    expect(bodies(bob.all())).toEqual(['note 1', 'note 2', 'note 3']);
    expect(bodies(bob.read('bo'))).toEqual(['note 1', 'note 2', 'note 3']);
    expect(bob.auditKinds().filter((k) => k === 'message.delivered')).toHaveLength(3);
  });

  it('fans `*` out to everyone on every machine and `@role` to the agents with that role', async () => {
    const alice = await founder('alice');
    const bob = await joining('bob', alice);
    const carol = await joining('carol', alice);
    alice.agent('ann');
    alice.agent('ari', 'frontend');
    bob.agent('bo', 'frontend');
    bob.agent('bea', 'backend');
    carol.agent('cy', 'frontend');

    const all = await alice.messages.send({ from: 'ann', to: '*', body: 'main is frozen' });
    expect(all.queued).toBe(2);
    const role = await alice.messages.send({ from: 'ann', to: '@frontend', body: 'new tokens' });
    await until('both on bob and carol', () => bob.all().length === 2 && carol.all().length === 2);
    await until('both acknowledged', () => alice.messages.queued().size === 0);

    expect(bodies(alice.read('ann'))).toEqual([]); // not to its own sender
    expect(bodies(alice.read('ari'))).toEqual(['main is frozen', 'new tokens']);
    expect(bodies(alice.read('user'))).toEqual(['main is frozen']);
    expect(bodies(bob.read('bo'))).toEqual(['main is frozen', 'new tokens']);
    expect(bodies(bob.read('bea'))).toEqual(['main is frozen']);
    expect(bodies(bob.read('user'))).toEqual(['main is frozen']);
    expect(bodies(carol.read('cy'))).toEqual(['main is frozen', 'new tokens']);
    expect(bodies(carol.read('cy'))).toEqual([]);
    expect(alice.board.byId(role.id!)).toMatchObject({ to: '@frontend', queued: 0 });

    // a teammate's human, by the machine's name
    await alice.messages.send({ from: 'ann', to: 'carol', body: 'lunch?' });
    await until('to carol', () => carol.all().length === 3);
    expect(bodies(carol.read('user'))).toEqual(['main is frozen', 'lunch?']);
  });

  it('refuses unknown recipients clearly, here or from the machine that does not know them', async () => {
    const alice = await founder('alice');
    alice.agent('ann');
    const lonely = await refusal(alice.messages.send({ from: 'ann', to: '@design', body: 'x' }));
    expect(lonely.code).toBe('AGENT_NOT_FOUND');
    expect(lonely.message).toMatch(/no agent has the role "design" on this machine \(alice\)/);
    expect(lonely.message).toMatch(/--role design/);

    const bob = await joining('bob', alice);
    bob.agent('bo');
    const ghost = await refusal(alice.messages.send({ from: 'ann', to: 'ghost', body: 'x' }));
    expect(ghost.message).toMatch(/no agent "ghost" on this machine \(alice\)/);
    expect(ghost.message).toMatch(/name@machine \(machines known: bob\)/);
    const nowhere = await refusal(alice.messages.send({ from: 'ann', to: 'bo@nowhere', body: 'x' }));
    expect(nowhere.message).toMatch(/no machine "nowhere" known in the mesh/);
    const sender = await refusal(alice.messages.send({ from: 'nobody', to: 'bo@bob', body: 'x' }));
    expect(sender.message).toMatch(/no agent "nobody" on this machine \(the message's sender\)/);
    expect(alice.messages.queued().size).toBe(0);

    // bob does not know the name: it refuses, and alice tells the sender in a message from devmesh
    await alice.messages.send({ from: 'ann', to: 'ghost@bob', body: 'x' });
    const [notice] = await until('the refusal', () => {
      const got = alice.read('ann');
      return got.length > 0 && got;
    });
    expect(notice).toMatchObject({ from: 'devmesh', to: 'agent-ann' });
    expect(notice!.body).toMatch(/not delivered to bob: no agent "ghost" on bob .*devmesh agent ls/);
    expect(alice.messages.queued().size).toBe(0);
    expect(bob.all()).toEqual([]);
    expect(bob.auditKinds()).toEqual(['message.refused']);
  });
});
