// What a service's process starts with: the environment services start from (the user's login shell), DevMesh's
// own variables ($PORT, DEVMESH_*), its dependencies' addresses, its own `env:` from devmesh.yaml, and
// NODE_EXTRA_CA_CERTS so a Node service trusts the local CA (with the bundle it already named, if any).
import type { ServiceConfig } from '../config/project-config.js';
import type { ServiceCaBundle } from './service-ca-bundle.js';

export interface ServiceEnvDeps {
  project: string;
  /** the environment services start from (the user's login-shell env, packaging variables removed); default
   *  process.env */
  baseEnv?: NodeJS.ProcessEnv;
  /** what DevMesh gives every service it runs */
  extraEnv?: Record<string, string>;
  /** addresses of the service's dependencies (`AUTH_URL`, `AUTH_PORT`), computed at each start */
  dependencyEnv: () => Record<string, string>;
  /** NODE_EXTRA_CA_CERTS: the local CA, bundled with the user's own when they name one */
  serviceCa?: ServiceCaBundle;
  /** a line in the service's log (a CA bundle that could not be read) */
  note: (text: string) => void;
}

export function serviceEnv(cfg: ServiceConfig, port: number | null, deps: ServiceEnvDeps): NodeJS.ProcessEnv {
  return {
    ...(deps.baseEnv ?? process.env),
    PORT: String(port),
    DEVMESH_PROJECT: deps.project,
    DEVMESH_SERVICE: cfg.name,
    ...(cfg.version === null ? {} : { DEVMESH_SERVICE_VERSION: cfg.version }),
    ...deps.extraEnv,
    ...deps.dependencyEnv(),
    ...cfg.env,
    ...trust(cfg, deps),
  };
}

/** NODE_EXTRA_CA_CERTS: DevMesh's CA, with the bundle the service's env or the daemon's already names. */
function trust(cfg: ServiceConfig, deps: ServiceEnvDeps): Record<string, string> {
  const ca = deps.serviceCa;
  if (ca === undefined) return {};
  const own = cfg.env.NODE_EXTRA_CA_CERTS;
  // Node reads a relative path from its working directory: the service's for its own env, else the daemon's.
  const trusted =
    own !== undefined
      ? ca.trustFor(own, cfg.cwd)
      : ca.trustFor((deps.baseEnv ?? process.env).NODE_EXTRA_CA_CERTS, process.cwd());
  if (trusted.problem !== null) deps.note(trusted.problem);
  return { NODE_EXTRA_CA_CERTS: trusted.path };
}
