// The snapshots table (migration 015) and where their files live:
// `$DEVMESH_HOME/databases/<project>/<service>/snapshots/<name>.<ext>`. A row is added only once its file is
// whole (snapshot-file.ts writes to a temporary name and renames), so whatever is listed can be restored.
import { join } from 'node:path';
import type { DatabaseEngine, SnapshotInfo } from '../../../shared/database.js';
import type { Database } from '../store/database.js';

interface SnapshotRow {
  project: string;
  service: string;
  name: string;
  engine: DatabaseEngine;
  engine_version: string | null;
  format: string;
  file: string;
  size: number;
  sha256: string;
  created_at: number;
  published: number;
  source: string | null;
}

/** A snapshot as stored: what the faces see, plus its file's absolute path. */
export interface StoredSnapshot extends SnapshotInfo {
  path: string;
}

export class SnapshotStore {
  private readonly insertStmt;
  private readonly getStmt;
  private readonly listAllStmt;
  private readonly listProjectStmt;
  private readonly listServiceStmt;
  private readonly publishedStmt;
  private readonly publishedProjectStmt;
  private readonly publishStmt;
  private readonly removeStmt;
  private readonly countStmt;

  constructor(
    private readonly database: Database,
    /** `$DEVMESH_HOME/databases` */
    private readonly root: string,
  ) {
    const db = database.db;
    this.insertStmt = db.prepare(
      'INSERT INTO database_snapshots (project, service, name, engine, engine_version, format, file, size, sha256, ' +
        'created_at, published, source) VALUES (@project, @service, @name, @engine, @engine_version, @format, @file, ' +
        '@size, @sha256, @created_at, @published, @source)',
    );
    this.getStmt = db.prepare('SELECT * FROM database_snapshots WHERE project = ? AND service = ? AND name = ?');
    const order = 'ORDER BY created_at DESC, name';
    this.listAllStmt = db.prepare(`SELECT * FROM database_snapshots ${order}`);
    this.listProjectStmt = db.prepare(`SELECT * FROM database_snapshots WHERE project = ? ${order}`);
    this.listServiceStmt = db.prepare(`SELECT * FROM database_snapshots WHERE project = ? AND service = ? ${order}`);
    this.publishedStmt = db.prepare(`SELECT * FROM database_snapshots WHERE published = 1 ${order}`);
    this.publishedProjectStmt = db.prepare(
      `SELECT * FROM database_snapshots WHERE published = 1 AND project = ? ${order}`,
    );
    this.publishStmt = db.prepare(
      'UPDATE database_snapshots SET published = ? WHERE project = ? AND service = ? AND name = ?',
    );
    this.removeStmt = db.prepare('DELETE FROM database_snapshots WHERE project = ? AND service = ? AND name = ?');
    this.countStmt = db.prepare('SELECT count(*) AS n FROM database_snapshots WHERE project = ? AND service = ?');
  }

  /** the store's file, for messages */
  get where(): string {
    return this.database.path;
  }

  /** the folder a service's snapshots are kept in */
  folder(project: string, service: string): string {
    return join(this.root, project, service, 'snapshots');
  }

  add(s: Omit<SnapshotInfo, 'published'> & { file: string; published?: boolean }): StoredSnapshot {
    this.insertStmt.run({
      project: s.project,
      service: s.service,
      name: s.name,
      engine: s.engine,
      engine_version: s.engineVersion,
      format: s.format,
      file: s.file,
      size: s.sizeBytes,
      sha256: s.sha256,
      created_at: s.createdAt,
      published: s.published === true ? 1 : 0,
      source: s.source,
    });
    return this.get(s.project, s.service, s.name)!;
  }

  get(project: string, service: string, name: string): StoredSnapshot | null {
    const row = this.getStmt.get(project, service, name) as SnapshotRow | undefined;
    return row === undefined ? null : this.toSnapshot(row);
  }

  /** newest first */
  list(project: string | null, service?: string): StoredSnapshot[] {
    const rows =
      project === null
        ? this.listAllStmt.all()
        : service === undefined
          ? this.listProjectStmt.all(project)
          : this.listServiceStmt.all(project, service);
    return (rows as SnapshotRow[]).map((r) => this.toSnapshot(r));
  }

  /** published ones, newest first */
  published(project: string | null): StoredSnapshot[] {
    const rows = project === null ? this.publishedStmt.all() : this.publishedProjectStmt.all(project);
    return (rows as SnapshotRow[]).map((r) => this.toSnapshot(r));
  }

  setPublished(project: string, service: string, name: string, published: boolean): StoredSnapshot | null {
    this.publishStmt.run(published ? 1 : 0, project, service, name);
    return this.get(project, service, name);
  }

  remove(project: string, service: string, name: string): void {
    this.removeStmt.run(project, service, name);
  }

  count(project: string, service: string): number {
    return (this.countStmt.get(project, service) as { n: number }).n;
  }

  private toSnapshot(r: SnapshotRow): StoredSnapshot {
    return {
      project: r.project,
      service: r.service,
      name: r.name,
      engine: r.engine,
      engineVersion: r.engine_version,
      format: r.format,
      sizeBytes: r.size,
      sha256: r.sha256,
      createdAt: r.created_at,
      published: r.published === 1,
      source: r.source,
      path: join(this.folder(r.project, r.service), r.file),
    };
  }
}
