// Messages between agents, and to and from the human (`user`), kept in the store. A reader's cursor (the
// last seq it read) is kept per reader, so read_messages gives each agent what it has not seen, and a
// broadcast (`*`) or a message to a role (`@frontend`, read by the agents that have it) is read once by each.
// Every message has its origin's id (unique here): a teammate's message sent again is stored once
// (main/core/team/team-messages.ts carries them across the mesh).
import { randomUUID } from 'node:crypto';
import { DevMeshError } from '../../../shared/errors.js';
import type { Message } from '../../../shared/message.js';
import type { Database } from '../store/database.js';

export interface MessageParties {
  /** an agent id or name → { id, name }; `user` and `*` are themselves; unknown → null */
  resolve(party: string): { id: string; name: string } | null;
  /** the reader's role (an agent's), whose `@role` messages it reads; null when it has none */
  roleOf?(reader: string): string | null;
}

/** a message whose parties are resolved, as `store` takes it */
export interface MessagePost {
  id: string;
  from: { id: string; name: string };
  /** a teammate's machine name; null: this machine */
  fromMachine: string | null;
  to: { id: string; name: string };
  body: string;
  task: string | null;
  ts?: number;
  /** machines it still waits for */
  pending?: number;
}

/** what a reader is given: messages to it, and to everyone or to its role by others (bound: @reader, @role) */
const TO_READER = "(recipient = @reader OR ((recipient = '*' OR recipient = @role) AND sender <> @reader))";

interface MessageRow {
  seq: number;
  ts: number;
  sender: string;
  sender_name: string;
  recipient: string;
  recipient_name: string;
  body: string;
  task: string | null;
  origin_id: string | null;
  sender_machine: string | null;
  pending: number;
}

export class MessageBoard {
  private readonly insertStmt;
  private readonly unreadStmt;
  private readonly unreadCountStmt;
  private readonly lastStmt;
  private readonly cursorStmt;
  private readonly setCursorStmt;
  private readonly byIdStmt;
  private readonly deliveredStmt;

  constructor(
    private readonly database: Database,
    private readonly parties: MessageParties,
    private readonly onPosted: (message: Message) => void,
    private readonly now: () => number = Date.now,
  ) {
    const db = database.db;
    this.insertStmt = db.prepare(
      'INSERT OR IGNORE INTO messages (ts, sender, sender_name, recipient, recipient_name, body, task, origin_id, ' +
        'sender_machine, pending) VALUES (@ts, @sender, @sender_name, @recipient, @recipient_name, @body, @task, ' +
        '@origin_id, @sender_machine, @pending)',
    );
    this.unreadStmt = db.prepare(
      `SELECT * FROM messages WHERE seq > @cursor AND ${TO_READER} ORDER BY seq LIMIT @limit`,
    );
    this.unreadCountStmt = db.prepare(`SELECT count(*) AS n FROM messages WHERE seq > @cursor AND ${TO_READER}`);
    this.lastStmt = db.prepare(`SELECT * FROM messages WHERE ${TO_READER} ORDER BY seq DESC LIMIT @limit`);
    this.byIdStmt = db.prepare('SELECT * FROM messages WHERE origin_id = ?');
    this.deliveredStmt = db.prepare('UPDATE messages SET pending = max(pending - 1, 0) WHERE origin_id = ?');
    this.cursorStmt = db.prepare('SELECT last_seq FROM message_cursors WHERE reader = ?');
    this.setCursorStmt = db.prepare(
      'INSERT INTO message_cursors (reader, last_seq) VALUES (?, ?) ON CONFLICT(reader) DO UPDATE SET last_seq = max(last_seq, excluded.last_seq)',
    );
  }

  send(input: { from: string; to: string; body: string; task?: string }): Message {
    const from = this.party(input.from, 'sender');
    const to = this.party(input.to, 'recipient');
    return this.store({ id: randomUUID(), from, fromMachine: null, to, body: input.body, task: input.task ?? null })!;
  }

  /** Stores a message whose parties are resolved; null when a message with its id is here already. */
  store(post: MessagePost): Message | null {
    const row = {
      ts: post.ts ?? this.now(),
      sender: post.from.id,
      sender_name: post.from.name,
      recipient: post.to.id,
      recipient_name: post.to.name,
      body: post.body,
      task: post.task,
      origin_id: post.id,
      sender_machine: post.fromMachine,
      pending: post.pending ?? 0,
    };
    const result = this.insertStmt.run(row);
    if (result.changes === 0) return null;
    const message = MessageBoard.toMessage({ seq: Number(result.lastInsertRowid), ...row });
    this.onPosted(message);
    return message;
  }

  byId(id: string): Message | null {
    const row = this.byIdStmt.get(id) as MessageRow | undefined;
    return row ? MessageBoard.toMessage(row) : null;
  }

  /** A message taken back (its send was undone before anyone had it). */
  forget(id: string): void {
    this.database.db.prepare('DELETE FROM messages WHERE origin_id = ?').run(id);
  }

  /** One more machine has the message: one fewer to wait for. */
  delivered(id: string): Message | null {
    this.deliveredStmt.run(id);
    return this.byId(id);
  }

  /** What was sent to `reader` (or to everyone, by others) past its cursor, oldest first; moves the cursor. */
  read(input: { reader: string; unreadOnly: boolean; limit: number }): Message[] {
    const reader = this.party(input.reader, 'reader').id;
    const args = { ...this.readerArgs(reader), limit: input.limit };
    let rows: MessageRow[];
    if (input.unreadOnly) {
      rows = this.unreadStmt.all({ ...args, cursor: this.cursorOf(reader) }) as MessageRow[];
    } else {
      rows = (this.lastStmt.all(args) as MessageRow[]).reverse();
    }
    const last = rows[rows.length - 1];
    if (last) this.setCursorStmt.run(reader, last.seq);
    return rows.map((r) => MessageBoard.toMessage(r));
  }

  /** What `read` with unreadOnly would give `reader`, without marking it read (markRead does, once it is delivered). */
  peek(reader: string, limit: number): Message[] {
    const id = this.party(reader, 'reader').id;
    const rows = this.unreadStmt.all({ ...this.readerArgs(id), cursor: this.cursorOf(id), limit }) as MessageRow[];
    return rows.map((r) => MessageBoard.toMessage(r));
  }

  /** Moves `reader`'s cursor to `seq` (never back): everything up to it counts as read. */
  markRead(reader: string, seq: number): void {
    this.setCursorStmt.run(this.party(reader, 'reader').id, seq);
  }

  /** How many messages `read` with unreadOnly would still give `reader`; marks nothing read. */
  unreadCount(reader: string): number {
    const id = this.party(reader, 'reader').id;
    return (this.unreadCountStmt.get({ ...this.readerArgs(id), cursor: this.cursorOf(id) }) as { n: number }).n;
  }

  /** Every message, newest first (the UI); marks nothing read. */
  list(input: { limit: number; before?: number; party?: string }): Message[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (input.before !== undefined) {
      where.push('seq < ?');
      args.push(input.before);
    }
    if (input.party !== undefined) {
      const id = this.parties.resolve(input.party)?.id ?? input.party;
      where.push('(sender = ? OR recipient = ?)');
      args.push(id, id);
    }
    const sql = `SELECT * FROM messages ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`;
    return (this.database.db.prepare(sql).all(...args, input.limit) as MessageRow[]).map((r) =>
      MessageBoard.toMessage(r),
    );
  }

  /** the reader and its role (whose `@role` messages it reads), as TO_READER binds them */
  private readerArgs(reader: string): { reader: string; role: string | null } {
    const role = this.parties.roleOf?.(reader) ?? null;
    return { reader, role: role === null ? null : `@${role}` };
  }

  private cursorOf(reader: string): number {
    return (this.cursorStmt.get(reader) as { last_seq: number } | undefined)?.last_seq ?? 0;
  }

  private party(raw: string, role: string): { id: string; name: string } {
    const found = this.parties.resolve(raw);
    if (!found)
      throw new DevMeshError(
        'AGENT_NOT_FOUND',
        `no agent "${raw}" (the message's ${role}); name an agent by id or name (devmesh agent ls), user for the human, or * for everyone`,
      );
    return found;
  }

  private static toMessage(r: MessageRow): Message {
    return {
      seq: r.seq,
      from: r.sender,
      fromName: r.sender_name,
      to: r.recipient,
      toName: r.recipient_name,
      body: r.body,
      task: r.task,
      ts: r.ts,
      id: r.origin_id,
      fromMachine: r.sender_machine,
      queued: r.pending,
    };
  }
}
