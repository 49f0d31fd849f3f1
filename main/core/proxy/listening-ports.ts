// Where this machine's proxies listen, known once they listen: the proxy module fills it; the projects
// (their services' dependency addresses), the terminals, the route table and the mesh read it. Built
// before all of them, so none needs the proxy itself.
import type { ServiceConfig } from '../config/project-config.js';
import type { TcpAddress } from '../services/dependency-address.js';
import type { ProxyUrls } from './route-table.js';

export class ListeningPorts {
  /** the proxy's listeners (null: not listening) */
  proxy: ProxyUrls = { httpPort: null, httpsPort: null };
  /** why a proxy listener is off (a busy port…) */
  proxyProblems: string[] = [];
  /** where the peer ingress listens; null when this agent is in no mesh or the port was busy */
  ingress: number | null = null;
  /** a TCP service's stable address (its port allocated on first ask); null while TCP forwarding is off (proxy
   *  disabled). The function answers null for a service whose stable port could not be opened (another program
   *  holds it): clients then go to the instance's own port, never to that other program. */
  tcpAddress: ((project: string, def: ServiceConfig) => TcpAddress | null) | null = null;
  /** TcpRoutes.lend: the stable port handed to a local database engine to listen on itself; null: keep its own */
  tcpLend: ((project: string, service: string) => Promise<number | null>) | null = null;
}
