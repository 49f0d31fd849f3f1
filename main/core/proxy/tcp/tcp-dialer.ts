// Reaches one candidate of a TCP forward: this machine's instance by a plain loopback connection, a
// teammate's through the peer tunnel (PeerTunnelDialer, TLS to their ingress, pinned), or says why not.
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import type { RoutablePeer } from '../routable-peer.js';
import type { ForwardDecision } from '../route-decision.js';
import type { PeerTunnelDialer } from './peer-tunnel-dialer.js';

export interface TcpDialerDeps {
  /** the connected teammates, as routing sees them (MeshNode.routable) */
  peers: () => readonly RoutablePeer[];
  /** null until the tunnel is wired in: a teammate's instance is then unreachable (and said so) */
  tunnel: () => PeerTunnelDialer | null;
}

export class TcpDialer {
  constructor(private readonly deps: TcpDialerDeps) {}

  dial(candidate: ForwardDecision, timeoutMs: number): Promise<Duplex> {
    if (candidate.target.tls === undefined)
      return TcpDialer.local(candidate.target.host, candidate.target.port, timeoutMs);
    const agentId = candidate.key.slice(0, candidate.key.indexOf('/'));
    const peer = this.deps.peers().find((p) => p.agentId === agentId);
    if (peer === undefined) return Promise.reject(new Error(`${candidate.upstream} is no longer connected`));
    const tunnel = this.deps.tunnel();
    if (tunnel === null) return Promise.reject(new Error('this build of DevMesh has no peer tunnel'));
    const target = { project: candidate.project, service: candidate.service, from: null };
    return tunnel.openTcp(peer, target, timeoutMs).then(({ socket }) => socket);
  }

  static local(host: string, port: number, timeoutMs: number): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port, allowHalfOpen: true });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no connection within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('error', (err) => {
        clearTimeout(timer);
        socket.destroy();
        reject(err);
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        socket.setNoDelay(true);
        resolve(socket);
      });
    });
  }
}
