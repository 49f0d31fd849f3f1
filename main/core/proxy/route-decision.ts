// The outcome of the proxy's one routing decision (RouteTable.resolve): where a request for a Host and
// path goes, or why it goes nowhere. A target is this machine's instance or a teammate's DevMesh ingress;
// the proxy engine only sees a target, a head rewrite and the alternates it may retry on.
import type { ServiceState } from '../../../shared/service.js';
import type { RouteInfo } from '../../../shared/proxy.js';

export interface RouteTarget {
  host: string;
  port: number;
  /** a teammate's ingress: TLS, trusting exactly this certificate (PEM), which came over the mesh link */
  tls?: { cert: string };
}

/** What a request learns about itself beyond Host and path (fields the proxy reads from the head). */
export interface RequestFacts {
  /** X-DevMesh-From: the calling service, `web.shop` or `web` */
  from: string | null;
  /** X-DevMesh-Mesh: a peer proxy's credentials, on the peer ingress only */
  meshAuth: string | null;
}

export const NO_FACTS: RequestFacts = { from: null, meshAuth: null };

/** The facts of one request; the shared NO_FACTS when it has none (the common case allocates nothing). */
export function requestFacts(from: string | null, meshAuth: string | null): RequestFacts {
  return from === null && meshAuth === null ? NO_FACTS : { from, meshAuth };
}

/** Header fields a forward replaces or adds: the Host a peer's ingress routes by, the caller, the mesh token. */
export interface HeadRewrite {
  /** replaces Host (a peer's ingress resolves `<service>.<project>.localhost`), null: keep the client's */
  host: string | null;
  /** added as sent, e.g. [['X-DevMesh-From', 'web.shop']] */
  headers: [string, string][];
}

export interface ForwardDecision {
  kind: 'forward';
  project: string;
  service: string;
  target: RouteTarget;
  /** `127.0.0.1:4001` or `alice 10.0.0.2:7791`, for the request log and messages */
  upstream: string;
  /** X-DevMesh-Upstream: who serves it, `alice/api@2.3.1` */
  label: string;
  /** the instance, `<agentId>/<project>/<service>` (a service graph node id), for failure reports
   *  (RouteTable.reportFailure) and the request log */
  key: string;
  /** the calling service as the request named it, `web.shop`; null when it named none */
  caller: string | null;
  /** path routing (`localhost:7777/api/x`): the prefix to strip before forwarding ("/api"), else null */
  stripPrefix: string | null;
  rewrite: HeadRewrite | null;
  /** other instances an idempotent request may be retried on when this one fails before answering */
  alternates: ForwardDecision[];
}

export type RouteDecision =
  | ForwardDecision
  | {
      kind: 'unavailable';
      project: string;
      service: string;
      state: ServiceState;
      reason: string | null;
      /** the service declares start_on_request: start it and hold the request (RouteTable.ensureRunning) */
      startOnRequest: boolean;
      stripPrefix: string | null;
      /** what to say instead of the default "<service> is <state>" (e.g. no peer serves it either) */
      message?: string;
    }
  | {
      /** on_version_mismatch: refuse, and no instance satisfies the caller's range: 409 */
      kind: 'refused';
      project: string;
      service: string;
      message: string;
      range: string;
      caller: string;
      versions: { agent: string; version: string }[];
    }
  | {
      /** the peer ingress turned away a request without valid mesh credentials: 403 */
      kind: 'denied';
      message: string;
    }
  | {
      /** a *.localhost name (or a path on localhost) that names no service; `message` says why */
      kind: 'unknown';
      name: string;
      message: string;
      known: RouteInfo[];
    }
  | {
      /** not a name DevMesh serves (e.g. example.com): refused, DevMesh is not an open proxy */
      kind: 'foreign';
      host: string;
    };
