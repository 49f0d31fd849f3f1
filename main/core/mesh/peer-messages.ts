// What a mesh node does with each message a linked peer sends once the link is up: registry sync (answer a
// `sync` from our feed; apply its `snapshot`/`changes` to its replica, asking again when they do not follow
// on, and tell the faces what changed), gossip of further peers, where its ingress listens, and team frames.
import type { EventBus } from '../events/event-bus.js';
import type { GossipPeer, LinkMessage } from './link-messages.js';
import type { Peer } from './mesh-peer.js';
import type { PeerLink } from './peer-link.js';
import type { RegistryFeed } from './registry-feed.js';
import type { TeamFrame } from './team-frames.js';

export interface PeerMessageDeps {
  feed: RegistryFeed;
  events: EventBus;
  /** a peer the sender knows of: an address to try */
  learned: (g: GossipPeer) => void;
  team: (frame: TeamFrame) => void;
}

/** `m` came on `link`, the live link of `peer` */
export function handlePeerMessage(deps: PeerMessageDeps, peer: Peer, link: PeerLink, m: LinkMessage): void {
  switch (m.t) {
    case 'sync':
      link.send(deps.feed.answer(m.epoch, m.since));
      peer.synced = true;
      return;
    case 'snapshot':
    case 'changes': {
      const result = peer.replica.apply(m);
      if (result.resync) link.send({ t: 'sync', epoch: peer.replica.epoch, since: peer.replica.seq });
      for (const c of result.changes) {
        deps.events.emit({
          type: 'peer.service',
          ts: Date.now(),
          agentId: peer.agentId,
          peerName: peer.name,
          change: c.change,
          service: c.service,
        });
      }
      return;
    }
    case 'peers':
      for (const g of m.peers) deps.learned(g);
      return;
    case 'ingress':
      peer.ingressPort = m.port;
      peer.ingressCert = m.cert;
      return;
    case 'team':
      deps.team({ from: { machineId: peer.agentId, name: peer.name }, ch: m.ch, m: m.m });
      return;
    case 'ready':
    case 'bye':
      return;
  }
}
