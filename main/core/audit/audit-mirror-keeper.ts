// Keeps the JSONL mirror in step with the chain: each committed row's line is appended in seq order; a
// write that fails (a full disk) leaves the mirror behind, and from then on nothing is appended out of order:
// the missing lines are rewritten from the chain as soon as the disk takes them (`catchUp`), and the repair
// is recorded in the chain. At open, lines a crash kept from the mirror are restored the same way.
import type { AuditAppend } from '../../../shared/audit.js';
import type { StoreGuard } from '../health/store-guard.js';
import { auditMirrorLine, type AuditRow } from './audit-encoding.js';
import type { AuditMirror } from './audit-mirror.js';

export interface AuditOpenReport {
  /** mirror lines restored from SQLite at open (committed, but the crash came before the mirror write) */
  restoredLines: number;
  /** bytes of a torn last mirror line cut off at open */
  tornBytes: number;
}

export interface AuditMirrorKeeperDeps {
  mirror: AuditMirror;
  /** committed rows with after < seq <= upTo, in order, a page at a time */
  rows: (after: number, upTo: number) => AuditRow[];
  headSeq: () => number;
  guard: StoreGuard;
  /** appends an entry to the chain (the repair's record) */
  record: (entry: AuditAppend) => void;
  /** the mirror fell behind: someone must call catchUp later */
  onBehind: () => void;
}

export class AuditMirrorKeeper {
  /** the last seq whose line is in the mirror */
  private seq = 0;
  private lagging = false;

  constructor(private readonly deps: AuditMirrorKeeperDeps) {}

  get lags(): boolean {
    return this.lagging;
  }

  /** entries of the chain the mirror misses */
  get behind(): number {
    return this.lagging ? this.deps.headSeq() - this.seq : 0;
  }

  /** Rows just committed: their lines go to the mirror, or, while it lags, everything missing does. */
  write(rows: AuditRow[], sync: boolean): void {
    if (this.lagging) {
      this.catchUp(); // writes every committed line, these rows' included, or waits for the next try
      return;
    }
    try {
      this.deps.mirror.append(
        rows.map((r) => auditMirrorLine(r)),
        sync,
      );
      this.seq = rows[rows.length - 1]!.seq;
    } catch (err) {
      this.lagging = true;
      this.deps.guard.report(err);
      this.deps.onBehind();
    }
  }

  /** Writes the lines the mirror misses, in order; true once it holds every committed entry. */
  catchUp(): boolean {
    const head = this.deps.headSeq();
    const from = this.seq + 1;
    try {
      this.copy(head);
    } catch (err) {
      this.deps.guard.report(err);
      return false;
    }
    this.lagging = false;
    this.deps.guard.succeeded();
    // the repair is a fact of the chain's history, recorded like the one at open
    if (head >= from) this.deps.record(this.repairEntry(from, head, 0));
    return true;
  }

  sync(): void {
    if (!this.lagging) this.deps.mirror.sync();
  }

  /** At open: cuts a torn last line and restores the lines a crash kept from the mirror. */
  restoreAtOpen(): AuditOpenReport {
    const { lastLine, tornBytes } = this.deps.mirror.repairTail();
    const head = this.deps.headSeq();
    if (lastLine !== null) {
      const parsed = AuditMirrorKeeper.lineSeqAndHash(lastLine);
      // A mirror that does not end on an entry of this chain is left for verify to report, never rewritten.
      const row = parsed && this.deps.rows(parsed.seq - 1, parsed.seq)[0];
      if (!parsed || !row || row.hash !== parsed.hash) {
        this.seq = head;
        return { restoredLines: 0, tornBytes };
      }
      this.seq = parsed.seq;
    }
    if (this.seq >= head) return { restoredLines: 0, tornBytes };
    const from = this.seq + 1;
    this.copy(head);
    this.deps.record(this.repairEntry(from, head, tornBytes));
    return { restoredLines: head - from + 1, tornBytes };
  }

  private copy(upTo: number): void {
    while (this.seq < upTo) {
      const rows = this.deps.rows(this.seq, upTo);
      if (rows.length === 0) break;
      this.deps.mirror.append(
        rows.map((r) => auditMirrorLine(r)),
        true,
      );
      this.seq = rows[rows.length - 1]!.seq;
    }
  }

  private repairEntry(fromSeq: number, toSeq: number, tornBytes: number): AuditAppend {
    return {
      actor: 'devmesh',
      kind: 'audit.mirror-restored',
      subject: this.deps.mirror.path,
      data: { fromSeq, toSeq, tornBytes },
    };
  }

  private static lineSeqAndHash(line: string): { seq: number; hash: string } | null {
    try {
      const v = JSON.parse(line) as { seq?: unknown; hash?: unknown };
      return typeof v.seq === 'number' && typeof v.hash === 'string' ? { seq: v.seq, hash: v.hash } : null;
    } catch {
      return null; // not an entry line: verify names it
    }
  }
}
