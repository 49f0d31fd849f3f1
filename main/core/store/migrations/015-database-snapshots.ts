// Schema 15 (issue 17): snapshots of the databases DevMesh runs (main/core/databases/snapshot-store.ts). A row
// is written only once its file is whole under $DEVMESH_HOME/databases/<project>/<service>/snapshots/, so a
// listed snapshot always has its bytes; `sha256` is checked again before every restore.
import type BetterSqlite3 from 'better-sqlite3';

export const migration015 = {
  name: 'database-snapshots',
  up(db: BetterSqlite3.Database): void {
    db.exec(`
      CREATE TABLE database_snapshots (
        project        TEXT    NOT NULL,
        service        TEXT    NOT NULL,             -- the service running the engine: api-db, cache
        name           TEXT    NOT NULL,
        engine         TEXT    NOT NULL CHECK (engine IN ('postgres', 'redis', 'sqlite')),
        engine_version TEXT,
        format         TEXT    NOT NULL,             -- pg_dump custom, redis rdb (gzip), sqlite (gzip)
        file           TEXT    NOT NULL,             -- its file name in the service's snapshots folder
        size           INTEGER NOT NULL,
        sha256         TEXT    NOT NULL,
        created_at     INTEGER NOT NULL,
        published      INTEGER NOT NULL DEFAULT 0,   -- 1: teammates may pull it (devmesh db publish)
        source         TEXT,                         -- the teammate it was pulled from, NULL: taken here
        PRIMARY KEY (project, service, name)
      );
      CREATE INDEX database_snapshots_published ON database_snapshots (project) WHERE published = 1;
    `);
  },
};
