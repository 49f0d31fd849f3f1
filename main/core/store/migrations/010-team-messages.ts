// Schema 10: messages across the mesh (issue 15). Every message gets its origin's id (a UUID), unique in a
// store, so a message a teammate's machine sends again after a lost ack is stored once; the sending
// machine's name for messages from teammates; how many machines a message sent from here still waits for.
// `team_outbox` keeps, per machine, what was sent to it and not yet acknowledged (in order: seq), and
// `team_machines` the machines this one has been linked with, so `*` and roles reach the unreachable ones too.
import type BetterSqlite3 from 'better-sqlite3';

export const migration010 = {
  name: 'team-messages',
  up(db: BetterSqlite3.Database): void {
    db.exec(`
      ALTER TABLE messages ADD COLUMN origin_id TEXT;        -- the id given at the origin; NULL before schema 10
      ALTER TABLE messages ADD COLUMN sender_machine TEXT;   -- a teammate's machine name; NULL: this machine
      ALTER TABLE messages ADD COLUMN pending INTEGER NOT NULL DEFAULT 0; -- machines it still waits for
      CREATE UNIQUE INDEX messages_by_origin ON messages (origin_id) WHERE origin_id IS NOT NULL;
      CREATE TABLE team_outbox (
        seq        INTEGER PRIMARY KEY AUTOINCREMENT,
        machine    TEXT    NOT NULL,             -- the machine's mesh agent id
        message_id TEXT    NOT NULL,
        sender     TEXT    NOT NULL,             -- the local sender (agent id or user), told if it cannot be delivered
        frame      TEXT    NOT NULL,             -- the channel message, JSON
        created_at INTEGER NOT NULL,
        UNIQUE (machine, message_id)
      );
      CREATE INDEX team_outbox_by_machine ON team_outbox (machine, seq);
      CREATE TABLE team_machines (
        machine    TEXT    PRIMARY KEY,          -- mesh agent id
        name       TEXT    NOT NULL,
        last_seen  INTEGER NOT NULL
      );
    `);
  },
};
