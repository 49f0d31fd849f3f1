// What this machine sent to a teammate's machine and has not heard acknowledged (`team_outbox`, schema 10):
// one row per message and machine, in the order sent (seq). A row is deleted only by that machine's ack,
// so a message outlives a broken link and a restart, and is sent again until acknowledged.
//
// Bounded per machine (OUTBOX_MAX_PER_MACHINE): when a machine's queue is full a new message to it is refused
// at once (OUTBOX_FULL, to the sender), and the queue keeps the oldest. Dropping the oldest instead would lose
// messages that were already accepted, silently to their senders; refusing the new one tells the one who can
// act on it, now.
import type { Database } from '../store/database.js';
import type { MessagePostFrame } from './message-frames.js';

export const OUTBOX_MAX_PER_MACHINE = 1000;

export interface OutboxRow {
  seq: number;
  messageId: string;
  frame: MessagePostFrame;
}

export class MessageOutbox {
  private readonly countStmt;
  private readonly addStmt;
  private readonly nextStmt;
  private readonly findStmt;
  private readonly removeStmt;
  private readonly dropStmt;
  private readonly machinesStmt;

  constructor(
    database: Database,
    readonly maxPerMachine = OUTBOX_MAX_PER_MACHINE,
    private readonly now: () => number = Date.now,
  ) {
    const db = database.db;
    this.countStmt = db.prepare('SELECT count(*) AS n FROM team_outbox WHERE machine = ?');
    this.addStmt = db.prepare(
      'INSERT INTO team_outbox (machine, message_id, sender, frame, created_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.nextStmt = db.prepare(
      'SELECT seq, message_id, frame FROM team_outbox WHERE machine = ? AND seq > ? ORDER BY seq LIMIT ?',
    );
    this.findStmt = db.prepare('SELECT sender FROM team_outbox WHERE machine = ? AND message_id = ?');
    this.removeStmt = db.prepare('DELETE FROM team_outbox WHERE machine = ? AND message_id = ?');
    this.dropStmt = db.prepare('DELETE FROM team_outbox WHERE message_id = ?');
    this.machinesStmt = db.prepare('SELECT machine, count(*) AS n FROM team_outbox GROUP BY machine');
  }

  count(machineId: string): number {
    return (this.countStmt.get(machineId) as { n: number }).n;
  }

  /** queued messages per machine id */
  counts(): Map<string, number> {
    const rows = this.machinesStmt.all() as { machine: string; n: number }[];
    return new Map(rows.map((r) => [r.machine, r.n]));
  }

  /** Queues a message for a machine (the caller checked the bound, in the same transaction). */
  add(machineId: string, sender: string, frame: MessagePostFrame): void {
    this.addStmt.run(machineId, frame.id, sender, JSON.stringify(frame), this.now());
  }

  /** the machine's queue after `afterSeq`, oldest first */
  next(machineId: string, afterSeq: number, limit: number): OutboxRow[] {
    const rows = this.nextStmt.all(machineId, afterSeq, limit) as { seq: number; message_id: string; frame: string }[];
    return rows.map((r) => ({ seq: r.seq, messageId: r.message_id, frame: JSON.parse(r.frame) as MessagePostFrame }));
  }

  /** The machine acknowledged the message: its row goes. Returns the local sender, or null when none was queued. */
  remove(machineId: string, messageId: string): { sender: string } | null {
    const row = this.findStmt.get(machineId, messageId) as { sender: string } | undefined;
    if (!row) return null;
    this.removeStmt.run(machineId, messageId);
    return row;
  }

  /** Every machine's row of a message (a send undone). */
  drop(messageId: string): void {
    this.dropStmt.run(messageId);
  }
}
