// The `database:` block of a service in devmesh.yaml: its schema, and how the loader turns it into services.
// A block on a service with a `command:` adds a service `<owner>-db` (protocol tcp) that the owner depends on;
// a block on a service with no `command:` makes that service the database itself; sqlite runs in its owner's
// process (a file), so it adds no service. The engine's command is filled in at start by the databases domain.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import semver from 'semver';
import { z } from 'zod';
import { SNAPSHOT_NAME_PATTERN } from '../../../shared/database.js';
import type { ConfigIssueCollector } from './config-issue-collector.js';
import type {
  DatabaseConfig,
  DatabaseEngineName,
  DatabaseSeed,
  ServiceConfig,
  VersionMismatchPolicy,
} from './project-config.js';

export const DATABASE_ENGINE_NAMES = ['postgres', 'redis', 'sqlite'] as const satisfies readonly DatabaseEngineName[];

/** what a database service runs with, unless written otherwise */
export const DATABASE_DEFAULTS = {
  /** a database writes its data out on shutdown: give it time before SIGKILL */
  stopTimeoutMs: 30_000,
  /** postgres: SIGINT is its fast shutdown (SIGTERM waits for every client); redis: SIGTERM saves and exits */
  stopSignal: { postgres: 'SIGINT', redis: 'SIGTERM' } as const,
  /** a first start runs initdb and the seed: longer than a usual service start */
  startTimeoutMs: 120_000,
};

const SEED_RULE = 'a path to an .sql file or a dump, or snapshot:<name>';
const NAME_RULE = 'a database name: letters, digits, "_" and "-", at most 63, starting with a letter or "_"';
const DATABASE_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,62}$/;

/** null: any version. Kept apart from config-schema's Range: that module builds its service schema from this. */
const EngineRange = z
  .string({ error: 'a semver range like "^16" or ">=15", or nothing for any version' })
  .nullable()
  .transform((value, ctx) => {
    if (value === null || value.trim() === '' || value.trim() === '*') return null;
    if (semver.validRange(value) !== null) return value.trim();
    ctx.issues.push({
      code: 'custom',
      input: value,
      message: `expected a semver range like "^16" or ">=15", got ${JSON.stringify(value)}`,
    });
    return z.NEVER;
  });

export const DatabaseBlockSchema = z.strictObject(
  {
    engine: z.enum(DATABASE_ENGINE_NAMES, { error: "'postgres', 'redis' or 'sqlite'" }),
    version: EngineRange.optional(),
    name: z.string({ error: NAME_RULE }).regex(DATABASE_NAME, { error: NAME_RULE }).optional(),
    seed: z.string({ error: SEED_RULE }).trim().min(1, { error: SEED_RULE }).optional(),
  },
  { error: 'a map with engine, version, name and seed' },
);
export type DatabaseBlock = z.output<typeof DatabaseBlockSchema>;

/** The service of devmesh.yaml a database block was found on, as the loader parsed it. */
export interface DatabaseBlockOwner {
  config: ServiceConfig;
  block: DatabaseBlock;
  /** `command:` was written: the block adds `<name>-db`; absent: the service is the database */
  hasCommand: boolean;
  /** `version:` was written on the service */
  hasVersion: boolean;
  /** `stop_timeout:` was written on the service (a database-only one keeps it) */
  hasStopTimeout: boolean;
}

export interface DatabaseExpansion {
  projectId: string;
  root: string;
  onVersionMismatch: VersionMismatchPolicy;
  /** every parsed service by name; `<owner>-db` services are added to it */
  services: Map<string, ServiceConfig>;
  issues: ConfigIssueCollector;
  /** the engine's version installed on this machine, null when not found (see ProjectConfigLoaderDeps) */
  engineVersion: (engine: DatabaseEngineName) => string | null;
}

/** `<owner>-db`: the service that runs a database block's engine for a service with a command. */
export function databaseServiceName(owner: string): string {
  return `${owner}-db`;
}

/** Applies every block: sets ServiceConfig.database, adds `<owner>-db` services and their dependency edge. */
export function expandDatabaseBlocks(owners: readonly DatabaseBlockOwner[], x: DatabaseExpansion): void {
  for (const owner of owners) {
    const { config, block } = owner;
    const path = ['services', config.name, 'database'];
    const seed = parseSeed(block.seed, x.root, [...path, 'seed'], x.issues);
    const database: DatabaseConfig = {
      engine: block.engine,
      range: block.version ?? null,
      name: block.name ?? x.projectId,
      seed,
      owner: owner.hasCommand ? config.name : null,
    };
    if (block.engine === 'sqlite') {
      if (!owner.hasCommand) {
        x.issues.add(
          path,
          `a sqlite database runs inside its owner's process and has no service of its own: give ` +
            `'${config.name}' a command, or move this block to the service that uses the database`,
        );
        continue;
      }
      config.database = database;
      continue;
    }
    if (!owner.hasCommand) {
      const version = owner.hasVersion ? config.version : x.engineVersion(block.engine);
      const stopTimeoutMs = owner.hasStopTimeout ? config.stopTimeoutMs : DATABASE_DEFAULTS.stopTimeoutMs;
      Object.assign(config, databaseService(database, version), { stopTimeoutMs });
      continue;
    }
    const name = databaseServiceName(config.name);
    const clash = x.services.get(name);
    if (clash) {
      x.issues.add(
        path,
        `this block adds a service '${name}' for ${config.name}'s database, but a service '${name}' is already ` +
          `declared (line ${clash.line}): rename that service, or give ${config.name} no database block`,
      );
      continue;
    }
    const base: ServiceConfig = {
      ...config,
      name,
      env: {},
      port: null,
      dependsOn: [],
      autostart: config.autostart,
      startOnRequest: false,
      tcpPort: null,
    };
    x.services.set(name, { ...base, ...databaseService(database, x.engineVersion(block.engine)) });
    if (!config.dependsOn.some((d) => d.name === name))
      config.dependsOn.push({ name, range: null, onVersionMismatch: x.onVersionMismatch });
  }
}

/** What a database service runs with: protocol tcp, the engine's stop signal, a generous stop timeout. */
function databaseService(database: DatabaseConfig, version: string | null): Partial<ServiceConfig> {
  const engine = database.engine as 'postgres' | 'redis';
  return {
    // not found here: no version until it is installed (ServiceInfo.engineMissing says what to install)
    version,
    command: '',
    protocol: 'tcp',
    database,
    stopSignal: DATABASE_DEFAULTS.stopSignal[engine],
    stopTimeoutMs: DATABASE_DEFAULTS.stopTimeoutMs,
    health: {
      kind: 'tcp',
      intervalMs: 5000,
      timeoutMs: 2000,
      retries: 3,
      startTimeoutMs: DATABASE_DEFAULTS.startTimeoutMs,
    },
  };
}

function parseSeed(
  seed: string | undefined,
  root: string,
  path: (string | number)[],
  issues: ConfigIssueCollector,
): DatabaseSeed | null {
  if (seed === undefined) return null;
  if (seed.startsWith('snapshot:')) {
    const name = seed.slice('snapshot:'.length);
    if (SNAPSHOT_NAME_PATTERN.test(name)) return { kind: 'snapshot', name };
    issues.add(
      path,
      `expected snapshot:<name>, a name of letters, digits, ".", "_" and "-", got ${JSON.stringify(seed)}`,
    );
    return null;
  }
  const file = resolve(root, seed);
  if (!existsSync(file)) {
    issues.add(path, `no seed file at ${file}: create it, fix the path (relative to devmesh.yaml), or remove seed`);
    return null;
  }
  return { kind: 'file', path: file };
}
