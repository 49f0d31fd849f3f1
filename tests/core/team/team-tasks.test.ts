// Tasks across the mesh with two real cores on loopback (alice and bob: SQLite on disk, real MeshNodes linked
// by invite, real agents in real terminals, the one API over each), both with a clone of one repository (one
// project key): a task posted on alice is seen and bid for on bob, awarded once on alice (its audit chain, its
// INTENT locks held in the name of bob's agent), delivered into bob's agent and completed there; a winner's
// machine that goes silent past the grace loses the task, and is told when it comes back; re-sent and
// malformed frames change nothing.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DevMeshApi } from '../../../main/api/devmesh-api.js';
import { DevMeshCore } from '../../../main/core/devmesh-core.js';
import { DevMeshHome } from '../../../main/core/home/devmesh-home.js';
import { MeshMembership } from '../../../main/core/mesh/mesh-membership.js';
import type { ApiMethod, ApiOutput } from '../../../shared/api.js';
import type { ErrorInfo } from '../../../shared/errors.js';
import { git, writeScript } from '../agents/fake-cli.js';
import { waitFor, writeProject } from '../../api/test-project.js';
import { scaled } from '../../helpers/load-scale.js';

const HEARTBEAT_MS = scaled(200);
const dirs: string[] = [];

function tmp(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

interface Machine {
  name: string;
  core: DevMeshCore;
  root: string;
  call<M extends ApiMethod>(method: M, input: unknown): Promise<ApiOutput<M>>;
  refused(method: ApiMethod, input: unknown): Promise<ErrorInfo>;
}

/** one repository (its first commit is the project key), cloned once per machine */
function origin(): string {
  const dir = tmp('devmesh-team-origin-');
  writeProject(dir, 'shop', { api: { autostart: false } });
  writeFileSync(join(dir, 'cart.ts'), 'export {};\n');
  git(dir, 'init', '-q');
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'first');
  return dir;
}

async function machine(name: string, repo: string, home: string, peers: string[], graceMs?: number): Promise<Machine> {
  const root = join(tmp(`devmesh-team-${name}-`), 'shop');
  git(repo, 'clone', '-q', repo, root);
  writeFileSync(
    join(home, 'config.yaml'),
    `mesh:\n  name: ${name}\n  host: 127.0.0.1\n  port: 0\n  mdns: false\n  heartbeat_ms: ${HEARTBEAT_MS}\n  peers: [${peers.map((p) => `"${p}"`).join(', ')}]\n`,
  );
  const core = await DevMeshCore.open({
    home: new DevMeshHome(home),
    version: 'test',
    logger: pino({ level: process.env.TEAM_DEBUG ? 'debug' : 'silent' }),
    projects: [root],
    coordination: { biddingWindowMs: scaled(400) },
    ...(graceMs !== undefined ? { team: { taskGraceMs: graceMs } } : {}),
  });
  const api = new DevMeshApi(core, { face: 'daemon', apiUrl: () => null, requestShutdown: () => undefined });
  await waitFor(`${name}'s project identified`, () => core.projects.list()[0]?.identity?.key);
  return {
    name,
    core,
    root,
    async call(method, input) {
      const r = await api.call(method, input);
      if (!r.ok) throw new Error(`${name}: ${method} failed: ${r.error.code}: ${r.error.message}`);
      return r.value as never;
    },
    async refused(method, input) {
      const r = await api.call(method, input);
      if (r.ok) throw new Error(`${name}: ${method} should have been refused`);
      return r.error;
    },
  };
}

async function pair(graceMs?: number): Promise<{ alice: Machine; bob: Machine }> {
  const repo = origin();
  const aliceHome = tmp('devmesh-team-ha-');
  const bobHome = tmp('devmesh-team-hb-');
  new MeshMembership(aliceHome).init();
  const alice = await machine('alice', repo, aliceHome, [], graceMs);
  new MeshMembership(bobHome).join(new MeshMembership(aliceHome).invite([`127.0.0.1:${alice.core.mesh.port}`]));
  const bob = await machine('bob', repo, bobHome, [`127.0.0.1:${alice.core.mesh.port}`], graceMs);
  expect(bob.core.projects.list()[0]!.identity!.key).toBe(alice.core.projects.list()[0]!.identity!.key);
  await linked(alice, bob);
  return { alice, bob };
}

function linked(alice: Machine, bob: Machine): Promise<unknown> {
  return waitFor(
    'alice and bob linked',
    () => alice.core.mesh.linkedMachines().length === 1 && bob.core.mesh.linkedMachines().length === 1,
    scaled(15_000),
  );
}

/** an agent CLI at its input: prints a prompt, says what each line it reads was, and prompts again */
async function agent(m: Machine, name: string) {
  const bin = writeScript(
    tmp('devmesh-team-bin-'),
    'fake-agent',
    `while true; do printf 'ready> '; read line || exit 0; printf 'got: %s\\n' "$line"; done`,
  );
  return m.call('agents.start', { command: bin, name, cwd: m.root });
}

async function post(m: Machine, title: string) {
  return m.call('tasks.create', {
    title,
    prompt: `Do ${title}.`,
    files: ['src/**'],
    capabilities: ['typescript'],
  });
}

async function remote(m: Machine, id: string, check: (t: ApiOutput<'tasks.list'>[number]) => boolean = () => true) {
  return waitFor(`${m.name} to see ${id}`, async () =>
    (await m.call('tasks.list', { all: true })).find((t) => t.id === id && check(t)),
  );
}

async function awarded(m: Machine, id: string) {
  const entries = (await m.call('audit.list', { kind: 'task.awarded', limit: 500 })).entries;
  return entries.filter((e) => e.subject === id);
}

async function typed(m: Machine, terminalId: string, id: string): Promise<number> {
  const cast = (await m.call('recordings.read', { id: terminalId })).cast;
  return cast.split(`got: DevMesh task ${id}:`).length - 1;
}

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('tasks across the mesh', () => {
  let alice: Machine;
  let bob: Machine;
  beforeAll(async () => {
    ({ alice, bob } = await pair());
  }, scaled(60_000));
  afterAll(async () => {
    await bob?.core.dispose();
    await alice?.core.dispose();
  });
  afterEach(() => linked(alice, bob), scaled(20_000));

  it(
    "is posted on alice, bid for on bob, awarded on alice, delivered and completed on bob's agent",
    async () => {
      const writer = await agent(bob, 'writer');
      const task = await post(alice, 'the cart total');
      expect(task.state).toBe('QUEUED'); // nobody on alice works in shop

      const seen = await remote(bob, task.id);
      expect(seen).toMatchObject({ title: 'the cart total', home: { name: 'alice', reachable: true } });
      expect(seen.root).toBe(bob.root);
      // bob's agent is offered it the way a local task is offered
      await waitFor('the invitation to writer', async () =>
        (await bob.call('messages.read', { reader: 'writer' })).find((m) => m.task === task.id),
      );

      const bid = await bob.call('tasks.bid', { task: task.id, agent: 'writer', capabilities: ['typescript'] });
      expect(bid).toMatchObject({ agentId: writer.id, agentName: 'writer@bob', match: 1 });

      // the only bidder: awarded on alice once the mesh's round permits the INTENT locks, held there in writer's name
      const onAlice = await waitFor('the award on alice', async () => {
        const t = await alice.call('tasks.get', { task: task.id });
        return t.state === 'BIDDING' ? null : t;
      });
      expect(onAlice).toMatchObject({ state: 'CLAIMED', assigneeId: writer.id, assigneeName: 'writer@bob' });
      const locks = (await alice.call('locks.list', {})).flatMap((s) => s.locks);
      expect(locks).toEqual([
        expect.objectContaining({ holder: writer.id, mode: 'INTENT', target: { kind: 'glob', pattern: 'src/**' } }),
      ]);
      expect(await awarded(alice, task.id)).toHaveLength(1);
      expect(await awarded(bob, task.id)).toHaveLength(0);

      // bob types the prompt into writer once it sits idle; alice hears WORKING
      await waitFor(
        'the prompt typed into writer',
        async () => (await typed(bob, writer.terminalId!, task.id)) === 1,
        scaled(30_000),
      );
      await waitFor(
        'WORKING on alice',
        async () => (await alice.call('tasks.get', { task: task.id })).state === 'WORKING',
      );

      const done = await bob.call('tasks.complete', { task: task.id, agent: 'writer', summary: 'fixed the total' });
      expect(done.state).toBe('COMPLETED');
      const final = await alice.call('tasks.get', { task: task.id });
      expect(final).toMatchObject({ state: 'COMPLETED', note: 'fixed the total' });
      expect(final.history.map((h) => h.to)).toEqual(['QUEUED', 'BIDDING', 'CLAIMED', 'WORKING', 'COMPLETED']);
      expect((await alice.call('locks.list', {})).flatMap((s) => s.locks)).toEqual([]);
      await waitFor(
        'the replica gone on bob',
        async () => !(await bob.call('tasks.list', { all: true })).some((t) => t.id === task.id),
      );
    },
    scaled(90_000),
  );

  it(
    'awards once, on alice, when agents of both machines bid',
    async () => {
      const local = await agent(alice, 'local');
      const task = await post(alice, 'two bidders');
      expect(task.state).toBe('BIDDING'); // offered to local at once
      await remote(bob, task.id);
      const [a, b] = await Promise.all([
        alice.call('tasks.bid', { task: task.id, agent: 'local', capabilities: [] }),
        bob.call('tasks.bid', { task: task.id, agent: 'writer', capabilities: ['typescript'] }),
      ]);
      expect([a.agentName, b.agentName]).toEqual(['local', 'writer@bob']);
      const claimed = await waitFor('the award on alice', async () => {
        const t = await alice.call('tasks.get', { task: task.id });
        return t.assigneeId !== null ? t : null;
      });
      expect(claimed.assigneeName).toBe('writer@bob'); // the better match
      expect(claimed.history.filter((h) => h.to === 'CLAIMED')).toHaveLength(1);
      expect(await awarded(alice, task.id)).toHaveLength(1);
      expect(await awarded(bob, task.id)).toHaveLength(0);
      await remote(bob, task.id, (t) => t.assigneeName === 'writer@bob');
      await alice.call('tasks.cancel', { task: task.id });
      await alice.call('agents.stop', { agent: local.id });
    },
    scaled(60_000),
  );

  it(
    'answers a re-sent bid once, ignores a re-sent award, and drops malformed frames on both sides',
    async () => {
      const task = await post(alice, 'idempotent');
      await remote(bob, task.id);
      const writer = (await bob.call('agents.list', {})).find((a) => a.name === 'writer')!;
      const bidFrame = {
        k: 'bid',
        op: 'resent-bid-0001',
        task: task.id,
        bidder: { agentId: writer.id, name: 'writer', profile: 'custom', role: null, status: 'idle', load: 0 },
        capabilities: ['typescript'],
        estimateMinutes: 10,
      };
      const aliceId = alice.core.mesh.agentId;
      const bobId = bob.core.mesh.agentId;
      // garbage first, on both directions: dropped, the links and the channel keep working
      expect(bob.core.mesh.sendTeam(aliceId, 'tasks', { k: 'bid', op: 'x' })).toBe(true);
      expect(alice.core.mesh.sendTeam(bobId, 'tasks', { k: 'task', task: { id: 'nope' } })).toBe(true);
      const acks: unknown[] = [];
      const listening = bob.core.mesh.onTeamFrame((f) => {
        const m = f.m as { k?: string; op?: string };
        if (f.ch === 'tasks' && m.k === 'ack' && m.op === bidFrame.op) acks.push(m);
      });
      expect(bob.core.mesh.sendTeam(aliceId, 'tasks', bidFrame)).toBe(true);
      expect(bob.core.mesh.sendTeam(aliceId, 'tasks', bidFrame)).toBe(true);
      // both answered as the first was: the same bid, accepted (not "bidding is closed" for the re-sent one)
      await waitFor('both acks', () => acks.length === 2);
      listening.dispose();
      expect(acks[0]).toMatchObject({ ok: true, bid: { agentId: writer.id, agentName: 'writer@bob' } });
      expect(acks[1]).toEqual(acks[0]);
      const claimed = await waitFor('the award', async () => {
        const t = await alice.call('tasks.get', { task: task.id });
        return t.state === 'CLAIMED' ? t : null;
      });
      expect(claimed.assigneeId).toBe(writer.id);
      const bids = (await alice.call('audit.list', { kind: 'task.bid', limit: 500 })).entries;
      expect(bids.filter((e) => e.subject === task.id)).toHaveLength(1);
      expect(await awarded(alice, task.id)).toHaveLength(1);

      await waitFor(
        'the prompt typed into writer',
        async () => (await typed(bob, writer.terminalId!, task.id)) === 1,
        scaled(30_000),
      );
      // the award announced again (a new link re-sends what it has) while writer sits idle: typed once all the same
      await waitFor(
        'WORKING on alice',
        async () => (await alice.call('tasks.get', { task: task.id })).state === 'WORKING',
      );
      await waitFor(
        'writer idle again',
        async () => (await bob.call('agents.list', {})).find((a) => a.id === writer.id)?.status === 'idle',
        scaled(30_000),
      );
      const again = bob.core.team.tasks.replicas.view(task.id)!;
      const wire = {
        ...again,
        key: alice.core.projects.list()[0]!.identity!.key,
        assigneeMachine: bobId,
        state: 'CLAIMED',
        updatedAt: again.updatedAt + 1,
      };
      const { project: _p, root: _r, home: _h, terminalId: _t, criticRequired: _c, ...frame } = wire;
      alice.core.mesh.sendTeam(bobId, 'tasks', { k: 'task', task: frame });
      await waitFor('the award again on bob', () => bob.core.team.tasks.replicas.view(task.id)?.state === 'CLAIMED');
      expect(await typed(bob, writer.terminalId!, task.id)).toBe(1);
      expect((await alice.call('tasks.get', { task: task.id })).state).toBe('WORKING');
      expect(alice.core.mesh.linkedMachines()).toHaveLength(1);
      expect(bob.core.mesh.linkedMachines()).toHaveLength(1);
      await bob.call('tasks.complete', { task: task.id, agent: 'writer', outcome: 'FAILED', summary: 'n/a' });
      expect((await alice.call('tasks.get', { task: task.id })).state).toBe('FAILED');
    },
    scaled(90_000),
  );
});

describe("a winner's machine that goes silent", () => {
  let alice: Machine;
  let bob: Machine;
  beforeAll(async () => {
    // a grace far shorter than a redial (500 ms at the earliest): the link is down for longer than it
    ({ alice, bob } = await pair(50));
  }, scaled(60_000));
  afterAll(async () => {
    await bob?.core.dispose();
    await alice?.core.dispose();
  });

  it(
    'loses the task on alice after the grace (audited), and is told when it comes back',
    async () => {
      const writer = await agent(bob, 'writer');
      const task = await post(alice, 'the silent winner');
      await remote(bob, task.id);
      await bob.call('tasks.bid', { task: task.id, agent: 'writer', capabilities: ['typescript'] });
      await remote(bob, task.id, (t) => t.assigneeId === writer.id);
      await bob.call('messages.read', { reader: 'writer' }); // the invitation, read

      // Freeze bob's end of the link as a hung machine would: it neither reads nor beats.
      const link = (
        bob.core.mesh as unknown as {
          peers: Map<string, { link: { beat: NodeJS.Timeout; auth: { ws: { _socket: { pause(): void } } } } }>;
        }
      ).peers
        .values()
        .next().value!.link;
      link.auth.ws._socket.pause();
      clearInterval(link.beat);

      const requeued = await waitFor('the task re-queued on alice', async () => {
        const t = await alice.call('tasks.get', { task: task.id });
        return t.history.some((h) => h.to === 'ABANDONED') ? t : null;
      });
      expect(['QUEUED', 'BIDDING']).toContain(requeued.state);
      expect(requeued.assigneeId).toBeNull();
      const abandoned = requeued.history.find((h) => h.to === 'ABANDONED')!;
      expect(abandoned.why).toMatch(/agent writer@bob is gone: machine bob unreachable for 0\.1 s/);
      const audited = (await alice.call('audit.list', { kind: 'task.abandoned', limit: 50 })).entries;
      expect(audited.find((e) => e.subject === task.id)?.data).toMatchObject({ why: abandoned.why });
      expect((await alice.call('locks.list', {})).flatMap((s) => s.locks)).toEqual([]);

      // the link comes back (a new one replaces the frozen one): bob hears the home's decision and tells writer
      const told = await waitFor(
        'writer told it lost the task',
        async () =>
          (await bob.call('messages.read', { reader: 'writer' })).find(
            (m) => m.task === task.id && /no longer yours/.test(m.body),
          ),
        scaled(30_000),
      );
      expect(told.body).toContain(task.id);
      const replica = await remote(bob, task.id, (t) => t.assigneeId === null);
      expect(replica.home).toMatchObject({ name: 'alice', reachable: true });
    },
    scaled(90_000),
  );
});
