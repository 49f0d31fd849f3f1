// What the faces see of the local reverse proxy: its routes, its request log and per-service counters.
import { z } from 'zod';
import { ServiceStateSchema } from './service.js';

export const ProxyInfoSchema = z.object({
  /** e.g. http://localhost:7777 — null when the HTTP listener is off or failed to bind */
  httpUrl: z.string().nullable(),
  /** e.g. https://localhost:7443 */
  httpsUrl: z.string().nullable(),
  /** why a listener is not up (busy port, …) */
  problems: z.array(z.string()),
  caCertPath: z.string().nullable(),
  /** requests answered but not stored in the log because of its per-second cap (a flood), since start */
  unstoredRequests: z.number().int(),
});
export type ProxyInfo = z.infer<typeof ProxyInfoSchema>;

export const RouteInfoSchema = z.object({
  /** the names that reach it: `api.localhost`, and `api.shop.localhost` */
  hosts: z.array(z.string()),
  project: z.string(),
  service: z.string(),
  state: ServiceStateSchema,
  /** where a request goes now: `127.0.0.1:4001`, or a teammate's ingress (`alice 10.0.0.2:7791`); null: nowhere */
  target: z.string().nullable(),
  /** who serves it now (the X-DevMesh-Upstream a request would get): `alice/api@2.3.1`; null: nobody */
  servedBy: z.string().nullable(),
  /** false for a teammate's service that no open project here declares */
  local: z.boolean(),
  /** proxy URLs of the service: http(s)://api.localhost:7777/ */
  urls: z.array(z.string()),
  startOnRequest: z.boolean(),
});
export type RouteInfo = z.infer<typeof RouteInfoSchema>;

export const RequestRecordSchema = z.object({
  seq: z.number().int(),
  ts: z.number(),
  method: z.string(),
  host: z.string(),
  path: z.string(),
  status: z.number().int(),
  /** request body bytes received from the client */
  bytesIn: z.number().int(),
  /** response bytes (head + body) sent to the client; an HTTP/2 head counts its header list size (RFC 9113 §6.5.2) */
  bytesOut: z.number().int(),
  durationMs: z.number(),
  project: z.string().nullable(),
  service: z.string().nullable(),
  /** `127.0.0.1:4001`, or null when DevMesh answered itself (404, 503, …) */
  upstream: z.string().nullable(),
  /** why DevMesh answered with an error, e.g. "connection refused by api (127.0.0.1:4001)" */
  error: z.string().nullable(),
  tls: z.boolean(),
  websocket: z.boolean(),
  /** the calling service as the request named it (X-DevMesh-From, `;from=`): `web.shop`, else null */
  caller: z.string().nullable(),
  /** the instance it was forwarded to, `<agentId>/<project>/<service>` (a service graph node id); null when
   *  DevMesh answered without forwarding (404, 503, …). Set too when that instance failed to answer (502). */
  instance: z.string().nullable(),
});
export type RequestRecord = z.infer<typeof RequestRecordSchema>;

export const ServiceTrafficSchema = z.object({
  project: z.string(),
  service: z.string(),
  /** totals since DevMesh started */
  requests: z.number().int(),
  errors: z.number().int(),
  /** over the last 10 seconds */
  requestsPerSec: z.number(),
  errorsPerSec: z.number(),
  /** latency percentiles over the last 1,000 requests, ms; null before any request */
  p50Ms: z.number().nullable(),
  p95Ms: z.number().nullable(),
});
export type ServiceTraffic = z.infer<typeof ServiceTrafficSchema>;

/** Traffic one caller sent one instance (a service graph edge), counted like ServiceTraffic. */
export const EdgeTrafficSchema = z.object({
  /** `web.shop` */
  caller: z.string(),
  /** `<agentId>/<project>/<service>` */
  instance: z.string(),
  requests: z.number().int(),
  errors: z.number().int(),
  requestsPerSec: z.number(),
  errorsPerSec: z.number(),
  p95Ms: z.number().nullable(),
});
export type EdgeTraffic = z.infer<typeof EdgeTrafficSchema>;

export const RequestPageInputSchema = z
  .object({
    project: z.string().min(1).max(4096).optional(),
    service: z.string().min(1).max(128).optional(),
    before: z.number().int().positive().optional(),
    limit: z.number().int().min(1).max(5000).default(200),
    /** only responses with status >= 400 or a DevMesh error */
    errorsOnly: z.boolean().default(false),
    /** substring of the path or host */
    search: z.string().max(512).optional(),
    /** with `project`: also the requests no project served (unknown hosts, answered 404 by the proxy) */
    unrouted: z.boolean().default(false),
  })
  .strict();

export const RequestPageSchema = z.object({
  requests: z.array(RequestRecordSchema),
  hasMore: z.boolean(),
});
export type RequestPage = z.infer<typeof RequestPageSchema>;

export const CaInfoSchema = z.object({
  certPath: z.string(),
  /** SHA-256 fingerprint of the CA certificate, colon-separated hex */
  fingerprint: z.string(),
  /** steps (commands) to trust the CA on this OS: system store and NSS (browsers) */
  trustSteps: z.array(z.object({ what: z.string(), command: z.string() })),
});
export type CaInfo = z.infer<typeof CaInfoSchema>;

/**
 * A TCP service's stable local address (`protocol: tcp` in devmesh.yaml): DevMesh listens on it and forwards
 * each connection to this machine's instance, or to a teammate's through their peer ingress (a TLS tunnel).
 */
export const TcpRouteSchema = z.object({
  project: z.string(),
  service: z.string(),
  /** `127.0.0.1:15432`, null when its port could not be bound (see problem) */
  address: z.string().nullable(),
  port: z.number().int(),
  /** true: `tcp_port:` in devmesh.yaml; false: allocated once by DevMesh and remembered */
  fixed: z.boolean(),
  state: ServiceStateSchema,
  /** where the next connection goes: `127.0.0.1:54012`, `alice 10.0.0.2:7791`; null: nowhere */
  target: z.string().nullable(),
  /** `alice/db@15.0.0`, null: nobody */
  servedBy: z.string().nullable(),
  /**
   * true: the local engine listens on the address itself (no forwarding hop); its connections and bytes are
   * sampled from the kernel each second, so a connection shorter than that may be missed
   */
  direct: z.boolean().optional(),
  /** connections open now, and since DevMesh started */
  connections: z.number().int(),
  totalConnections: z.number().int(),
  /** connections DevMesh closed because no instance could be reached (or the version was refused) */
  failedConnections: z.number().int(),
  /** client → service, and service → client, since DevMesh started */
  bytesIn: z.number().int(),
  bytesOut: z.number().int(),
  /** why the address does not listen (port busy, …), with the fix */
  problem: z.string().nullable(),
});
export type TcpRoute = z.infer<typeof TcpRouteSchema>;
