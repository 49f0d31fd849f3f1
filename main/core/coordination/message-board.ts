// Messages between agents, and to and from the human (`user`), kept in the store. A reader's cursor (the
// last seq it read) is kept per reader, so read_messages gives each agent what it has not seen, and a
// broadcast (`*`) is read once by each.
import { DevMeshError } from '../../../shared/errors.js';
import type { Message } from '../../../shared/message.js';
import type { Database } from '../store/database.js';

export interface MessageParties {
  /** an agent id or name → { id, name }; `user` and `*` are themselves; unknown → null */
  resolve(party: string): { id: string; name: string } | null;
}

/** what a reader is given: messages to it, and to everyone by others (bound: reader, reader) */
const TO_READER = "(recipient = ? OR (recipient = '*' AND sender <> ?))";

interface MessageRow {
  seq: number;
  ts: number;
  sender: string;
  sender_name: string;
  recipient: string;
  recipient_name: string;
  body: string;
  task: string | null;
}

export class MessageBoard {
  private readonly insertStmt;
  private readonly unreadStmt;
  private readonly unreadCountStmt;
  private readonly lastStmt;
  private readonly cursorStmt;
  private readonly setCursorStmt;

  constructor(
    private readonly database: Database,
    private readonly parties: MessageParties,
    private readonly onPosted: (message: Message) => void,
    private readonly now: () => number = Date.now,
  ) {
    const db = database.db;
    this.insertStmt = db.prepare(
      'INSERT INTO messages (ts, sender, sender_name, recipient, recipient_name, body, task) VALUES (@ts, @sender, @sender_name, @recipient, @recipient_name, @body, @task)',
    );
    this.unreadStmt = db.prepare(`SELECT * FROM messages WHERE seq > ? AND ${TO_READER} ORDER BY seq LIMIT ?`);
    this.unreadCountStmt = db.prepare(`SELECT count(*) AS n FROM messages WHERE seq > ? AND ${TO_READER}`);
    this.lastStmt = db.prepare(`SELECT * FROM messages WHERE ${TO_READER} ORDER BY seq DESC LIMIT ?`);
    this.cursorStmt = db.prepare('SELECT last_seq FROM message_cursors WHERE reader = ?');
    this.setCursorStmt = db.prepare(
      'INSERT INTO message_cursors (reader, last_seq) VALUES (?, ?) ON CONFLICT(reader) DO UPDATE SET last_seq = max(last_seq, excluded.last_seq)',
    );
  }

  send(input: { from: string; to: string; body: string; task?: string }): Message {
    const from = this.party(input.from, 'sender');
    const to = this.party(input.to, 'recipient');
    const row = {
      ts: this.now(),
      sender: from.id,
      sender_name: from.name,
      recipient: to.id,
      recipient_name: to.name,
      body: input.body,
      task: input.task ?? null,
    };
    const seq = Number(this.insertStmt.run(row).lastInsertRowid);
    const message = MessageBoard.toMessage({ seq, ...row });
    this.onPosted(message);
    return message;
  }

  /** What was sent to `reader` (or to everyone, by others) past its cursor, oldest first; moves the cursor. */
  read(input: { reader: string; unreadOnly: boolean; limit: number }): Message[] {
    const reader = this.party(input.reader, 'reader').id;
    let rows: MessageRow[];
    if (input.unreadOnly) {
      rows = this.unreadStmt.all(this.cursorOf(reader), reader, reader, input.limit) as MessageRow[];
    } else {
      rows = (this.lastStmt.all(reader, reader, input.limit) as MessageRow[]).reverse();
    }
    const last = rows[rows.length - 1];
    if (last) this.setCursorStmt.run(reader, last.seq);
    return rows.map((r) => MessageBoard.toMessage(r));
  }

  /** What `read` with unreadOnly would give `reader`, without marking it read (markRead does, once it is delivered). */
  peek(reader: string, limit: number): Message[] {
    const id = this.party(reader, 'reader').id;
    return (this.unreadStmt.all(this.cursorOf(id), id, id, limit) as MessageRow[]).map((r) =>
      MessageBoard.toMessage(r),
    );
  }

  /** Moves `reader`'s cursor to `seq` (never back): everything up to it counts as read. */
  markRead(reader: string, seq: number): void {
    this.setCursorStmt.run(this.party(reader, 'reader').id, seq);
  }

  /** How many messages `read` with unreadOnly would still give `reader`; marks nothing read. */
  unreadCount(reader: string): number {
    const id = this.party(reader, 'reader').id;
    return (this.unreadCountStmt.get(this.cursorOf(id), id, id) as { n: number }).n;
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
    };
  }
}
