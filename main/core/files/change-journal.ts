// The recent changes of every watched folder, numbered, for readers that ask rather than subscribe: MCP
// `watch_files` is request/response, so an agent follows changes with a cursor (the last number it saw) and
// asks for what came after, waiting a bounded time for the first one. Bounded: the newest `capacity` changes
// are kept; a cursor older than that, or from an earlier daemon run (the cursor names the run), is answered
// from the oldest kept with `truncated: true`. Waiting readers are bounded too; past the bound a reader is
// answered at once, as if its wait had ended empty.
import { randomUUID } from 'node:crypto';
import type { FileChange, FileChangeType, FilesChanges } from '../../../shared/files.js';
import type { Disposable } from '../base/disposable.js';
import type { LockClock } from '../locks/lock-clock.js';

export interface JournalBatch {
  ts: number;
  root: string;
  project: string | null;
  agentId: string | null;
  changes: ReadonlyArray<{ path: string; type: FileChangeType }>;
}

export interface JournalQuery {
  cursor?: string;
  limit: number;
  project?: string | null;
  prefix?: string;
  /** leave out this agent's worktree */
  excludeAgentId?: string;
}

export interface ChangeJournalDeps {
  clock: LockClock;
  /** changes kept (default 20,000) */
  capacity?: number;
  /** readers waiting at once (default 256) */
  maxWaiters?: number;
}

interface Waiter {
  /** new changes: answer if any match */
  wake: () => void;
  /** answer now, whatever there is */
  end: () => void;
}

export class ChangeJournal implements Disposable {
  /** names this run in cursors: a cursor from another run is not read as one of this run's numbers */
  private readonly epoch = randomUUID().slice(0, 8);
  private readonly capacity: number;
  private entries: FileChange[] = [];
  private head = 0;
  private readonly waiters = new Set<Waiter>();

  constructor(private readonly deps: ChangeJournalDeps) {
    this.capacity = deps.capacity ?? 20_000;
  }

  /** the cursor of "now": only changes after this call */
  get cursor(): string {
    return `${this.epoch}.${this.head}`;
  }

  append(batch: JournalBatch): void {
    for (const c of batch.changes) {
      this.entries.push({
        seq: ++this.head,
        ts: batch.ts,
        root: batch.root,
        project: batch.project,
        agentId: batch.agentId,
        path: c.path,
        type: c.type,
      });
    }
    // drop in chunks, not one shift per change
    if (this.entries.length > this.capacity * 1.25) this.entries = this.entries.slice(-this.capacity);
    for (const w of [...this.waiters]) w.wake();
  }

  /** The changes after `cursor` that match, oldest first, at most `limit`. */
  read(q: JournalQuery): FilesChanges {
    const { from, truncated } = this.start(q.cursor);
    const changes: FileChange[] = [];
    let cursorSeq = this.head;
    let more = false;
    const first = this.entries.length === 0 ? this.head + 1 : this.entries[0]!.seq;
    for (let i = Math.max(0, from + 1 - first); i < this.entries.length; i++) {
      const e = this.entries[i]!;
      if (!ChangeJournal.matches(e, q)) continue;
      if (changes.length === q.limit) {
        more = true;
        cursorSeq = changes[changes.length - 1]!.seq;
        break;
      }
      changes.push(e);
    }
    return { cursor: `${this.epoch}.${cursorSeq}`, changes, more, truncated };
  }

  /** `read`, waiting up to `waitMs` for a first matching change when there is none yet. */
  async wait(q: JournalQuery, waitMs: number): Promise<FilesChanges> {
    let answer = this.read(q);
    if (answer.changes.length > 0 || waitMs <= 0 || this.waiters.size >= (this.deps.maxWaiters ?? 256)) return answer;
    const truncated = answer.truncated;
    await new Promise<void>((resolve) => {
      const waiter: Waiter = {
        wake: () => {
          const next = this.read({ ...q, cursor: answer.cursor });
          answer = next;
          if (next.changes.length > 0) done();
        },
        end: () => undefined,
      };
      const done = (): void => {
        timer.cancel();
        this.waiters.delete(waiter);
        resolve();
      };
      waiter.end = done;
      const timer = this.deps.clock.schedule(done, waitMs);
      this.waiters.add(waiter);
    });
    return { ...answer, truncated: answer.truncated || truncated };
  }

  /** Ends every wait now (the daemon is stopping): each answers what it has. */
  dispose(): void {
    for (const w of [...this.waiters]) w.end();
    this.waiters.clear();
  }

  private start(cursor: string | undefined): { from: number; truncated: boolean } {
    if (cursor === undefined) return { from: this.head, truncated: false };
    const [epoch, raw] = cursor.split('.');
    const seq = Number(raw);
    const oldest = this.entries.length === 0 ? this.head : this.entries[0]!.seq - 1;
    if (epoch !== this.epoch || !Number.isInteger(seq) || seq < 0 || seq > this.head) {
      return { from: oldest, truncated: true };
    }
    return seq < oldest ? { from: oldest, truncated: true } : { from: seq, truncated: false };
  }

  private static matches(e: FileChange, q: JournalQuery): boolean {
    if (q.project != null && e.project !== q.project) return false;
    if (q.excludeAgentId !== undefined && e.agentId === q.excludeAgentId) return false;
    return q.prefix === undefined || e.path.startsWith(q.prefix);
  }
}
