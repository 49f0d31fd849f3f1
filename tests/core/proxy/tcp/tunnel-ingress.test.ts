// The peer tunnel between two real MeshNodes on loopback: alice's peer ingress (a ProxyServer with her mesh
// certificate and a TunnelIngress) and bob's TunnelDialer, admitted with the credentials of their live link.
// TCP bytes both ways with half-close, strangers and a wrong pinned certificate refused, hostile input that
// leaves the ingress answering, and published snapshots listed and fetched (verified by sha256).
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PeerSnapshot } from '../../../../shared/database.js';
import { MeshTlsIdentity } from '../../../../main/core/mesh/mesh-tls-identity.js';
import { ProxyServer } from '../../../../main/core/proxy/proxy-server.js';
import type { RoutablePeer } from '../../../../main/core/proxy/routable-peer.js';
import type { LocalTcpLookup } from '../../../../main/core/proxy/tcp/local-tcp-services.js';
import type { PublishedSnapshots } from '../../../../main/core/proxy/tcp/peer-tunnel-dialer.js';
import { TunnelDialer } from '../../../../main/core/proxy/tcp/tunnel-dialer.js';
import { TunnelIngress } from '../../../../main/core/proxy/tcp/tunnel-ingress.js';
import { TUNNEL_ALPN } from '../../../../main/core/proxy/tcp/tunnel-protocol.js';
import { scaled } from '../../../helpers/load-scale.js';
import { closeLoopbackAgents, loopbackAgent, type LoopbackAgent } from '../../../helpers/loopback-mesh.js';
import { until } from '../../../helpers/until.js';

const logger = pino({ level: 'silent' });
/** short, so a slowloris is seen dropped within the test; scaled so a loaded machine does not drop honest ones */
const HEAD_TIMEOUT_MS = scaled(400);
const TIMEOUT_MS = scaled(5_000);

/** Published snapshots over real files in a folder (the snapshot store stands in). */
class FolderSnapshots implements PublishedSnapshots {
  readonly entries: { info: Omit<PeerSnapshot, 'peer'>; path: string; announced?: string }[] = [];

  add(dir: string, name: string, bytes: Buffer, announced?: string): void {
    const path = join(dir, `${name}.dump`);
    writeFileSync(path, bytes);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    this.entries.push({
      path,
      announced,
      info: {
        project: 'shop',
        service: 'db',
        name,
        engine: 'postgres',
        engineVersion: '15.4',
        format: 'pg_dump custom',
        sizeBytes: bytes.length,
        sha256,
        createdAt: 1_700_000_000_000,
        published: true,
        source: null,
      },
    });
  }

  published(project: string | null): Omit<PeerSnapshot, 'peer'>[] {
    return this.entries.filter((e) => project === null || e.info.project === project).map((e) => e.info);
  }

  file(project: string, service: string, name: string): { path: string; size: number; sha256: string } | null {
    const e = this.entries.find(
      (x) => x.info.project === project && x.info.service === service && x.info.name === name,
    );
    return e ? { path: e.path, size: e.info.sizeBytes, sha256: e.announced ?? e.info.sha256 } : null;
  }
}

let alice: LoopbackAgent;
let bob: LoopbackAgent;
let server: ProxyServer;
let ingress: TunnelIngress;
let ingressPort: number;
let echo: net.Server;
let echoPort: number;
let deadPort: number;
let peer: RoutablePeer;
let dialer: TunnelDialer;
let dir: string;
const snapshots = new FolderSnapshots();

const lookup: LocalTcpLookup = {
  find(project, service) {
    if (project === 'shop' && service === 'echo') return { port: echoPort, label: 'alice/echo@1.0.0' };
    if (project === 'shop' && service === 'dead') return { port: deadPort, label: 'alice/dead@1.0.0' };
    return { code: 'SERVICE_NOT_FOUND', message: `alice has no service ${service} in project ${project}` };
  },
};

/** alice's peer ingress as the daemon builds it: HTTPS only, her mesh certificate, the tunnel hook */
function ingressDeps(): ConstructorParameters<typeof ProxyServer>[0] {
  return {
    routes: {
      resolve: () => ({ kind: 'denied', message: 'DevMesh peer ingress: no HTTP routes in this test.' }),
      ensureRunning: () => Promise.reject(new Error('not here')),
      reportFailure: () => {},
    },
    requests: { record: () => undefined },
    tls: alice.node.tls!,
    host: '127.0.0.1',
    httpPort: null,
    httpsPort: 0,
    instanceId: 'tunnel-test',
    logger,
    tunnels: ingress,
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'devmesh-tunnel-'));
  echo = net.createServer({ allowHalfOpen: true }, (s) => {
    s.on('error', () => s.destroy());
    s.pipe(s); // echoes, and ends its side once the client ended its own
  });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  echoPort = (echo.address() as net.AddressInfo).port;
  const closed = net.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  deadPort = (closed.address() as net.AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));

  let announced: number | null = null;
  alice = await loopbackAgent('alice', (m) => m.init(), {}, undefined, { ingressPort: () => announced });
  ingress = new TunnelIngress({
    admit: (auth) => alice.node.admit(auth),
    tcp: lookup,
    selfName: () => 'alice',
    logger,
    limits: { headTimeoutMs: HEAD_TIMEOUT_MS, connectTimeoutMs: TIMEOUT_MS },
  });
  server = new ProxyServer(ingressDeps());
  ingressPort = (await server.listen()).httpsPort!;
  announced = ingressPort;
  const invite = alice.membership.invite([`127.0.0.1:${alice.node.port}`]);
  bob = await loopbackAgent('bob', (m) => m.join(invite), { peers: [`127.0.0.1:${alice.node.port}`] });
  peer = await until(
    'bob to route to alice',
    () => bob.node.routable().find((p) => p.name === 'alice'),
    scaled(10_000),
  );
  dialer = new TunnelDialer({ agentId: () => bob.node.agentId, logger });
}, scaled(30_000));

afterAll(async () => {
  await server?.close();
  ingress?.dispose();
  await closeLoopbackAgents();
  await new Promise<void>((r) => (echo ? echo.close(() => r()) : r()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Sends `data`, ends its side, and collects what comes back until the other side ends. */
function roundTrip(socket: Duplex, data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const got: Buffer[] = [];
    socket.on('data', (d: Buffer) => got.push(d));
    socket.on('end', () => resolve(Buffer.concat(got)));
    socket.on('error', reject);
    socket.end(data);
  });
}

/** A raw client of the tunnel's TLS listener (a stranger: it checks no certificate). */
function rawTunnel(): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({
      host: '127.0.0.1',
      port: ingressPort,
      rejectUnauthorized: false,
      ALPNProtocols: [TUNNEL_ALPN],
    });
    s.once('secureConnect', () => resolve(s));
    s.once('error', reject);
  });
}

/** What the ingress answers (its first line) and whether it then closed. */
function answerOf(s: tls.TLSSocket): Promise<{ line: string; closed: Promise<void> }> {
  const closed = new Promise<void>((r) => s.once('close', () => r()));
  return new Promise((resolve, reject) => {
    let text = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      text += d;
      const nl = text.indexOf('\n');
      if (nl >= 0) resolve({ line: text.slice(0, nl), closed });
    });
    s.on('error', () => undefined);
    s.once('close', () => reject(new Error(`closed without an answer (got ${JSON.stringify(text)})`)));
  });
}

async function stillAnswering(): Promise<void> {
  const socket = (await dialer.openTcp(peer, { project: 'shop', service: 'echo', from: null }, TIMEOUT_MS)).socket;
  expect((await roundTrip(socket, Buffer.from('ping'))).toString()).toBe('ping');
}

describe('the peer tunnel between two linked MeshNodes', () => {
  it(
    'pipes a linked teammate to a TCP service behind the ingress, both ways, with half-close',
    async () => {
      const { socket, label } = await dialer.openTcp(
        peer,
        { project: 'shop', service: 'echo', from: 'api.shop' },
        TIMEOUT_MS,
      );
      expect(label).toBe('alice/echo@1.0.0');
      // 4 MB: more than any socket buffer, so both pipes must wait for drain; the echo ends only after our end.
      const payload = randomBytes(4 * 1024 * 1024);
      const back = await roundTrip(socket, payload);
      expect(back.length).toBe(payload.length);
      expect(back.equals(payload)).toBe(true);
    },
    scaled(30_000),
  );

  it('refuses a stranger and a wrong token with the reason, and a service it does not serve', async () => {
    const stranger = new TunnelDialer({ agentId: () => 'f00dfeedf00dfeed', logger });
    await expect(
      stranger.openTcp(peer, { project: 'shop', service: 'echo', from: null }, TIMEOUT_MS),
    ).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringContaining('holds no live link with this agent'),
    });
    const forged = { ...peer, token: 'AAAAAAAAAAAAAAAAAAAAAA' };
    await expect(dialer.listSnapshots(forged, null, TIMEOUT_MS)).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringContaining('do not match its link'),
    });
    await expect(
      dialer.openTcp(peer, { project: 'shop', service: 'nope', from: null }, TIMEOUT_MS),
    ).rejects.toMatchObject({
      code: 'SERVICE_NOT_FOUND',
      message: 'alice has no service nope in project shop',
    });
    await expect(
      dialer.openTcp(peer, { project: 'shop', service: 'dead', from: null }, TIMEOUT_MS),
    ).rejects.toMatchObject({
      code: 'SERVICE_FAILED',
      message: expect.stringContaining(`alice/dead@1.0.0 did not accept a connection at 127.0.0.1:${deadPort}`),
    });
  });

  it('trusts only the certificate the link announced', async () => {
    const other = await MeshTlsIdentity.create('someone-else');
    const err = await dialer
      .openTcp({ ...peer, ingressCert: other.certPem }, { project: 'shop', service: 'echo', from: null }, TIMEOUT_MS)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'MACHINE_UNREACHABLE',
      message: expect.stringContaining("alice's peer ingress at 127.0.0.1:"),
    });
    expect((err as Error).message).toContain('presented a certificate other than the one its mesh link announced');
    // An ingress without the tunnel (a DevMesh from before it) does not negotiate its ALPN.
    const older = new ProxyServer({ ...ingressDeps(), tunnels: undefined });
    const olderPort = (await older.listen()).httpsPort!;
    try {
      await expect(dialer.listSnapshots({ ...peer, ingressPort: olderPort }, null, TIMEOUT_MS)).rejects.toMatchObject({
        code: 'MACHINE_UNREACHABLE',
        message: `alice's peer ingress at 127.0.0.1:${olderPort} does not offer the peer tunnel (devmesh-tunnel/1): update DevMesh on that machine`,
      });
    } finally {
      await older.close();
    }
    await expect(dialer.listSnapshots({ ...peer, ingressPort: deadPort }, null, TIMEOUT_MS)).rejects.toMatchObject({
      code: 'MACHINE_UNREACHABLE',
      message: expect.stringContaining('refused the connection'),
    });
  });

  it(
    'answers hostile input with a refusal or a drop, and keeps answering',
    async () => {
      const garbage = await rawTunnel();
      const a1 = answerOf(garbage);
      garbage.write('GET / HTTP/1.1\r\n');
      const g = await a1;
      expect(JSON.parse(g.line)).toMatchObject({ ok: false, code: 'BAD_REQUEST' });
      await g.closed;

      const unknown = await rawTunnel();
      const a2 = answerOf(unknown);
      unknown.write('{"kind":"shell","auth":"x"}\n');
      expect(JSON.parse((await a2).line)).toMatchObject({
        ok: false,
        code: 'BAD_REQUEST',
        message: expect.stringContaining('tcp, snapshots, snapshot'),
      });

      const big = await rawTunnel();
      const a3 = answerOf(big);
      big.write(`{"kind":"tcp","auth":"${'x'.repeat(9 * 1024)}`);
      expect(JSON.parse((await a3).line)).toMatchObject({ ok: false, code: 'MESSAGE_TOO_LARGE' });

      // A slowloris sends nothing: dropped after the head timeout; meanwhile others are served.
      const slow = await rawTunnel();
      const slowClosed = new Promise<void>((r) => slow.once('close', () => r()));
      slow.on('error', () => undefined);
      await stillAnswering();
      await slowClosed;

      const half = await rawTunnel();
      half.on('error', () => undefined);
      half.end('{"kind":"tcp","auth":"');
      await new Promise<void>((r) => half.once('close', () => r()));

      await stillAnswering();
      // The HTTP side of the same listener is unaffected.
      const status = await new Promise<number>((resolve, reject) => {
        const req = https.request(
          {
            host: '127.0.0.1',
            port: ingressPort,
            path: '/',
            agent: false,
            ca: [peer.ingressCert],
            checkServerIdentity: () => undefined,
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(status).toBe(403);
    },
    scaled(30_000),
  );
});

describe('published snapshots through the tunnel', () => {
  it('lists none and knows none until the snapshot store is wired', async () => {
    ingress.serveSnapshots(null);
    expect(await dialer.listSnapshots(peer, null, TIMEOUT_MS)).toEqual([]);
    await expect(
      dialer.fetchSnapshot(peer, { project: 'shop', service: 'db', name: 'x' }, join(dir, 'x.dump'), TIMEOUT_MS),
    ).rejects.toMatchObject({ code: 'SERVICE_NOT_FOUND', message: 'alice has published no snapshot x of db.shop' });
  });

  it(
    'lists what alice published and fetches one whole, verified, under its name',
    async () => {
      const bytes = randomBytes(3 * 1024 * 1024 + 17);
      snapshots.add(dir, 'seeded', bytes);
      ingress.serveSnapshots(snapshots);
      const listed = await dialer.listSnapshots(peer, 'shop', TIMEOUT_MS);
      expect(listed).toEqual([expect.objectContaining({ name: 'seeded', peer: 'alice', sizeBytes: bytes.length })]);
      expect(await dialer.listSnapshots(peer, 'other', TIMEOUT_MS)).toEqual([]);

      const dest = join(dir, 'pulled', 'seeded.dump');
      const got = await dialer.fetchSnapshot(
        peer,
        { project: 'shop', service: 'db', name: 'seeded' },
        dest,
        TIMEOUT_MS,
      );
      expect(got).toEqual({ size: bytes.length, sha256: listed[0]!.sha256 });
      expect(readFileSync(dest).equals(bytes)).toBe(true);
      expect(readdirSync(join(dir, 'pulled'))).toEqual(['seeded.dump']);
    },
    scaled(30_000),
  );

  it(
    'refuses a file whose bytes do not match the announced sha256 and leaves nothing behind',
    async () => {
      snapshots.add(dir, 'damaged', randomBytes(256 * 1024), 'ab'.repeat(32));
      ingress.serveSnapshots(snapshots);
      const dest = join(dir, 'corrupt', 'damaged.dump');
      await expect(
        dialer.fetchSnapshot(peer, { project: 'shop', service: 'db', name: 'damaged' }, dest, TIMEOUT_MS),
      ).rejects.toMatchObject({
        code: 'SNAPSHOT_CORRUPT',
        message: expect.stringContaining('does not match its sha256'),
      });
      expect(existsSync(dest)).toBe(false);
      expect(readdirSync(join(dir, 'corrupt'))).toEqual([]);
      await stillAnswering();
    },
    scaled(30_000),
  );
});
