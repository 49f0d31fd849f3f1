// Schema 4: who called and which instance served each logged request, so the log can say it and the
// service graph's edges can be traced back to requests. Nullable: older rows (and DevMesh's own answers)
// have neither.
import type BetterSqlite3 from 'better-sqlite3';

export const migration004 = {
  name: 'request caller and instance',
  up(db: BetterSqlite3.Database): void {
    db.exec(`
      ALTER TABLE proxy_requests ADD COLUMN caller   TEXT;
      ALTER TABLE proxy_requests ADD COLUMN instance TEXT;
    `);
  },
};
