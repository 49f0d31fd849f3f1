// proxy.* and ca.info: the routes, the request log, the traffic and the local CA.
import type { DevMeshCore } from '../../core/devmesh-core.js';
import type { LocalCertificateAuthority } from '../../core/tls/local-certificate-authority.js';
import type { RequestLog } from '../../core/proxy/request-log.js';
import type { RouteTable } from '../../core/proxy/route-table.js';
import type { TcpRoutes } from '../../core/proxy/tcp/tcp-routes.js';
import type { TrafficStats } from '../../core/proxy/traffic-stats.js';
import { pageWithUnrouted } from '../unrouted-request-page.js';
import type { HandlersOf } from './handlers.js';

export interface ProxyHandlersDeps {
  proxyInfo: () => ReturnType<DevMeshCore['proxyInfo']>;
  routes: Pick<RouteTable, 'list'>;
  requests: RequestLog;
  traffic: Pick<TrafficStats, 'snapshot'>;
  tcp: Pick<TcpRoutes, 'list'>;
  ca: Pick<LocalCertificateAuthority, 'info'>;
  /** a project's id for its reference (PROJECT_NOT_FOUND otherwise) */
  projectId: (ref: string) => string;
}

export function proxyHandlers(deps: ProxyHandlersDeps): HandlersOf<'proxy' | 'ca'> {
  return {
    'proxy.info': () => deps.proxyInfo(),
    'proxy.routes': (i) => deps.routes.list(i.project),
    'proxy.requests': (i) => {
      const project = i.project ? deps.projectId(i.project) : undefined;
      const query = {
        project,
        service: i.service,
        before: i.before,
        limit: i.limit,
        errorsOnly: i.errorsOnly,
        search: i.search,
      };
      // A service filter names a service, which an unrouted request never reached.
      if (i.unrouted && project !== undefined && i.service === undefined)
        return pageWithUnrouted(deps.requests, { ...query, project });
      return deps.requests.page(query);
    },
    'proxy.traffic': (i) => deps.traffic.snapshot(i.project ? deps.projectId(i.project) : undefined),
    'proxy.tcp': (i) => deps.tcp.list(i.project ? deps.projectId(i.project) : undefined),
    'ca.info': () => deps.ca.info(),
  };
}
