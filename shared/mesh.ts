// What the faces see of the mesh: this agent, its peers (other DevMesh agents of the same mesh) and their
// services, the version alerts raised when an instance does not satisfy a caller's declared range, and
// the service graph that joins them.
import { z } from 'zod';
import { DependencyInfoSchema, ServiceStateSchema } from './service.js';

export const PEER_STATES = ['connecting', 'connected', 'unreachable'] as const;
export const PeerStateSchema = z.enum(PEER_STATES);
export type PeerState = z.infer<typeof PeerStateSchema>;

/** how this agent learned of a peer */
export const PEER_SOURCES = ['mdns', 'static', 'gossip', 'inbound', 'invite'] as const;
export const PeerSourceSchema = z.enum(PEER_SOURCES);
export type PeerSource = z.infer<typeof PeerSourceSchema>;

/** A service as its agent announces it to the mesh (the agent is authoritative for its own services). */
export const MeshServiceSchema = z.object({
  project: z.string(),
  name: z.string(),
  version: z.string(),
  state: ServiceStateSchema,
  dependsOn: z.array(DependencyInfoSchema),
});
export type MeshService = z.infer<typeof MeshServiceSchema>;

export const PeerInfoSchema = z.object({
  agentId: z.string(),
  /** display name, e.g. "alice" */
  name: z.string(),
  /** host:port of its peer link, null while only known by id */
  address: z.string().nullable(),
  state: PeerStateSchema,
  via: PeerSourceSchema,
  /** heartbeat round trip, null before the first one */
  latencyMs: z.number().nullable(),
  /** ms since epoch of the last heartbeat answered */
  lastHeartbeat: z.number().nullable(),
  /** ms since epoch of the last state change */
  since: z.number(),
  services: z.array(MeshServiceSchema),
  /** bytes through the link (frames and heartbeats) since it came up */
  bytesSent: z.number().int(),
  bytesReceived: z.number().int(),
  /** registry sync from this peer since DevMesh started: changes applied, duplicates ignored, gaps that
   *  forced a resync, full snapshots taken (one per link unless a reconnect could resume) */
  sync: z.object({
    applied: z.number().int(),
    duplicates: z.number().int(),
    resyncs: z.number().int(),
    snapshots: z.number().int(),
  }),
});
export type PeerInfo = z.infer<typeof PeerInfoSchema>;

export const MeshInfoSchema = z.object({
  /** false until `devmesh mesh init` or `devmesh mesh join` */
  member: z.boolean(),
  meshId: z.string().nullable(),
  agentId: z.string(),
  name: z.string(),
  /** port of the peer listener (links), null when it is off */
  port: z.number().int().nullable(),
  /** port of the peer ingress (HTTPS: requests teammates' proxies route here), null when it is off */
  ingressPort: z.number().int().nullable(),
  /** addresses this agent is reachable on, for teammates' `peers:` lists */
  addresses: z.array(z.string()),
  mdns: z.boolean(),
  /** what does not work and how to fix it (busy port, mDNS off, …) */
  problems: z.array(z.string()),
});
export type MeshInfo = z.infer<typeof MeshInfoSchema>;

export const VERSION_ACTIONS = ['warned', 'refused'] as const;

export const VersionAlertSchema = z.object({
  id: z.number().int(),
  /** first and last time it happened, ms since epoch; `count` times in between */
  firstTs: z.number(),
  lastTs: z.number(),
  count: z.number().int(),
  caller: z.object({ project: z.string(), service: z.string(), version: z.string().nullable() }),
  /** the dependency's name and the range the caller declared for it */
  dependency: z.string(),
  range: z.string(),
  /** the instance that did not satisfy it: `agent` is the display name ("alice", or this agent's) */
  instance: z.object({
    agent: z.string(),
    agentId: z.string(),
    local: z.boolean(),
    project: z.string(),
    service: z.string(),
    version: z.string(),
  }),
  action: z.enum(VERSION_ACTIONS),
});
export type VersionAlert = z.infer<typeof VersionAlertSchema>;

export const GraphNodeSchema = z.object({
  /** `<agentId>/<project>/<service>` */
  id: z.string(),
  agentId: z.string(),
  agentName: z.string(),
  local: z.boolean(),
  project: z.string(),
  service: z.string(),
  version: z.string(),
  state: ServiceStateSchema,
  /** observed traffic through this agent's proxy to this instance */
  requestsPerSec: z.number(),
  errorsPerSec: z.number(),
  p95Ms: z.number().nullable(),
});
export type GraphNode = z.infer<typeof GraphNodeSchema>;

export const GraphEdgeSchema = z.object({
  id: z.string(),
  /** the caller's node */
  from: z.string(),
  /** an instance that can serve the dependency */
  to: z.string(),
  dependency: z.string(),
  range: z.string().nullable(),
  /** the instance's version satisfies the range (true when there is no range) */
  satisfied: z.boolean(),
  /** the caller declares the dependency (depends_on); false: an observed call it does not declare */
  declared: z.boolean(),
  /** requests the caller sent to this instance through this agent's proxy, per second over the last 10 s */
  requestsPerSec: z.number(),
  errorsPerSec: z.number(),
  /** latency over the caller's last 1,000 requests to this instance, ms; null before any */
  p95Ms: z.number().nullable(),
});
export type GraphEdge = z.infer<typeof GraphEdgeSchema>;

export const ServiceGraphSchema = z.object({
  agents: z.array(
    z.object({
      agentId: z.string(),
      name: z.string(),
      local: z.boolean(),
      state: z.union([PeerStateSchema, z.literal('self')]),
    }),
  ),
  nodes: z.array(GraphNodeSchema),
  edges: z.array(GraphEdgeSchema),
});
export type ServiceGraph = z.infer<typeof ServiceGraphSchema>;

// ---- events ----
export const PeerEventSchema = z.object({
  type: z.enum(['peer.joined', 'peer.left', 'peer.unreachable', 'peer.back']),
  ts: z.number(),
  peer: PeerInfoSchema,
  reason: z.string().nullable(),
});

export const PeerServiceEventSchema = z.object({
  type: z.literal('peer.service'),
  ts: z.number(),
  agentId: z.string(),
  peerName: z.string(),
  change: z.enum(['appeared', 'disappeared', 'changed']),
  service: MeshServiceSchema,
});

export const AlertRaisedEventSchema = z.object({
  type: z.literal('alert.raised'),
  ts: z.number(),
  alert: VersionAlertSchema,
});
