// This agent in its mesh: listens for peer links, dials the peers it learns of (static list, invite seeds,
// mDNS, gossip), keeps one authenticated link per peer, syncs registries both ways and tells the faces
// who joined, left, went silent or came back. Liveness comes from the link's heartbeat only: mDNS and
// gossip just supply addresses to try.
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import type { MeshInfo, MeshService, PeerInfo, PeerSource } from '../../../shared/mesh.js';
import type { EventBus } from '../events/event-bus.js';
import type { MeshSettings } from '../settings/user-settings.js';
import * as linkHandshake from './link-handshake.js';
import { LinkRefused, type AuthenticatedSocket, type LinkEndpoint } from './link-handshake.js';
import { LINK_CLOSE, type GossipPeer, type LinkMessage } from './link-messages.js';
import type { MeshMembership, MeshMembershipData } from './mesh-membership.js';
import { PeerLink } from './peer-link.js';
import type { PeerReplica } from './peer-replica.js';
import { chooseLink } from './duplicate-link.js';
import { describePeer, newPeer, routablePeer, type Peer } from './mesh-peer.js';
import { admitToIngress } from './ingress-admission.js';
import { handlePeerMessage, type PeerMessageDeps } from './peer-messages.js';
import { RegistryFeed } from './registry-feed.js';
import { PeerDialer } from './peer-dialer.js';
import { MeshTlsIdentity } from './mesh-tls-identity.js';
import { MeshListener } from './mesh-listener.js';
import * as lanAddresses from './lan-addresses.js';
import type { RoutablePeer } from '../proxy/routable-peer.js';
import { Emitter } from '../base/emitter.js';
import type { LinkedMachine, TeamFrame, UnlinkedMachine } from './team-frames.js';

export interface MeshNodeDeps {
  membership: MeshMembership;
  settings: MeshSettings;
  events: EventBus;
  logger: Logger;
  /** this agent's services as the mesh should see them */
  services: () => MeshService[];
  /** the port of this agent's peer ingress, announced to every peer (null: not listening) */
  ingressPort?: () => number | null;
  /** a peer's link is gone (unreachable or left): requests in flight to its ingress cannot be answered */
  onPeerGone?: (ingress: { host: string; port: number; name: string; reason: string }) => void;
  /** starts mDNS for this advert; returns a stop function (null: mDNS off or unavailable) */
  startMdns?: (node: MeshNode, meshId: string, port: number) => (() => void) | null;
}

export class MeshNode {
  private membership: MeshMembershipData | null = null;
  private listener: MeshListener | null = null;
  private identity: MeshTlsIdentity | null = null;
  private listenPort: number | null = null;
  private readonly peers = new Map<string, Peer>();
  private readonly feed: RegistryFeed;
  private dialer: PeerDialer;
  private stopMdns: (() => void) | null = null;
  private readonly problems: string[] = [];
  private closed = false;
  private readonly linkUp = new Emitter<LinkedMachine>({ name: 'machine linked' });
  private readonly linkDown = new Emitter<UnlinkedMachine>({ name: 'machine unlinked' });
  private readonly teamFrame = new Emitter<TeamFrame>({ name: 'team frame' });
  private readonly messageDeps: PeerMessageDeps;
  /**
   * A machine's link is up. It fires again for a machine already up when a new link replaced the old one (a
   * restart, a reconnect): frames sent on the old link may be lost, so the team re-sends what is pending.
   */
  readonly onLinkUp = this.linkUp.event;
  /** A machine's link is gone (unreachable, left, or this node closing). */
  readonly onLinkDown = this.linkDown.event;
  /** A team frame arrived (unread: its channel validates `m`). */
  readonly onTeamFrame = this.teamFrame.event;

  constructor(private readonly deps: MeshNodeDeps) {
    this.feed = new RegistryFeed(deps.services);
    this.messageDeps = {
      feed: this.feed,
      events: deps.events,
      learned: (g) => this.learned(g),
      team: (frame) => this.teamFrame.fire(frame),
    };
    this.dialer = new PeerDialer((address, via) => this.dial(address, via), deps.logger);
  }

  get agentId(): string {
    return this.deps.membership.agentId;
  }
  get name(): string {
    return this.deps.settings.name;
  }
  get port(): number | null {
    return this.listenPort;
  }
  /** this agent's TLS certificate and key (links, and the peer ingress), null outside a mesh */
  get tls(): MeshTlsIdentity | null {
    return this.identity;
  }

  async start(): Promise<void> {
    try {
      this.membership = this.deps.membership.read();
    } catch (err) {
      this.problems.push((err as Error).message);
      return;
    }
    if (this.membership === null) return;
    await this.prepareTls();
    this.feed.refresh();
    await this.listen();
    for (const address of this.deps.settings.peers) this.dialer.want(address, 'static', true);
    for (const address of this.membership.seeds ?? []) this.dialer.want(address, 'invite', true);
    if (this.deps.settings.mdns && this.listenPort !== null && this.deps.startMdns) {
      try {
        this.stopMdns = this.deps.startMdns(this, this.membership.meshId, this.listenPort);
      } catch (err) {
        this.problems.push(
          `mDNS discovery is off: ${(err as Error).message}. Peers can still be listed under mesh.peers in config.yaml.`,
        );
      }
    }
  }

  /** Makes this agent's TLS identity (once per daemon start): before the ingress listens or a link opens. */
  async prepareTls(): Promise<MeshTlsIdentity> {
    return (this.identity ??= await MeshTlsIdentity.create(this.agentId));
  }

  /** A candidate from discovery (mDNS or a seed): dialed unless already linked. */
  offer(candidate: { agentId?: string; meshId?: string; address: string; via: PeerSource }): void {
    if (this.membership === null || this.closed) return;
    if (candidate.meshId !== undefined && candidate.meshId !== this.membership.meshId) {
      this.deps.logger.debug(
        { domain: 'mesh', address: candidate.address, mesh: candidate.meshId },
        'ignoring an agent of another mesh',
      );
      return;
    }
    if (candidate.agentId === this.agentId) return;
    if (candidate.agentId !== undefined && this.peers.get(candidate.agentId)?.link?.isOpen) return;
    this.dialer.want(candidate.address, candidate.via, candidate.via === 'static');
  }

  /** Local services changed: number the changes and send them to every linked peer. */
  servicesChanged(): void {
    if (this.membership === null) return;
    const items = this.feed.refresh();
    if (items.length === 0) return;
    // A link whose first `sync` is not answered yet gets these in that answer: sent now, they would come
    // before its snapshot and force a resync.
    for (const peer of this.peers.values())
      if (peer.synced) peer.link?.send({ t: 'changes', epoch: this.feed.epoch, items });
  }

  info(): MeshInfo {
    const port = this.listenPort;
    return {
      member: this.membership !== null,
      meshId: this.membership?.meshId ?? null,
      agentId: this.agentId,
      name: this.name,
      port: this.listenPort,
      ingressPort: this.membership === null ? null : (this.deps.ingressPort?.() ?? null),
      addresses:
        port === null ? [] : this.servedAddresses().map((ip) => (ip.includes(':') ? `[${ip}]:` : `${ip}:`) + port),
      mdns: this.stopMdns !== null,
      problems: [...this.problems],
    };
  }

  /** The addresses teammates reach the peer listener on (those of its bind host, mesh.host): what mDNS
   * publishes for this agent's host name, and what `info()` lists. */
  servedAddresses(): string[] {
    return lanAddresses.served(this.deps.settings.host);
  }

  list(): PeerInfo[] {
    return [...this.peers.values()].map((p) => describePeer(p));
  }

  /** A problem of a part the node relies on (e.g. the peer ingress could not bind), shown in `info()`. */
  addProblem(problem: string): void {
    this.problems.push(problem);
  }

  /** Connected peers whose ingress is known: the instances routing may choose among. */
  routable(): RoutablePeer[] {
    const out: RoutablePeer[] = [];
    for (const p of this.peers.values()) {
      const routable = routablePeer(p);
      if (routable !== null) out.push(routable);
    }
    return out;
  }

  /**
   * Admission to this agent's peer ingress: `<agentId> <token>` from the X-DevMesh-Mesh header, checked
   * against the live link with that agent. Returns the peer's name, or why it is refused.
   */
  admit(header: string | null): { peer: string } | { refused: string } {
    return admitToIngress(header, this.membership !== null, (id) => this.peers.get(id)?.link);
  }

  /** The replica counters of a peer (also in `list()` as `sync`). */
  replicaStats(agentId: string): PeerReplica['stats'] | null {
    return this.peers.get(agentId)?.replica.stats ?? null;
  }

  /** Sends a team frame on the live link to `machineId`; false when there is none (the machine is down). */
  sendTeam(machineId: string, ch: string, m: unknown): boolean {
    const link = this.peers.get(machineId)?.link;
    if (link === null || link === undefined || !link.isOpen) return false;
    link.send({ t: 'team', ch, m });
    return true;
  }

  /** The machines with a live link now. */
  linkedMachines(): LinkedMachine[] {
    const out: LinkedMachine[] = [];
    for (const p of this.peers.values())
      if (p.link?.isOpen) out.push({ machineId: p.agentId, name: p.name, address: p.address });
    return out;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.shutdown('the agent is shutting down');
  }

  /**
   * The membership changed (`devmesh mesh init|join|leave` while DevMesh runs): says goodbye to every
   * peer, then starts again with the new membership, without a daemon restart.
   */
  async reload(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.shutdown('its mesh membership changed');
    for (const p of this.peers.values())
      if (p.state !== 'unreachable') this.emitPeer('peer.left', p, 'this agent changed its mesh membership');
    this.peers.clear();
    this.problems.length = 0;
    this.membership = null;
    this.listenPort = null;
    this.listener = null;
    this.stopMdns = null;
    this.dialer = new PeerDialer((address, via) => this.dial(address, via), this.deps.logger);
    this.closed = false;
    await this.start();
  }

  private async shutdown(reason: string): Promise<void> {
    this.stopMdns?.();
    this.dialer.dispose();
    // the goodbyes leave before the listener cuts the sockets it accepted (a peer would read a cut as silence)
    await Promise.all(
      [...this.peers.values()].map((p) => p.link?.close(LINK_CLOSE.leaving, reason) ?? Promise.resolve()),
    );
    await this.listener?.close();
  }

  private endpoint(): LinkEndpoint {
    return {
      meshId: this.membership!.meshId,
      secret: this.membership!.secret,
      agentId: this.agentId,
      name: this.name,
      port: this.listenPort,
      heartbeatMs: this.deps.settings.heartbeatMs,
      tls: this.identity!,
    };
  }

  private async listen(): Promise<void> {
    const { host, port } = this.deps.settings;
    const opened = await MeshListener.open(host, port, this.identity!, this.deps.logger, (ws, ip, binding) =>
      this.accepted(ws, ip, binding),
    );
    if ('problem' in opened) return void this.problems.push(opened.problem);
    this.listener = opened;
    this.listenPort = opened.port;
    this.deps.logger.info(
      { domain: 'mesh', port: opened.port, mesh: this.membership!.meshId },
      'mesh peer listener up',
    );
  }

  private accepted(ws: WebSocket, remoteIp: string, binding: string): void {
    if (this.closed || this.membership === null) return void ws.terminate();
    linkHandshake.accept(ws, remoteIp, this.endpoint(), binding).then(
      (auth) => this.linked(auth, 'inbound'),
      (err: Error) => this.refused(remoteIp, err),
    );
  }

  private async dial(address: string, via: PeerSource): Promise<boolean> {
    if (this.closed || this.membership === null) return true;
    try {
      const auth = await linkHandshake.dial(address, this.endpoint());
      this.linked(auth, via, address);
      return true;
    } catch (err) {
      this.refused(address, err as Error);
      // another mesh or ourselves: never worth trying again
      return err instanceof LinkRefused && (err.code === 'other-mesh' || err.code === 'self');
    }
  }

  private refused(who: string, err: Error): void {
    const code = err instanceof LinkRefused ? err.code : 'error';
    const level = code === 'auth-failed' || code === 'other-mesh' ? 'warn' : 'debug';
    this.deps.logger[level]({ domain: 'mesh', peer: who, code, err: err.message }, 'peer link refused');
  }

  private linked(auth: AuthenticatedSocket, via: PeerSource, dialedAddress?: string): void {
    if (this.closed) {
      // a handshake that finished after this node closed: the other end already counts the link, so say
      // goodbye with the leaving code (read as a goodbye there) rather than cut it (read as falling silent)
      auth.ws.close(LINK_CLOSE.leaving, 'the agent is shutting down');
      setTimeout(() => auth.ws.terminate(), 1000).unref();
      return;
    }
    let peer = this.peers.get(auth.remoteId);
    if (peer?.link?.isOpen) {
      // a second link to a peer: a simultaneous dial keeps one on both ends alike, a newer session wins
      const choice = chooseLink(peer.link, auth, this.agentId, Date.now());
      if (choice.keep === 'old') {
        auth.ws.close(LINK_CLOSE.duplicate, 'duplicate link');
        return;
      }
      const old = peer.link;
      peer.link = null;
      void old.close(LINK_CLOSE.duplicate, choice.why);
    }
    const link = new PeerLink(
      auth,
      { onMessage: (l, m) => this.onMessage(l, m), onClose: (l, reason, left) => this.onLinkClosed(l, reason, left) },
      this.deps.settings.heartbeatMs,
    );
    const now = Date.now();
    const isNew = peer === undefined;
    const wasUnreachable = peer?.state === 'unreachable';
    peer ??= newPeer(auth, via, now);
    peer.name = auth.remoteName;
    peer.synced = false;
    // How the link that stands now came about (two crossing dials keep the dialed one, not 'inbound').
    if (via !== 'inbound' || peer.link === null) peer.via = via;
    peer.link = link;
    peer.address = link.remoteAddress ?? dialedAddress ?? peer.address;
    peer.state = 'connected';
    peer.since = now;
    this.peers.set(peer.agentId, peer);
    if (peer.address) this.dialer.linked(peer.address, dialedAddress);
    const ingressPort = this.deps.ingressPort?.() ?? null;
    link.send({ t: 'ingress', port: ingressPort, cert: ingressPort === null ? null : this.identity!.certPem });
    link.send({ t: 'sync', epoch: peer.replica.epoch, since: peer.replica.seq });
    link.start();
    this.gossip();
    this.deps.logger.info({ domain: 'mesh', peer: peer.name, address: peer.address, role: auth.role }, 'peer linked');
    this.emitPeer(isNew ? 'peer.joined' : wasUnreachable ? 'peer.back' : 'peer.joined', peer, null);
    this.linkUp.fire({ machineId: peer.agentId, name: peer.name, address: peer.address });
  }

  private onMessage(link: PeerLink, m: LinkMessage): void {
    const peer = this.peers.get(link.remoteId);
    if (peer === undefined || peer.link !== link) return;
    handlePeerMessage(this.messageDeps, peer, link, m);
  }

  private learned(g: GossipPeer): void {
    if (g.id === this.agentId || this.peers.get(g.id)?.link?.isOpen) return;
    this.dialer.want(g.address, 'gossip', false);
  }

  private gossip(): void {
    const peers: GossipPeer[] = [];
    for (const p of this.peers.values())
      if (p.state === 'connected' && p.address) peers.push({ id: p.agentId, name: p.name, address: p.address });
    for (const p of this.peers.values()) p.link?.send({ t: 'peers', peers: peers.filter((g) => g.id !== p.agentId) });
  }

  private onLinkClosed(link: PeerLink, reason: string, left: boolean): void {
    const peer = this.peers.get(link.remoteId);
    if (peer === undefined || peer.link !== link) return;
    peer.lastLatency = link.latencyMs;
    peer.lastHeartbeat = link.lastHeartbeat;
    peer.link = null;
    if (peer.ingressPort !== null)
      this.deps.onPeerGone?.({ host: link.remoteIp, port: peer.ingressPort, name: peer.name, reason });
    this.linkDown.fire({ machineId: peer.agentId, name: peer.name, address: peer.address, reason, left });
    if (this.closed) return;
    peer.state = 'unreachable';
    peer.since = Date.now();
    this.deps.logger.info({ domain: 'mesh', peer: peer.name, reason }, left ? 'peer left' : 'peer unreachable');
    this.emitPeer(left ? 'peer.left' : 'peer.unreachable', peer, reason);
    // Try again with backoff: its address is known, and mDNS/gossip may offer a new one meanwhile.
    if (peer.address) this.dialer.want(peer.address, peer.via, true);
  }

  private emitPeer(
    type: 'peer.joined' | 'peer.left' | 'peer.unreachable' | 'peer.back',
    peer: Peer,
    reason: string | null,
  ): void {
    this.deps.events.emit({ type, ts: Date.now(), peer: describePeer(peer), reason });
  }
}
