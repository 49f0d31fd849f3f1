// Schema 8: messages between agents (and the human) with a read cursor per reader, and the shared
// key-value state. Values are canonical JSON; a deleted key is gone (its deletion is in the audit chain).
import type BetterSqlite3 from 'better-sqlite3';

export const migration008 = {
  name: 'messages-state',
  up(db: BetterSqlite3.Database): void {
    db.exec(`
      CREATE TABLE messages (
        seq       INTEGER PRIMARY KEY AUTOINCREMENT,
        ts        INTEGER NOT NULL,
        sender    TEXT    NOT NULL,
        sender_name TEXT  NOT NULL,
        recipient TEXT    NOT NULL,              -- an agent id, 'user', or '*'
        recipient_name TEXT NOT NULL,
        body      TEXT    NOT NULL,
        task      TEXT
      );
      CREATE INDEX messages_by_recipient ON messages (recipient, seq);
      CREATE INDEX messages_by_sender ON messages (sender, seq);
      CREATE TABLE message_cursors (
        reader    TEXT    PRIMARY KEY,
        last_seq  INTEGER NOT NULL
      );
      CREATE TABLE shared_state (
        key        TEXT    PRIMARY KEY,
        value_json TEXT    NOT NULL,
        version    INTEGER NOT NULL,
        updated_by TEXT    NOT NULL,
        updated_at INTEGER NOT NULL
      );
    `);
  },
};
