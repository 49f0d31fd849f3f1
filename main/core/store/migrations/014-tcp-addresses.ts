// Schema 14 (issue 17): the stable local addresses of TCP services (`protocol: tcp`). A port DevMesh allocated
// for a project's service is remembered here, so `psql -p <port>` and a saved DATABASE_URL keep working across
// daemon restarts. A `tcp_port:` written in devmesh.yaml is never stored: the file is its record.
import type BetterSqlite3 from 'better-sqlite3';

export const migration014 = {
  name: 'tcp-addresses',
  up(db: BetterSqlite3.Database): void {
    db.exec(`
      CREATE TABLE tcp_addresses (
        project    TEXT    NOT NULL,            -- project id (a worktree copy's is <of>@<label>)
        service    TEXT    NOT NULL,
        port       INTEGER NOT NULL UNIQUE,     -- on the proxy's host (127.0.0.1)
        created_at INTEGER NOT NULL,
        PRIMARY KEY (project, service)
      );
    `);
  },
};
