// The untracked files' counts, kept while each file stays as it was: the change list is asked for on every
// batch of changes in a worktree (the Review view follows them), and counting a large untracked file means
// reading it whole. A file is known by its identity and its last change (device, inode, size, mtime, ctime from
// an lstat, which costs no read); any change of those reads it again. Bounded: the oldest entries go first.
import { lstat } from 'node:fs/promises';
import { sniffFile, type SniffedFile } from './file-sniff.js';

/** files remembered at most (a worktree with more untracked files reads the rest each time) */
const KEPT = 4_096;

export class SniffCache {
  private readonly known = new Map<string, { stamp: string; sniffed: SniffedFile }>();

  /** The file's sniff, read again only when it changed since; rejects as `sniffFile` does (ENOENT…). */
  async sniff(path: string): Promise<SniffedFile> {
    const s = await lstat(path, { bigint: true });
    const stamp = `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}:${s.mode}`;
    const hit = this.known.get(path);
    if (hit?.stamp === stamp) return hit.sniffed;
    const sniffed = await sniffFile(path);
    this.known.delete(path);
    this.known.set(path, { stamp, sniffed });
    if (this.known.size > KEPT) this.known.delete(this.known.keys().next().value!);
    return sniffed;
  }

  /** entries kept (tests) */
  get size(): number {
    return this.known.size;
  }
}
