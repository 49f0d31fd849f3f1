// The address a process is given for a database: DATABASE_URL (postgres, sqlite) or REDIS_URL (redis), and
// the same value as <DEP>_URL for a dependent. Postgres is reached as user `devmesh` with no password: the
// engine listens on loopback only and trusts it there (as POSTGRES_HOST_AUTH_METHOD=trust in the official
// image), and a teammate reaches it only through an authenticated mesh tunnel.
import type { DatabaseEngineName } from '../config/project-config.js';

export const POSTGRES_USER = 'devmesh';

/** the env variable the owner of a database is given */
export function databaseEnvName(engine: DatabaseEngineName): 'DATABASE_URL' | 'REDIS_URL' {
  return engine === 'redis' ? 'REDIS_URL' : 'DATABASE_URL';
}

/**
 * `postgres://devmesh@127.0.0.1:15432/shop`, `redis://127.0.0.1:16379/0`, `sqlite:///abs/shop.db`.
 * `host`/`port`: where the client connects (the stable TCP address through DevMesh); `path`: sqlite's file.
 */
export function databaseUrl(
  engine: DatabaseEngineName,
  where: { host: string; port: number; name: string } | { path: string },
): string {
  if ('path' in where) return `sqlite://${where.path.startsWith('/') ? '' : '/'}${where.path}`;
  if (engine === 'redis') return `redis://${where.host}:${where.port}/0`;
  return `postgres://${POSTGRES_USER}@${where.host}:${where.port}/${encodeURIComponent(where.name)}`;
}
