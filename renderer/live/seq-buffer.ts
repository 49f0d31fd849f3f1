// The items a live paged view holds: unique by seq, at most `capacity` of them, kept in the view's order
// (by seq unless the view says otherwise: the Requests view lists by start time, while the proxy numbers
// requests as they end). Newer items (a page, the live stream, a catch-up after a reconnect) are those
// with a seq above any seen; an older page ("load older") holds seqs below the lowest held and goes in
// while there is room. Past capacity the first items in the view's order go. Plain data, no timers:
// LivePagedSession owns those.

/** how two items compare in the view: negative when `a` comes first */
export type ItemOrder<T> = (a: T, b: T) => number;

const bySeq = <T extends { readonly seq: number }>(a: T, b: T): number => a.seq - b.seq;

export class SeqBuffer<T extends { readonly seq: number }> {
  private held: T[] = [];
  /** the daemon holds items older than the first one here */
  hasMore = false;
  /** the highest seq ever taken in: a newer item is above it, even after the item that set it was trimmed */
  private newestSeq = Number.NEGATIVE_INFINITY;

  constructor(
    readonly capacity: number,
    private readonly order: ItemOrder<T> = bySeq,
  ) {}

  get items(): readonly T[] {
    return this.held;
  }

  /** the lowest seq held: where the next older page starts */
  get oldestSeq(): number | null {
    if (this.held.length === 0) return null;
    let min = Number.POSITIVE_INFINITY;
    for (const item of this.held) min = Math.min(min, item.seq);
    return min;
  }

  get full(): boolean {
    return this.held.length >= this.capacity;
  }

  get room(): number {
    return Math.max(0, this.capacity - this.held.length);
  }

  /** Replaces everything with a fresh newest page. */
  reset(page: readonly T[], hasMore: boolean): void {
    this.held = this.sorted(SeqBuffer.unique(page));
    this.newestSeq = this.held.reduce((max, item) => Math.max(max, item.seq), Number.NEGATIVE_INFINITY);
    this.hasMore = hasMore;
    this.trim();
  }

  /** Adds items newer than any taken in so far; returns how many were new. Drops the first past capacity. */
  appendNewer(items: readonly T[]): number {
    // already held (a page and the live stream overlap) or trimmed: either way not new
    const fresh = SeqBuffer.unique(items).filter((item) => item.seq > this.newestSeq);
    if (fresh.length === 0) return 0;
    for (const item of fresh) this.newestSeq = Math.max(this.newestSeq, item.seq);
    // A new array, never a mutation: snapshots already handed to React must stay as they were.
    this.held = this.sorted(this.held.concat(fresh));
    this.trim();
    return fresh.length;
  }

  /** Puts an older page in, as much as fits (the seqs nearest those held); returns how many were added. */
  prependOlder(items: readonly T[], hasMore: boolean): number {
    const oldest = this.oldestSeq ?? Number.POSITIVE_INFINITY;
    const older = SeqBuffer.unique(items)
      .filter((item) => item.seq < oldest)
      .sort(bySeq);
    const fit = older.slice(Math.max(0, older.length - this.room));
    this.held = this.sorted(fit.concat(this.held));
    this.hasMore = hasMore || fit.length < older.length;
    return fit.length;
  }

  private trim(): void {
    if (this.held.length <= this.capacity) return;
    this.held = this.held.slice(-this.capacity);
    this.hasMore = true;
  }

  /** in the view's order, ties by seq (Array.prototype.sort is stable, and nearly sorted input is cheap) */
  private sorted(items: T[]): T[] {
    return items.sort((a, b) => this.order(a, b) || a.seq - b.seq);
  }

  private static unique<T extends { readonly seq: number }>(items: readonly T[]): T[] {
    const seen = new Set<number>();
    return items.filter((item) => !seen.has(item.seq) && (seen.add(item.seq), true));
  }
}
