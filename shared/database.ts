// What the faces see of the databases DevMesh runs for services (a `database:` block in devmesh.yaml), their
// snapshots, and teammates' published snapshots. The engine runs as a service of its own (supervised, logged,
// health-checked, reached through its stable TCP address); this is the database's side of it.
import { z } from 'zod';
import { EngineMissingSchema } from './engine-missing.js';
import { ServiceStateSchema } from './service.js';

export const DATABASE_ENGINES = ['postgres', 'redis', 'sqlite'] as const;
export const DatabaseEngineSchema = z.enum(DATABASE_ENGINES);
export type DatabaseEngine = z.infer<typeof DatabaseEngineSchema>;

/** Snapshot names: they end up in file names. */
export const SNAPSHOT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const SnapshotNameSchema = z
  .string()
  .regex(SNAPSHOT_NAME_PATTERN, 'a snapshot name: letters, digits, ".", "_" and "-", at most 64, no leading dot');

export const DatabaseInfoSchema = z.object({
  project: z.string(),
  /** the service that runs the engine: `api-db` for api's `database:` block, or `cache` for a database-only
   *  service (a `database:` block and no `command:`) */
  service: z.string(),
  /** the service whose `database:` block it is (it gets DATABASE_URL / REDIS_URL); null for a database-only one */
  owner: z.string().nullable(),
  engine: DatabaseEngineSchema,
  /** the `version:` range the engine must satisfy, null: any */
  range: z.string().nullable(),
  /** the database's name inside the engine (postgres), or the file's name (sqlite) */
  name: z.string(),
  /** the engine's version as found on this machine, null when not found */
  engineVersion: z.string().nullable(),
  /** the engine's server binary, null when not found */
  binary: z.string().nullable(),
  state: ServiceStateSchema,
  /** the engine's own private port (postgres, redis), null while stopped or for sqlite */
  port: z.number().int().nullable(),
  /** the stable address through DevMesh, `127.0.0.1:15432`; null for sqlite */
  address: z.string().nullable(),
  /** what the owner and dependents are given: `postgres://devmesh@127.0.0.1:15432/shop`, `redis://…`,
   *  `sqlite:///abs/path.db` */
  url: z.string().nullable(),
  /** the data folder (or sqlite file) under $DEVMESH_HOME */
  dataPath: z.string(),
  /** bytes on disk, null when unknown */
  sizeBytes: z.number().int().nullable(),
  /** why it cannot run here, with the fix (e.g. the engine is not installed: the package to install) */
  problem: z.string().nullable(),
  /** the engine is not installed here at all: where DevMesh looked, how to install it (problem says it too) */
  engineMissing: EngineMissingSchema.nullable(),
  snapshots: z.number().int(),
});
export type DatabaseInfo = z.infer<typeof DatabaseInfoSchema>;

export const SnapshotInfoSchema = z.object({
  project: z.string(),
  service: z.string(),
  name: z.string(),
  engine: DatabaseEngineSchema,
  engineVersion: z.string().nullable(),
  /** `pg_dump custom`, `redis rdb (gzip)`, `sqlite (gzip)` */
  format: z.string(),
  sizeBytes: z.number().int(),
  /** sha256 of the snapshot file, hex: a pulled copy is checked against it */
  sha256: z.string(),
  createdAt: z.number(),
  /** teammates may pull it (`devmesh db publish`); never automatic */
  published: z.boolean(),
  /** the teammate it was pulled from, null when taken here */
  source: z.string().nullable(),
});
export type SnapshotInfo = z.infer<typeof SnapshotInfoSchema>;

/** A snapshot a teammate published, as their machine lists it. */
export const PeerSnapshotSchema = SnapshotInfoSchema.extend({ peer: z.string() });
export type PeerSnapshot = z.infer<typeof PeerSnapshotSchema>;

const ProjectRef = z.string().min(1).max(4096).optional();
const ServiceName = z.string().min(1).max(128);

/** A database by its service (`api-db`, `cache`) or by its owner's name (`api`). */
export const DatabaseRefSchema = z.object({ project: ProjectRef, service: ServiceName }).strict();
export const SnapshotListInputSchema = z.object({ project: ProjectRef, service: ServiceName.optional() }).strict();
export const SnapshotCreateInputSchema = DatabaseRefSchema.extend({
  /** default: `<service>-<YYYYMMDD-HHMMSS>` */
  name: SnapshotNameSchema.optional(),
}).strict();
export const SnapshotRestoreInputSchema = DatabaseRefSchema.extend({ name: SnapshotNameSchema }).strict();
export const SnapshotPublishInputSchema = DatabaseRefSchema.extend({
  name: SnapshotNameSchema,
  /** false: unpublish */
  published: z.boolean().default(true),
}).strict();
export const PeerSnapshotsInputSchema = z
  .object({ project: ProjectRef, peer: z.string().min(1).max(128).optional() })
  .strict();
export const SnapshotPullInputSchema = z
  .object({
    project: ProjectRef,
    /** the teammate's agent name or id */
    peer: z.string().min(1).max(128),
    service: ServiceName,
    /** default: the newest snapshot they published for the service */
    name: SnapshotNameSchema.optional(),
    /** restore it into the local database once fetched and verified */
    restore: z.boolean().default(true),
  })
  .strict();
export const SnapshotPullSchema = z.object({
  snapshot: SnapshotInfoSchema,
  restored: DatabaseInfoSchema.nullable(),
});

export const DatabaseChangedEventSchema = z.object({
  type: z.literal('database.changed'),
  ts: z.number(),
  project: z.string(),
  service: z.string(),
  /** what happened: `reset`, `restored <name>`, `snapshot <name>`, `published <name>`, `pulled <name>` */
  what: z.string(),
});

// API methods (shared/api.ts): databases.list, databases.reset, databases.snapshot, databases.restore,
// databases.snapshots, databases.publish, databases.peerSnapshots, databases.pull.
