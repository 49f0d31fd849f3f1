// The items a live paged view holds: oldest first, unique by seq, at most `capacity` of them. Newer items
// (a page, the live stream, a catch-up after a reconnect) merge in at the end; an older page ("load
// older") goes in front while there is room. Plain data, no timers: LivePagedSession owns those.

export class SeqBuffer<T extends { readonly seq: number }> {
  private held: T[] = [];
  /** the daemon holds items older than the first one here */
  hasMore = false;

  constructor(readonly capacity: number) {}

  get items(): readonly T[] {
    return this.held;
  }

  get oldestSeq(): number | null {
    return this.held[0]?.seq ?? null;
  }

  get full(): boolean {
    return this.held.length >= this.capacity;
  }

  get room(): number {
    return Math.max(0, this.capacity - this.held.length);
  }

  /** Replaces everything with a fresh newest page. */
  reset(page: readonly T[], hasMore: boolean): void {
    this.held = SeqBuffer.sorted(page);
    this.hasMore = hasMore;
    this.trim();
  }

  /** Adds items newer than the newest held one; returns how many were new. Drops the oldest past capacity. */
  appendNewer(items: readonly T[]): number {
    let last = this.held[this.held.length - 1]?.seq ?? Number.NEGATIVE_INFINITY;
    const fresh: T[] = [];
    for (const item of SeqBuffer.sorted(items)) {
      if (item.seq <= last) continue; // already held: a page and the live stream overlap
      fresh.push(item);
      last = item.seq;
    }
    if (fresh.length === 0) return 0;
    // A new array, never a mutation: snapshots already handed to React must stay as they were.
    this.held = this.held.concat(fresh);
    this.trim();
    return fresh.length;
  }

  /** Puts an older page in front, as much as fits; returns how many were added. */
  prependOlder(items: readonly T[], hasMore: boolean): number {
    const oldest = this.oldestSeq ?? Number.POSITIVE_INFINITY;
    const older = SeqBuffer.sorted(items).filter((item) => item.seq < oldest);
    const fit = older.slice(Math.max(0, older.length - this.room));
    this.held = fit.concat(this.held);
    this.hasMore = hasMore || fit.length < older.length;
    return fit.length;
  }

  private trim(): void {
    if (this.held.length <= this.capacity) return;
    this.held = this.held.slice(-this.capacity);
    this.hasMore = true;
  }

  private static sorted<T extends { readonly seq: number }>(items: readonly T[]): T[] {
    return [...items].sort((a, b) => a.seq - b.seq);
  }
}
