// The requests the Requests view holds: oldest first, unique by seq, at most `capacity` of them. Newer
// records (a page, the live stream, a catch-up after a reconnect) merge in at the end; an older page
// ("load older") goes in front while there is room. Plain data, no timers: RequestSession owns those.

import type { RequestRecord } from '../../shared/proxy.js';

export class RequestBuffer {
  private items: RequestRecord[] = [];
  /** the daemon holds records older than the first one here */
  hasMore = false;

  constructor(readonly capacity: number) {}

  get records(): readonly RequestRecord[] {
    return this.items;
  }

  get oldestSeq(): number | null {
    return this.items[0]?.seq ?? null;
  }

  get full(): boolean {
    return this.items.length >= this.capacity;
  }

  get room(): number {
    return Math.max(0, this.capacity - this.items.length);
  }

  /** Replaces everything with a fresh newest page. */
  reset(page: readonly RequestRecord[], hasMore: boolean): void {
    this.items = RequestBuffer.sorted(page);
    this.hasMore = hasMore;
    this.trim();
  }

  /** Adds records newer than the newest held one; returns how many were new. Drops the oldest past capacity. */
  appendNewer(records: readonly RequestRecord[]): number {
    let last = this.items[this.items.length - 1]?.seq ?? Number.NEGATIVE_INFINITY;
    const fresh: RequestRecord[] = [];
    for (const r of RequestBuffer.sorted(records)) {
      if (r.seq <= last) continue; // already held: a page and the live stream overlap
      fresh.push(r);
      last = r.seq;
    }
    if (fresh.length === 0) return 0;
    this.items = this.items.concat(fresh);
    this.trim();
    return fresh.length;
  }

  /** Puts an older page in front, as much as fits; returns how many were added. */
  prependOlder(records: readonly RequestRecord[], hasMore: boolean): number {
    const oldest = this.oldestSeq ?? Number.POSITIVE_INFINITY;
    const older = RequestBuffer.sorted(records).filter((r) => r.seq < oldest);
    const fit = older.slice(Math.max(0, older.length - this.room));
    this.items = fit.concat(this.items);
    this.hasMore = hasMore || fit.length < older.length;
    return fit.length;
  }

  private trim(): void {
    if (this.items.length <= this.capacity) return;
    this.items = this.items.slice(-this.capacity);
    this.hasMore = true;
  }

  private static sorted(records: readonly RequestRecord[]): RequestRecord[] {
    return [...records].sort((a, b) => a.seq - b.seq);
  }
}
