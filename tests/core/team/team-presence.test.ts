// Presence between real MeshNodes on loopback: an agent started on alice appears on bob with its machine,
// human and status; changes follow as deltas; alice's link dropping keeps her agents on bob as "last seen",
// and the link coming back restores them; a replayed (stale) delta cannot undo newer state; malformed
// presence frames are dropped and bob keeps answering.
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentRecord } from '../../../shared/agent.js';
import type { DevMeshEvent } from '../../../shared/events.js';
import type { ProjectInfo } from '../../../shared/service.js';
import type { TaskInfo } from '../../../shared/task.js';
import type { TeamAgentEvent, TeamMachineEvent } from '../../../shared/team.js';
import { MeshMembership } from '../../../main/core/mesh/mesh-membership.js';
import type { TeamFrame } from '../../../main/core/mesh/team-frames.js';
import { TeamPresence } from '../../../main/core/team/team-presence.js';
import { meshTransport } from '../../../main/core/team/team-transport.js';
import { agentRecord } from '../agents/agent-record-fixture.js';
import { closeLoopbackAgents, loopbackAgent, type LoopbackAgent } from '../../helpers/loopback-mesh.js';
import { until } from '../../helpers/until.js';

const presences: TeamPresence[] = [];
afterEach(async () => {
  for (const p of presences.splice(0)) p.dispose();
  await closeLoopbackAgents();
});

interface Machine {
  mesh: LoopbackAgent;
  presence: TeamPresence;
  agents: AgentRecord[];
  projects: ProjectInfo[];
  tasks: TaskInfo[];
  events: DevMeshEvent[];
  frames: TeamFrame[];
}

function withPresence(mesh: LoopbackAgent, human: string): Machine {
  const m: Omit<Machine, 'presence'> = { mesh, agents: [], projects: [], tasks: [], events: [], frames: [] };
  mesh.node.onTeamFrame((f) => m.frames.push(f));
  const presence = new TeamPresence({
    transport: meshTransport(mesh.node),
    local: {
      human: () => human,
      agents: () => [...m.agents],
      projects: () => m.projects,
      activeTasks: () => m.tasks,
    },
    emit: (e) => m.events.push(e),
    logger: pino({ level: 'silent' }),
  });
  presences.push(presence);
  return { ...m, presence };
}

async function team(): Promise<{ alice: Machine; bob: Machine }> {
  const a = await loopbackAgent('alice', (m) => m.init());
  const alice = withPresence(a, 'Alice Martin');
  alice.projects.push(project('shop', '0123456789abcdef', '/src/shop'));
  alice.agents.push(
    agentRecord({
      id: 'agent-a1',
      name: 'claude',
      cwd: '/src/shop/.devmesh/worktrees/fix-orders',
      profile: 'claude',
      args: ['--model', 'opus'],
      role: 'backend',
      worktree: { path: '/src/shop/.devmesh/worktrees/fix-orders', branch: 'fix-orders', repo: '/src/shop' },
      status: 'working',
      updatedAt: 1,
    }),
  );
  const invite = a.membership.invite([`127.0.0.1:${a.node.port}`]);
  const b = await loopbackAgent('bob', (m) => m.join(invite), { peers: MeshMembership.parseInvite(invite).seeds });
  const bob = withPresence(b, 'Bob');
  await until('alice on bob', () => aliceOn(bob)?.reachable);
  return { alice, bob };
}

function project(id: string, key: string, root: string): ProjectInfo {
  return { id, root, configPath: `${root}/devmesh.yaml`, services: [], configError: null, identity: identity(key) };
}

function identity(key: string): ProjectInfo['identity'] {
  return { key, rootCommit: 'c0ffee', remote: null, subPath: '', localOnly: false };
}

const aliceOn = (m: Machine) => m.presence.machines().find((x) => x.name === 'alice');
const agentOn = (m: Machine, id: string) => m.presence.agents().find((a) => a.id === id);
const agentEvents = (m: Machine) => m.events.filter((e): e is TeamAgentEvent => e.type === 'team.agent');
const machineEvents = (m: Machine) => m.events.filter((e): e is TeamMachineEvent => e.type === 'team.machine');

function setAgent(m: Machine, id: string, over: Partial<AgentRecord>): void {
  const i = m.agents.findIndex((a) => a.id === id);
  m.agents[i] = { ...m.agents[i]!, ...over, updatedAt: m.agents[i]!.updatedAt + 1 };
  m.presence.changed();
}

describe('presence across real links', () => {
  it("shows alice's agents on bob with her machine and human, and follows their changes", async () => {
    const { alice, bob } = await team();
    expect(aliceOn(bob)).toMatchObject({
      human: 'Alice Martin',
      local: false,
      lastSeen: null,
      projects: [{ id: 'shop', key: '0123456789abcdef' }],
    });
    expect(agentOn(bob, 'agent-a1')).toMatchObject({
      name: 'claude',
      machine: 'alice',
      machineId: alice.mesh.node.agentId,
      human: 'Alice Martin',
      profile: 'claude',
      model: 'opus',
      role: 'backend',
      status: 'working',
      projectKey: '0123456789abcdef',
      branch: 'fix-orders',
      task: null,
      reachable: true,
      local: false,
    });
    expect(machineEvents(bob)).toMatchObject([{ change: 'joined', machine: 'alice', human: 'Alice Martin' }]);
    // bob sees alice's machine and his own, and alice sees bob (who has no agent)
    expect(bob.presence.machines().map((m) => [m.name, m.local])).toEqual([
      ['bob', true],
      ['alice', false],
    ]);
    await until('bob on alice', () => alice.presence.machines().find((m) => m.name === 'bob'));

    // an agent started on alice appears on bob, a status change follows, a task shows when it is assigned
    alice.agents.push(agentRecord({ id: 'agent-a2', name: 'codex', cwd: '/src/shop', profile: 'codex' }));
    alice.presence.changed();
    await until('codex on bob', () => agentOn(bob, 'agent-a2'));
    expect(agentOn(bob, 'agent-a2')).toMatchObject({ status: 'starting', model: null, branch: null });
    setAgent(alice, 'agent-a2', { status: 'waiting', statusReason: 'permission prompt' });
    await until('codex waiting on bob', () => agentOn(bob, 'agent-a2')?.status === 'waiting');
    alice.tasks.push({ id: 'task-0001', title: 'Fix the orders page', assigneeId: 'agent-a2' } as TaskInfo);
    alice.presence.changed();
    await until('the task on bob', () => agentOn(bob, 'agent-a2')?.task?.title === 'Fix the orders page');
    setAgent(alice, 'agent-a2', { status: 'exited', statusReason: 'exited with code 0' });
    await until('codex finished on bob', () => agentOn(bob, 'agent-a2')?.status === 'exited');
    alice.agents.splice(1, 1);
    alice.presence.changed();
    await until('codex gone from bob', () => !agentOn(bob, 'agent-a2'));
    expect(agentEvents(bob).map((e) => [e.agent.name, e.change])).toEqual([
      ['codex', 'started'],
      ['codex', 'waiting'],
      ['codex', 'updated'],
      ['codex', 'finished'],
      ['codex', 'removed'],
    ]);
    expect(agentEvents(bob)[1]!.agent).toMatchObject({ machine: 'alice', human: 'Alice Martin' });
  });

  it("keeps alice's agents on bob as last seen while her link is down, and restores them when it is back", async () => {
    const { alice, bob } = await team();
    // Cut the socket under the link (a cable pulled): both ends see it close; bob dials alice again.
    const peers = (
      alice.mesh.node as unknown as { peers: Map<string, { link: { auth: { ws: { _socket: { destroy(): void } } } } }> }
    ).peers;
    peers.values().next().value!.link.auth.ws._socket.destroy();
    const gone = await until('alice unreachable on bob', () =>
      machineEvents(bob).find((e) => e.change === 'unreachable'),
    );
    expect(gone).toMatchObject({ machine: 'alice', human: 'Alice Martin' });
    // changed while the link was down (or coming back): the snapshot on the new link carries it
    setAgent(alice, 'agent-a1', { status: 'idle' });
    const back = await until('alice back on bob', () => machineEvents(bob).find((e) => e.change === 'back'));
    expect(back.ts).toBeGreaterThanOrEqual(gone.ts);
    await until('the idle status on bob', () => agentOn(bob, 'agent-a1')?.status === 'idle');
    expect(aliceOn(bob)).toMatchObject({ reachable: true, lastSeen: null });
    expect(agentOn(bob, 'agent-a1')).toMatchObject({ reachable: true, name: 'claude' });
  });

  it('marks agents unreachable, last seen, when the machine is gone for good', async () => {
    const { alice, bob } = await team();
    await alice.mesh.node.close();
    const left = await until('alice left bob', () =>
      machineEvents(bob).find((e) => e.change === 'left' || e.change === 'unreachable'),
    );
    expect(left.machine).toBe('alice');
    const seen = aliceOn(bob)!;
    expect(seen.reachable).toBe(false);
    expect(seen.lastSeen).toBeGreaterThan(0);
    expect(agentOn(bob, 'agent-a1')).toMatchObject({ reachable: false, status: 'working', human: 'Alice Martin' });
  });

  it('ignores a replayed delta older than what bob holds', async () => {
    const { alice, bob } = await team();
    setAgent(alice, 'agent-a1', { status: 'waiting' });
    await until('waiting on bob', () => agentOn(bob, 'agent-a1')?.status === 'waiting');
    setAgent(alice, 'agent-a1', { status: 'idle' });
    await until('idle on bob', () => agentOn(bob, 'agent-a1')?.status === 'idle');
    const deltas = bob.frames.filter((f) => f.ch === 'presence' && (f.m as { k: string }).k === 'delta');
    expect(deltas).toHaveLength(2);
    // the older delta again (a frame from an old link arriving late): it would set `waiting` back
    alice.mesh.node.sendTeam(bob.mesh.node.agentId, 'presence', deltas[0]!.m);
    setAgent(alice, 'agent-a1', { role: 'reviewer' });
    await until('the role on bob', () => agentOn(bob, 'agent-a1')?.role === 'reviewer');
    expect(agentOn(bob, 'agent-a1')!.status).toBe('idle');
    expect(agentEvents(bob).map((e) => e.change)).toEqual(['waiting', 'idle', 'updated']);
  });

  it('drops malformed presence frames and keeps answering', async () => {
    const { alice, bob } = await team();
    const to = bob.mesh.node.agentId;
    const epoch = (bob.frames.find((f) => f.ch === 'presence')!.m as { epoch: string }).epoch;
    const agent = { ...agentOn(bob, 'agent-a1')! } as Record<string, unknown>;
    for (const k of ['machineId', 'machine', 'human', 'local', 'reachable']) delete agent[k];
    const bad: unknown[] = [
      'not an object',
      { k: 'snapshot', epoch, seq: 99, human: 'Mallory', projects: [], agents: 'none' },
      { k: 'delta', epoch, seq: 1, upsert: [{ ...agent, name: 'x'.repeat(5000) }], remove: [] },
      { k: 'delta', epoch, seq: 1, upsert: Array.from({ length: 1000 }, () => agent), remove: [] },
      { k: 'delta', epoch, seq: 1, upsert: [{ ...agent, status: 'sleeping' }], remove: [] },
      { k: 'gossip' },
    ];
    for (const m of bad) expect(alice.mesh.node.sendTeam(to, 'presence', m)).toBe(true);
    setAgent(alice, 'agent-a1', { status: 'waiting' });
    await until('the valid change after them', () => agentOn(bob, 'agent-a1')?.status === 'waiting');
    expect(aliceOn(bob)!.human).toBe('Alice Martin');
    expect(bob.presence.agents().filter((a) => !a.local)).toHaveLength(1);
    expect(bob.mesh.node.list()[0]!.state).toBe('connected');
  });

  it('asks for a snapshot when a delta skips ahead, and catches up', async () => {
    const { alice, bob } = await team();
    const epoch = (bob.frames.find((f) => f.ch === 'presence')!.m as { epoch: string }).epoch;
    const ahead = { k: 'delta', epoch, seq: 50, upsert: [], remove: ['agent-a1'] };
    alice.mesh.node.sendTeam(bob.mesh.node.agentId, 'presence', ahead);
    await until('bob asks alice for a snapshot', () =>
      alice.frames.some((f) => f.ch === 'presence' && (f.m as { k: string }).k === 'resync'),
    );
    const snapshots = () => bob.frames.filter((f) => f.ch === 'presence' && (f.m as { k: string }).k === 'snapshot');
    await until('a second snapshot on bob', () => snapshots().length === 2);
    expect(agentOn(bob, 'agent-a1')).toMatchObject({ name: 'claude', reachable: true });
  });
});
