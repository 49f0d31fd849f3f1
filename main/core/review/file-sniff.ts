// What git cannot say about a file it does not track yet (an agent's new, untracked file): whether it is
// binary, by git's own rule (a NUL byte in its first 8,000 bytes: xdiff's `buffer_is_binary`), and how many
// lines it has, read in chunks so a large file costs no more memory than a chunk.
// A symlink is what git makes of it (a blob holding the target's path: one line), never the file it points at:
// an agent's link to a FIFO would otherwise block the daemon's event loop in a synchronous open, and a link to
// a huge file would be read whole on every summary. The open refuses links and never waits (O_NOFOLLOW,
// O_NONBLOCK) in case the path is swapped for one after the lstat; anything but a regular file counts as binary.
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, readlinkSync } from 'node:fs';

const SNIFF_BYTES = 8000;
const CHUNK = 256 * 1024;
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

export interface SniffedFile {
  size: number;
  binary: boolean;
  /** lines a diff against nothing would add; null for a binary file */
  lines: number | null;
}

export function sniffFile(path: string): SniffedFile {
  const stat = lstatSync(path);
  if (stat.isSymbolicLink()) return { size: Buffer.byteLength(readlinkSync(path)), binary: false, lines: 1 };
  if (!stat.isFile()) return { size: 0, binary: true, lines: null };
  const fd = openSync(path, OPEN_FLAGS);
  try {
    const opened = fstatSync(fd);
    if (!opened.isFile()) return { size: 0, binary: true, lines: null };
    const size = opened.size;
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
