// Where this machine's proxies listen, known once they listen: the proxy module fills it; the projects
// (their services' dependency addresses), the terminals, the route table and the mesh read it. Built
// before all of them, so none needs the proxy itself.
import type { ProxyUrls } from './route-table.js';

export class ListeningPorts {
  /** the proxy's listeners (null: not listening) */
  proxy: ProxyUrls = { httpPort: null, httpsPort: null };
  /** why a proxy listener is off (a busy port…) */
  proxyProblems: string[] = [];
  /** where the peer ingress listens; null when this agent is in no mesh or the port was busy */
  ingress: number | null = null;
}
