// What every client connection of the proxy shares: routing, the request log, the target pool, limits.
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { ProxyConnection } from './proxy-connection.js';
import type { ProxyLimits, ProxyRequestLog } from './proxy-limits.js';
import type { RoutingPolicy } from './routing-policy.js';
import type { UpstreamPool } from './upstream-pool.js';

export interface ProxyContext {
  requests: ProxyRequestLog;
  pool: UpstreamPool;
  policy: RoutingPolicy;
  limits: ProxyLimits;
  instanceId: string;
  logger: Logger;
  /** takes over a connection whose request the fast path declines to frame (HTTP/1.0, Expect) */
  handOff(socket: Socket, pending: Buffer, tls: boolean): void;
  onClosed(conn: ProxyConnection): void;
}
