// The proxy engine's bounds (timeouts and sizes) and the narrow views of its collaborators it relies on.
// The engine codes against these shapes, not the concrete RouteTable/RequestLog, so tests can pass fakes.
import type { RequestRecord } from '../../../shared/proxy.js';
import type { RequestFacts, RouteDecision } from './route-decision.js';

export interface ProxyLimits {
  /** a target that has not accepted the TCP connection by then gets a 502 */
  connectTimeoutMs: number;
  /** no byte either way on a client connection for this long: 504 if a response is awaited, else close */
  idleTimeoutMs: number;
  /** a request head not complete this long after it began (slowloris): 408 and close */
  headTimeoutMs: number;
  /** request/response heads larger than this: 431 (request) or 502 (response) */
  maxHeaderBytes: number;
  /** how long a start_on_request service may take to become healthy while a request is held */
  startOnRequestTimeoutMs: number;
  /** kept-alive target connections are closed after this idle time (below Node's 5 s keepAliveTimeout) */
  upstreamIdleMs: number;
  /** idle target connections kept per target */
  maxIdlePerTarget: number;
}

export const DEFAULT_PROXY_LIMITS: ProxyLimits = {
  connectTimeoutMs: 5_000,
  idleTimeoutMs: 60_000,
  headTimeoutMs: 10_000,
  maxHeaderBytes: 16 * 1024,
  startOnRequestTimeoutMs: 30_000,
  upstreamIdleMs: 4_000,
  maxIdlePerTarget: 256,
};

/** What the engine needs of the RouteTable. */
export interface ProxyRoutes {
  resolve(hostHeader: string | undefined, path: string, facts: RequestFacts): RouteDecision;
  /** start_on_request: resolves once the service is healthy (the request is then routed again) */
  ensureRunning(project: string, service: string, timeoutMs: number): Promise<void>;
  /** a forward to this instance failed before it answered */
  reportFailure(key: string): void;
}

/** What the engine needs of the RequestLog. */
export interface ProxyRequestLog {
  record(entry: Omit<RequestRecord, 'seq'>): unknown;
}
