// The mesh as this window knows it: this agent's membership, its peers (kept current by peer.* events,
// which carry the full PeerInfo), the version alerts (newest first) and the service graph (always a whole
// mesh.graph answer, never patched: an edge's satisfaction and rates are the daemon's to compute).
import { createStore } from 'zustand/vanilla';
import type { DevMeshEvent } from '../../shared/events.js';
import type { MeshInfo, PeerInfo, ServiceGraph, VersionAlert } from '../../shared/mesh.js';

/** alerts kept in memory; the daemon keeps the full history */
export const MAX_ALERTS = 200;

export interface MeshState {
  info: MeshInfo | null;
  /** by agentId, in the daemon's order then first-seen order */
  peers: PeerInfo[];
  graph: ServiceGraph | null;
  alerts: VersionAlert[];
  /** why the mesh could not be read (an older daemon, the mesh off); null when it could */
  error: string | null;
  setInfo(info: MeshInfo): void;
  setPeers(peers: PeerInfo[]): void;
  setGraph(graph: ServiceGraph): void;
  setAlerts(alerts: VersionAlert[]): void;
  fail(message: string): void;
  applyEvent(event: DevMeshEvent): void;
}

const upsertPeer = (peers: PeerInfo[], peer: PeerInfo): PeerInfo[] => {
  const i = peers.findIndex((p) => p.agentId === peer.agentId);
  if (i < 0) return [...peers, peer];
  // A heartbeat that arrived after the event's snapshot is newer: keep the later one.
  if (peers[i]!.since > peer.since) return peers;
  const next = [...peers];
  next[i] = peer;
  return next;
};

/** Newest (by lastTs) first; an alert raised again replaces its older copy. */
export const mergeAlerts = (current: VersionAlert[], incoming: VersionAlert[]): VersionAlert[] => {
  const byId = new Map<number, VersionAlert>();
  for (const a of [...current, ...incoming]) {
    const seen = byId.get(a.id);
    if (!seen || a.lastTs >= seen.lastTs) byId.set(a.id, a);
  }
  return [...byId.values()].sort((a, b) => b.lastTs - a.lastTs || b.id - a.id).slice(0, MAX_ALERTS);
};

export const createMeshStore = () =>
  createStore<MeshState>()((set) => ({
    info: null,
    peers: [],
    graph: null,
    alerts: [],
    error: null,
    setInfo: (info) => set({ info, error: null }),
    setPeers: (peers) => set({ peers }),
    setGraph: (graph) => set({ graph }),
    // A fetched page is the truth (a restarted daemon numbers its alerts anew), plus any alert raised
    // while the page was in flight.
    setAlerts: (alerts) =>
      set((s) => {
        const newest = Math.max(-Infinity, ...alerts.map((a) => a.lastTs));
        return {
          alerts: mergeAlerts(
            alerts,
            s.alerts.filter((a) => a.lastTs > newest),
          ),
        };
      }),
    fail: (message) => set({ error: message }),
    applyEvent: (event) =>
      set((s) => {
        switch (event.type) {
          case 'peer.joined':
          case 'peer.unreachable':
          case 'peer.back':
            return { peers: upsertPeer(s.peers, event.peer) };
          case 'peer.left':
            return { peers: s.peers.filter((p) => p.agentId !== event.peer.agentId) };
          case 'peer.service': {
            const peer = s.peers.find((p) => p.agentId === event.agentId);
            if (!peer) return s;
            const same = (svc: { project: string; name: string }) =>
              svc.project === event.service.project && svc.name === event.service.name;
            const others = peer.services.filter((svc) => !same(svc));
            const services =
              event.change === 'disappeared'
                ? others
                : peer.services.some(same)
                  ? peer.services.map((svc) => (same(svc) ? event.service : svc))
                  : [...others, event.service];
            return { peers: s.peers.map((p) => (p === peer ? { ...peer, services } : p)) };
          }
          case 'alert.raised':
            return { alerts: mergeAlerts(s.alerts, [event.alert]) };
          default:
            return s;
        }
      }),
  }));

export type MeshStore = ReturnType<typeof createMeshStore>;
