// Schema 6: the audit chain. `audit_entries` holds the hash-linked entries (seq is the chain's order);
// `audit_head` holds the last seq and hash apart from the chain, updated in the same transaction as each
// append, so deleting the newest entries (a cut tail) is caught by comparing the chain's end with it.
import type BetterSqlite3 from 'better-sqlite3';

export const migration006 = {
  name: 'audit',
  up(db: BetterSqlite3.Database): void {
    db.exec(`
      CREATE TABLE audit_entries (
        seq       INTEGER PRIMARY KEY,
        ts        INTEGER NOT NULL,
        actor     TEXT    NOT NULL,
        kind      TEXT    NOT NULL,
        subject   TEXT    NOT NULL,
        data_json TEXT    NOT NULL,              -- canonical JSON
        prev_hash TEXT    NOT NULL,
        hash      TEXT    NOT NULL
      );
      CREATE INDEX audit_by_actor ON audit_entries (actor, seq);
      CREATE INDEX audit_by_kind ON audit_entries (kind, seq);
      CREATE INDEX audit_by_ts ON audit_entries (ts);
      CREATE TABLE audit_head (
        id   INTEGER PRIMARY KEY CHECK (id = 1),
        seq  INTEGER NOT NULL,
        hash TEXT    NOT NULL
      );
      INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '${'0'.repeat(64)}');
    `);
  },
};
