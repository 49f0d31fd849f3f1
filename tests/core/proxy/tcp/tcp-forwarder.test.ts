// The forwarder of one stable address on its own, with real sockets: failover to the next candidate when
// connecting fails (here a closed local port, then a teammate's instance through a stand-in for the peer
// tunnel that connects to a local echo server), the failure counted when none answers, and a reset upstream
// ending the client's connection rather than leaving it hanging.
import { connect, createServer, type Server, type Socket } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { RoutablePeer } from '../../../../main/core/proxy/routable-peer.js';
import type { ForwardDecision } from '../../../../main/core/proxy/route-decision.js';
import type { PeerTunnelDialer } from '../../../../main/core/proxy/tcp/peer-tunnel-dialer.js';
import { TcpCounters } from '../../../../main/core/proxy/tcp/tcp-counters.js';
import { TcpDialer } from '../../../../main/core/proxy/tcp/tcp-dialer.js';
import { TcpForwarder, type TcpPlan } from '../../../../main/core/proxy/tcp/tcp-forwarder.js';
import { until } from '../../../helpers/until.js';

const servers: Server[] = [];
const forwarders: TcpForwarder[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const f of forwarders.splice(0)) await f.close();
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

async function listen(handler: (s: Socket) => void): Promise<number> {
  const server = createServer({ allowHalfOpen: true }, (s) => {
    s.on('error', () => {});
    handler(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  servers.push(server);
  return (server.address() as { port: number }).port;
}

/** a port nothing listens on */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

const PEER: RoutablePeer = {
  agentId: 'agent-alice',
  name: 'alice',
  host: '10.0.0.2',
  ingressPort: 7791,
  ingressCert: 'PEM',
  latencyMs: 1,
  token: 'token',
  services: [],
};

function candidate(kind: 'local' | 'peer', port: number): ForwardDecision {
  const local = kind === 'local';
  return {
    kind: 'forward',
    project: 'shop',
    service: 'db',
    target: local ? { host: '127.0.0.1', port } : { host: PEER.host, port: PEER.ingressPort, tls: { cert: 'PEM' } },
    upstream: local ? `127.0.0.1:${port}` : `alice ${PEER.host}:${PEER.ingressPort}`,
    label: local ? 'me/db@15.0.0' : 'alice/db@15.0.0',
    key: local ? 'me/shop/db' : 'agent-alice/shop/db',
    caller: null,
    stripPrefix: null,
    rewrite: null,
    alternates: [],
  };
}

/** Stands in for the peer tunnel: "alice's instance" is a local port. */
function standInTunnel(port: number, opened: string[]): PeerTunnelDialer {
  return {
    openTcp: async (peer, target, timeoutMs) => {
      opened.push(`${peer.name} ${target.project}/${target.service} from ${target.from}`);
      const socket = await TcpDialer.local('127.0.0.1', port, timeoutMs);
      return { socket, label: 'alice/db@15.0.0' };
    },
    listSnapshots: () => Promise.resolve([]),
    fetchSnapshot: () => Promise.reject(new Error('not in this test')),
  };
}

async function forwarder(plan: () => Promise<TcpPlan>, tunnel: PeerTunnelDialer | null) {
  const counters = new TcpCounters();
  const failures: string[] = [];
  const dialer = new TcpDialer({ peers: () => [PEER], tunnel: () => tunnel });
  const f = new TcpForwarder({
    project: 'shop',
    service: 'db',
    host: '127.0.0.1',
    port: await closedPort(),
    counters,
    plan,
    dial: (c, ms) => dialer.dial(c, ms),
    reportFailure: (key) => failures.push(key),
    logger: pino({ level: 'silent' }),
  });
  expect(await f.listen()).toBeNull();
  forwarders.push(f);
  return { f, counters, failures };
}

function client(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    sockets.push(s);
    s.once('error', reject);
    s.once('connect', () => resolve(s));
  });
}

function ended(s: Socket): Promise<string> {
  let got = '';
  s.on('data', (d: Buffer) => (got += d.toString()));
  return new Promise((resolve) => {
    s.once('end', () => resolve(got));
    s.once('close', () => resolve(got));
  });
}

describe('TcpForwarder', () => {
  it('fails over to the next candidate when connecting to the first fails', async () => {
    const echo = await listen((s) => s.pipe(s));
    const opened: string[] = [];
    const dead = await closedPort();
    const plan = (): Promise<TcpPlan> =>
      Promise.resolve({ kind: 'forward', candidates: [candidate('local', dead), candidate('peer', echo)] });
    const { f, counters, failures } = await forwarder(plan, standInTunnel(echo, opened));
    const s = await client(f.port);
    const answer = ended(s);
    s.end('through alice');
    expect(await answer).toBe('through alice');
    expect(failures).toEqual(['me/shop/db']);
    expect(opened).toEqual(['alice shop/db from null']);
    await until('closed', () => counters.snapshot().connections === 0);
    expect(counters.snapshot()).toMatchObject({ totalConnections: 1, failedConnections: 0, bytesIn: 13, bytesOut: 13 });
  });

  it('closes the client and counts a failure when no candidate can be reached', async () => {
    const dead = await closedPort();
    const plan = (): Promise<TcpPlan> =>
      Promise.resolve({ kind: 'forward', candidates: [candidate('local', dead), candidate('peer', dead)] });
    // no tunnel wired in: the teammate is said to be unreachable
    const { f, counters, failures } = await forwarder(plan, null);
    const s = await client(f.port);
    s.write('hello?');
    expect(await ended(s)).toBe('');
    expect(failures).toEqual(['me/shop/db', 'agent-alice/shop/db']);
    await until('counted', () => counters.snapshot().failedConnections === 1);
  });

  it("ends the client's connection when the instance resets it", async () => {
    const port = await listen((s) => s.once('data', () => s.resetAndDestroy()));
    const plan = (): Promise<TcpPlan> => Promise.resolve({ kind: 'forward', candidates: [candidate('local', port)] });
    const { f, counters } = await forwarder(plan, null);
    const s = await client(f.port);
    const done = ended(s);
    s.on('error', () => {});
    s.write('boom');
    await done;
    await until('closed', () => counters.snapshot().connections === 0);
  });

  it('reports a busy port as a problem instead of throwing', async () => {
    const busy = await listen(() => {});
    const f = new TcpForwarder({
      project: 'shop',
      service: 'db',
      host: '127.0.0.1',
      port: busy,
      counters: new TcpCounters(),
      plan: () => Promise.resolve({ kind: 'none', why: 'test' }),
      dial: () => Promise.reject(new Error('unused')),
      reportFailure: () => {},
      logger: pino({ level: 'silent' }),
    });
    expect(await f.listen()).toMatch(new RegExp(`127\\.0\\.0\\.1:${busy} is already in use by another program`));
    await f.close();
  });
});
