// `devmesh msg send` across the mesh, end to end: two real daemons (alice, bob) meshed on loopback, each with
// its SQLite store. A message to bob's human arrives on bob with its sender's machine; while bob's daemon is
// down a message is queued on alice (shown as such), and delivered once when bob is up again; an unknown
// recipient is refused with how to name one.
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../../shared/message.js';
import { tempDir, waitFor } from '../api/test-project.js';
import { scaled } from '../helpers/load-scale.js';
import { CliHarness, ensureCliBuilt, type RunningCli } from './cli-harness.js';

const tmp = tempDir('devmesh-cli-team-msg-');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function machine(name: string, meshPort: number, peers: string[]): CliHarness {
  return new CliHarness(join(tmp.dir, name), tmp.dir, {
    DEVMESH_AGENT_NAME: name,
    DEVMESH_MESH_HOST: '127.0.0.1',
    DEVMESH_MESH_PORT: String(meshPort),
    DEVMESH_MESH_INGRESS_PORT: '0',
    DEVMESH_PROXY_HTTP_PORT: '0',
    DEVMESH_PROXY_HTTPS_PORT: '0',
    DEVMESH_MESH_MDNS: 'off',
    DEVMESH_MESH_HEARTBEAT: String(scaled(200)),
    ...(peers.length ? { DEVMESH_MESH_PEERS: peers.join(',') } : {}),
  });
}

let alice: CliHarness;
let bob: CliHarness;
const daemons: Record<string, RunningCli> = {};

async function ok(cli: CliHarness, args: string[]): Promise<string> {
  const r = await cli.run(args);
  expect(r.code, `devmesh ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

/** retried while alice does not know bob yet (the first link has not come up) */
async function sendWhenKnown(args: string[]): Promise<string> {
  return waitFor(
    'alice to know bob',
    async () => {
      const r = await alice.run(args);
      if (r.code !== 0 && !/no machine "bob"/.test(r.stderr)) throw new Error(r.stderr);
      return r.code === 0 ? r.stdout : null;
    },
    scaled(30_000),
    200,
  );
}

beforeAll(async () => {
  ensureCliBuilt();
  const alicePort = await freePort();
  const bobPort = await freePort();
  alice = machine('alice', alicePort, []);
  bob = machine('bob', bobPort, [`127.0.0.1:${alicePort}`]);
  await ok(alice, ['mesh', 'init']);
  const invite = (await ok(alice, ['mesh', 'invite'])).trim();
  await ok(bob, ['mesh', 'join', invite]);
  daemons.alice = (await alice.up([])).daemon;
  daemons.bob = (await bob.up([])).daemon;
}, scaled(120_000));

afterAll(async () => {
  for (const d of Object.values(daemons)) await d.stop('SIGTERM');
  tmp.dispose();
});

describe('devmesh msg send across the mesh', () => {
  it(
    "sends to a teammate's human, queues while the machine is down and delivers once when it is back",
    async () => {
      const sent = await sendWhenKnown(['msg', 'send', 'user@bob', 'lunch', 'at', 'noon?']);
      expect(sent).toMatch(/Sent #\d+ to user@bob\./);
      const arrived = await waitFor(
        'the message on bob',
        async () => (await bob.json<Message[]>(['msg', 'ls'])).find((m) => m.body === 'lunch at noon?'),
        scaled(20_000),
      );
      expect(arrived).toMatchObject({ to: 'user', fromName: 'user', fromMachine: 'alice' });
      expect(await ok(bob, ['msg', 'ls'])).toMatch(/user@alice\s+user\s+-\s+lunch at noon\?/);
      await waitFor(
        'delivered on alice',
        async () => (await alice.json<Message[]>(['msg', 'ls']))[0]?.queued === 0,
        scaled(20_000),
      );

      await daemons.bob!.stop('SIGTERM');
      const queued = await ok(alice, ['msg', 'send', 'user@bob', 'while you were away']);
      expect(queued).toMatch(/Queued until 1 machine acknowledges it/);
      expect(await ok(alice, ['msg', 'ls', '--limit', '1'])).toMatch(/user@bob \(queued\)\s+-\s+while you were away/);

      daemons.bob = (await bob.up([])).daemon;
      await waitFor(
        'the queued message on bob',
        async () => (await bob.json<Message[]>(['msg', 'ls'])).some((m) => m.body === 'while you were away'),
        scaled(30_000),
      );
      await waitFor(
        'acknowledged on alice',
        async () => (await alice.json<Message[]>(['msg', 'ls']))[0]?.queued === 0,
        scaled(20_000),
      );
      const onBob = await bob.json<Message[]>(['msg', 'ls']);
      expect(onBob.filter((m) => m.body === 'while you were away')).toHaveLength(1);
      expect(onBob.filter((m) => m.body === 'lunch at noon?')).toHaveLength(1);
    },
    scaled(180_000),
  );

  it('refuses an unknown recipient, saying how to name one', async () => {
    const r = await alice.run(['msg', 'send', 'ghost', 'hello']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no agent "ghost" on this machine \(alice\)/);
    expect(r.stderr).toMatch(/name@machine \(machines known: bob\)/);
    const bad = await alice.run(['msg', 'send', 'ghost@nowhere', 'hello']);
    expect(bad.stderr).toMatch(/no machine "nowhere" known in the mesh/);
  });
});
