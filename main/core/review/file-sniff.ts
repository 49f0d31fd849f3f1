// What git cannot say about a file it does not track yet (an agent's new, untracked file): whether it is
// binary, by git's own rule (a NUL byte in its first 8,000 bytes: xdiff's `buffer_is_binary`), and how many
// lines it has, read in chunks so a large file costs no more memory than a chunk.
import { closeSync, openSync, readSync, statSync } from 'node:fs';

const SNIFF_BYTES = 8000;
const CHUNK = 256 * 1024;

export interface SniffedFile {
  size: number;
  binary: boolean;
  /** lines a diff against nothing would add; null for a binary file */
  lines: number | null;
}

export function sniffFile(path: string): SniffedFile {
  const size = statSync(path).size;
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    let lines = 0;
    let offset = 0;
    let last = -1;
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, offset);
      if (n === 0) break;
      if (offset < SNIFF_BYTES && buf.subarray(0, Math.min(n, SNIFF_BYTES - offset)).includes(0))
        return { size, binary: true, lines: null };
      for (let i = buf.indexOf(10, 0); i !== -1 && i < n; i = buf.indexOf(10, i + 1)) lines++;
      last = buf[n - 1]!;
      offset += n;
    }
    // a last line without its newline is a line too, as git counts it
    if (offset > 0 && last !== 10) lines++;
    return { size, binary: false, lines };
  } finally {
    closeSync(fd);
  }
}
