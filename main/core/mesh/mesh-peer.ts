// What a mesh node keeps of one peer across its links (a link comes and goes, the peer record stays): its
// state, the registry replica, the last figures of its last link and where its ingress listens. Also the
// two views of it the rest of DevMesh reads: PeerInfo (the API) and RoutablePeer (the proxy).
import type { PeerInfo, PeerSource, PeerState } from '../../../shared/mesh.js';
import type { RoutablePeer } from '../proxy/routable-peer.js';
import type { AuthenticatedSocket } from './link-handshake.js';
import type { PeerLink } from './peer-link.js';
import { PeerReplica } from './peer-replica.js';

export interface Peer {
  agentId: string;
  name: string;
  address: string | null;
  via: PeerSource;
  state: PeerState;
  since: number;
  link: PeerLink | null;
  replica: PeerReplica;
  lastLatency: number | null;
  lastHeartbeat: number | null;
  /** where its peer ingress listens and the certificate it serves, from its `ingress` message */
  ingressPort: number | null;
  ingressCert: string | null;
  /** this link's first `sync` was answered: numbered changes may follow */
  synced: boolean;
}

/** a peer first met through the link `auth` authenticated (not linked yet: the node attaches the link) */
export function newPeer(auth: AuthenticatedSocket, via: PeerSource, now: number): Peer {
  return {
    agentId: auth.remoteId,
    name: auth.remoteName,
    address: null,
    via,
    state: 'connecting',
    since: now,
    link: null,
    replica: new PeerReplica(),
    lastLatency: null,
    lastHeartbeat: null,
    ingressPort: null,
    ingressCert: null,
    synced: false,
  };
}

export function describePeer(p: Peer): PeerInfo {
  return {
    agentId: p.agentId,
    name: p.name,
    address: p.address,
    state: p.state,
    via: p.via,
    latencyMs: p.link ? p.link.latencyMs : p.lastLatency,
    lastHeartbeat: p.link?.lastHeartbeat ?? p.lastHeartbeat,
    since: p.since,
    services: p.state === 'connected' ? p.replica.list() : [],
    bytesSent: p.link?.bytesSent ?? 0,
    bytesReceived: p.link?.bytesReceived ?? 0,
    sync: { ...p.replica.stats },
  };
}

/** the peer as routing may choose it: connected on an open link with its ingress known; else null */
export function routablePeer(p: Peer): RoutablePeer | null {
  const link = p.link;
  if (p.state !== 'connected' || link === null || !link.isOpen || p.ingressPort === null || p.ingressCert === null)
    return null;
  return {
    agentId: p.agentId,
    name: p.name,
    host: link.remoteIp,
    ingressPort: p.ingressPort,
    ingressCert: p.ingressCert,
    latencyMs: link.effectiveLatencyMs,
    token: link.auth.crypto.ingressToken(),
    services: p.replica.list(),
  };
}
