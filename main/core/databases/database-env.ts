// The variables that point a process at its databases: DATABASE_URL (postgres, sqlite) or REDIS_URL (redis)
// for the owner of a `database:` block, and for a dependent of a database service, its <DEP>_URL set to the
// database's URL plus DATABASE_URL/REDIS_URL when it has no database of that variable of its own. The
// service's own `env:` still wins (the runner applies it after these).
import type { ServiceConfig } from '../config/project-config.js';
import { dependencyEnvKey } from '../services/dependency-address.js';
import type { SupervisedServices } from '../services/service-supervisor.js';
import { databaseEnvName, databaseUrl } from './database-url.js';

export interface DatabaseEnvInput {
  service: ServiceConfig;
  services: SupervisedServices;
  /** where a client reaches a database service (its stable address, until then its private port), null: unknown */
  address: (service: ServiceConfig, privatePort: number | null) => { host: string; port: number } | null;
  /** the sqlite file of a service's own sqlite database */
  sqlitePath: (service: ServiceConfig) => string;
}

export function databaseEnv(input: DatabaseEnvInput): Record<string, string> {
  const { service, services } = input;
  const own: Record<string, string> = {};
  const others: Record<string, string> = {};
  const urls: Record<string, string> = {};
  if (service.database?.engine === 'sqlite') {
    own.DATABASE_URL = databaseUrl('sqlite', { path: input.sqlitePath(service) });
  }
  for (const dep of service.dependsOn) {
    const def = services.definition(dep.name);
    const database = def?.database;
    if (!def || !database || database.engine === 'sqlite') continue;
    const where = input.address(def, services.port(dep.name));
    if (where === null) continue;
    const url = databaseUrl(database.engine, { ...where, name: database.name });
    urls[`${dependencyEnvKey(dep.name)}_URL`] = url;
    const name = databaseEnvName(database.engine);
    if (database.owner === service.name) own[name] = url;
    else others[name] ??= url;
  }
  return { ...urls, ...others, ...own };
}
