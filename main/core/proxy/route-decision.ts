// The outcome of the proxy's one routing decision (RouteTable.resolve): where a request for a Host and
// path goes, or why it goes nowhere. The mesh will add peer targets here, not in the proxy engine.
import type { ServiceState } from '../../../shared/service.js';
import type { RouteInfo } from '../../../shared/proxy.js';

export interface RouteTarget {
  host: string;
  port: number;
}

export type RouteDecision =
  | {
      kind: 'forward';
      project: string;
      service: string;
      target: RouteTarget;
      /** `127.0.0.1:4001`, for the request log (X-DevMesh-Upstream names `<project>/<service>`) */
      upstream: string;
      /** path routing (`localhost:7777/api/x`): the prefix to strip before forwarding ("/api"), else null */
      stripPrefix: string | null;
    }
  | {
      kind: 'unavailable';
      project: string;
      service: string;
      state: ServiceState;
      reason: string | null;
      /** the service declares start_on_request: start it and hold the request (RouteTable.ensureRunning) */
      startOnRequest: boolean;
      stripPrefix: string | null;
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
