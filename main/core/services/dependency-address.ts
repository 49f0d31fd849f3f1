// How a process finds a service it depends on: `<NAME>_URL` and `<NAME>_PORT` in its environment. One
// definition for the two readers: a service's dependencies (ServiceSupervisor) and a terminal opened in a
// project (DevMeshCore), so both name and reach a service the same way. A TCP dependency also gets `<NAME>_HOST`.

export interface DependencyAddressInput {
  /** the service that is depended on, as in devmesh.yaml (`auth-api`) */
  service: string;
  /** its project id */
  project: string;
  /** the local instance's port, when it runs here */
  port: number | null | undefined;
  /** `http://127.0.0.1:<proxy http port>` while the proxy listens, else null */
  proxyBase: string | null;
  /** the caller, a service of the same project, named so the proxy can check the declared range */
  from?: string;
}

/** `auth-api` → `AUTH_API`: the prefix of a service's variables. */
export function dependencyEnvKey(service: string): string {
  return service.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/**
 * `<NAME>_URL`: through the proxy when it listens, so the proxy can route to a teammate's instance when this
 * machine's is not running (`http://127.0.0.1:7777/auth.shop;from=web.shop`: a path, because Node does not
 * resolve *.localhost), else the local instance itself. `<NAME>_PORT`: the local instance's port.
 */
export function dependencyAddress(input: DependencyAddressInput): Record<string, string> {
  const { service, project, port, proxyBase, from } = input;
  const key = dependencyEnvKey(service);
  const env: Record<string, string> = {};
  const caller = from === undefined ? '' : `;from=${from}.${project}`;
  if (proxyBase !== null) env[`${key}_URL`] = `${proxyBase}/${service}.${project}${caller}`;
  else if (port !== null && port !== undefined) env[`${key}_URL`] = `http://127.0.0.1:${port}`;
  if (port !== null && port !== undefined) env[`${key}_PORT`] = String(port);
  return env;
}

/** Where a dependent reaches a TCP service: DevMesh's stable address (or the instance while forwarding is off). */
export interface TcpAddress {
  host: string;
  port: number;
  /** `tcp://127.0.0.1:15432`, or a database's own URL (`postgres://devmesh@127.0.0.1:15432/shop`) */
  url: string;
}

/**
 * A TCP dependency (`protocol: tcp`): `<NAME>_HOST`, `<NAME>_PORT` (its stable port) and `<NAME>_URL`,
 * `tcp://127.0.0.1:15432`, or the database's own URL (`postgres://devmesh@127.0.0.1:15432/shop`).
 */
export function tcpDependencyAddress(service: string, address: TcpAddress): Record<string, string> {
  const key = dependencyEnvKey(service);
  return { [`${key}_HOST`]: address.host, [`${key}_PORT`]: String(address.port), [`${key}_URL`]: address.url };
}

/** The proxy's base for `<NAME>_URL`, or null while it does not listen on HTTP. */
export function proxyBaseUrl(httpPort: number | null | undefined): string | null {
  return httpPort ? `http://127.0.0.1:${httpPort}` : null;
}
