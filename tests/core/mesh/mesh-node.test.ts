// Real MeshNodes on loopback: membership by invite, mutual authentication, registry sync with numbered
// changes, heartbeats marking a silent peer unreachable, reconnect resuming without loss or duplication.
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { MeshMembership } from '../../../main/core/mesh/mesh-membership.js';
import { MeshTlsIdentity } from '../../../main/core/mesh/mesh-tls-identity.js';
import { scaled } from '../../helpers/load-scale.js';
import { until } from '../../helpers/until.js';
import { closeLoopbackAgents, HEARTBEAT_MS, loopbackAgent, svc } from '../../helpers/loopback-mesh.js';

afterEach(closeLoopbackAgents);
const agent = loopbackAgent;

describe('MeshNode on loopback', () => {
  it('links two agents of one mesh by invite and syncs their registries both ways', async () => {
    const alice = await agent('alice', (m) => m.init());
    alice.services.push(svc('api', '2.3.1'));
    alice.node.servicesChanged();
    const invite = alice.membership.invite([`127.0.0.1:${alice.node.port}`]);
    const bob = await agent('bob', (m) => m.join(invite), { peers: MeshMembership.parseInvite(invite).seeds });
    bob.services.push(svc('web', '1.0.0'));
    bob.node.servicesChanged();

    const seen = await until('bob to see alice with api', () =>
      bob.node.list().find((p) => p.name === 'alice' && p.state === 'connected' && p.services.length === 1),
    );
    expect(seen.services[0]).toMatchObject({ name: 'api', version: '2.3.1', state: 'healthy' });
    await until('alice to see bob with web', () =>
      alice.node.list().find((p) => p.name === 'bob' && p.services.some((s) => s.name === 'web')),
    );
    expect(bob.events.some((e) => e.type === 'peer.joined' && e.peer.name === 'alice')).toBe(true);

    // A change on alice reaches bob as a numbered change, with an event.
    alice.services[0] = svc('api', '2.4.0');
    alice.node.servicesChanged();
    await until('the new version on bob', () => bob.node.list()[0]?.services[0]?.version === '2.4.0');
    expect(
      bob.events.some((e) => e.type === 'peer.service' && e.change === 'changed' && e.service.version === '2.4.0'),
    ).toBe(true);
    alice.services.splice(0);
    alice.node.servicesChanged();
    await until('api gone on bob', () => bob.node.list()[0]?.services.length === 0);
    expect(
      bob.events.some((e) => e.type === 'peer.service' && e.change === 'disappeared' && e.service.name === 'api'),
    ).toBe(true);
  });

  it('refuses an agent holding a wrong secret, and ignores another mesh, on both ends', async () => {
    const alice = await agent('alice', (m) => m.init({ meshId: 'team-a' }));
    const address = `127.0.0.1:${alice.node.port}`;
    const invite = alice.membership.invite([address]);
    const parsed = MeshMembership.parseInvite(invite);
    // same mesh id, another secret
    const forged = `dmi1.${Buffer.from(JSON.stringify({ m: parsed.meshId, s: Buffer.alloc(32, 7).toString('base64url'), a: [address] })).toString('base64url')}`;
    const mallory = await agent('mallory', (m) => m.join(forged), { peers: [address] });
    const other = await agent('carol', (m) => m.init({ meshId: 'team-b' }), { peers: [address] });
    await until(
      'alice to log the refused link',
      () =>
        alice.warnings.some((w) => w.includes('auth-failed')) && alice.warnings.some((w) => w.includes('other-mesh')),
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(alice.node.list()).toEqual([]);
    expect(mallory.node.list()).toEqual([]);
    expect(other.node.list()).toEqual([]);
    expect(mallory.warnings.join('\n')).toMatch(/could not prove it holds this mesh's secret/);
  });

  it('marks a silent peer unreachable within 3 missed beats, and resumes sync without loss or duplication', async () => {
    const alice = await agent('alice', (m) => m.init());
    const invite = alice.membership.invite([`127.0.0.1:${alice.node.port}`]);
    const bob = await agent('bob', (m) => m.join(invite), { peers: [`127.0.0.1:${alice.node.port}`] });
    for (let i = 0; i < 5; i++) alice.services.push(svc(`s${i}`, '1.0.0'));
    alice.node.servicesChanged();
    await until('bob linked with 5 services', () => bob.node.list()[0]?.services.length === 5);

    // Freeze bob's end of the link as a hung process would: it neither reads nor beats.
    const link = (
      bob.node as unknown as {
        peers: Map<string, { link: { beat: NodeJS.Timeout; auth: { ws: { _socket: { pause(): void } } } } }>;
      }
    ).peers
      .values()
      .next().value!.link;
    link.auth.ws._socket.pause();
    clearInterval(link.beat);
    const frozenAt = Date.now();
    const gone = await until('alice to mark bob unreachable', () =>
      alice.events.find((e) => e.type === 'peer.unreachable'),
    );
    // 3 silent beats and half a beat (the link's rule), and the machine's noise
    expect(gone.ts - frozenAt).toBeLessThan(3.5 * HEARTBEAT_MS + scaled(400));
    expect(gone.type === 'peer.unreachable' && gone.reason).toMatch(/no heartbeat/);

    // Changes made while the link is down reach bob once it is back, exactly once each.
    alice.services[0] = svc('s0', '1.1.0');
    alice.services.push(svc('s5', '1.0.0'));
    alice.node.servicesChanged();
    await until(
      'bob to see alice again with the changes',
      () => {
        const p = bob.node.list()[0];
        return (
          p?.state === 'connected' &&
          p.services.length === 6 &&
          p.services.find((s) => s.name === 's0')?.version === '1.1.0'
        );
      },
      scaled(10_000),
    );
    const stats = bob.node.replicaStats(alice.node.agentId)!;
    expect(stats.snapshots).toBe(1);
    expect(stats.duplicates).toBe(0);
    expect(stats.applied).toBe(2);
  });

  it('refuses a link relayed through someone who terminates its TLS, though the relay passes every byte', async () => {
    const alice = await agent('alice', (m) => m.init());
    // The relay answers TLS with its own certificate and opens its own TLS connection to alice: a classic
    // man in the middle that forwards the handshake faithfully. Only the channel binding can catch it.
    const relayTls = await MeshTlsIdentity.create('relay');
    const relayed: tls.TLSSocket[] = [];
    const relay = tls.createServer({ ...relayTls.defaultCredentials() }, (inbound) => {
      const outbound = tls.connect({ host: '127.0.0.1', port: alice.node.port!, rejectUnauthorized: false });
      relayed.push(inbound, outbound);
      inbound.pipe(outbound).pipe(inbound);
      inbound.on('error', () => outbound.destroy());
      outbound.on('error', () => inbound.destroy());
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', () => r()));
    const relayPort = (relay.address() as { port: number }).port;
    try {
      const invite = alice.membership.invite([]);
      const bob = await agent('bob', (m) => m.join(invite), { peers: [`127.0.0.1:${relayPort}`] });
      const refused = await until('bob to refuse the relayed link', () =>
        bob.warnings.find((w) => w.includes('peer link refused') && w.includes('auth-failed')),
      );
      expect(refused).toContain('someone in the middle');
      expect(relayed.length).toBeGreaterThan(0);
      expect(bob.node.list().some((p) => p.state === 'connected')).toBe(false);
      expect(alice.node.list().some((p) => p.state === 'connected')).toBe(false);
    } finally {
      for (const s of relayed) s.destroy();
      await new Promise<void>((r) => relay.close(() => r()));
    }
  });
});
