// What git cannot say about a file it does not track yet (an agent's new, untracked file): whether it is
// binary, by git's own rule (a NUL byte in its first 8,000 bytes: xdiff's `buffer_is_binary`), and how many
// lines it has, read in chunks so a large file costs no more memory than a chunk, and asynchronously so a large
// one never holds the daemon's event loop.
// A symlink is what git makes of it (a blob holding the target's path: one line), never the file it points at:
// an agent's link to a FIFO would otherwise block in its open, and a link to a huge file be read whole. The
// open refuses links and never waits (O_NOFOLLOW, O_NONBLOCK) in case the path is swapped for one after the
// lstat; anything but a regular file counts as binary.
import { constants } from 'node:fs';
import { lstat, open, readlink } from 'node:fs/promises';

const SNIFF_BYTES = 8000;
const CHUNK = 256 * 1024;
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

export interface SniffedFile {
  size: number;
  binary: boolean;
  /** lines a diff against nothing would add; null for a binary file */
  lines: number | null;
}

export async function sniffFile(path: string): Promise<SniffedFile> {
  const stat = await lstat(path);
  if (stat.isSymbolicLink()) return { size: Buffer.byteLength(await readlink(path)), binary: false, lines: 1 };
  if (!stat.isFile()) return { size: 0, binary: true, lines: null };
  const file = await open(path, OPEN_FLAGS);
  try {
    const opened = await file.stat();
    if (!opened.isFile()) return { size: 0, binary: true, lines: null };
    const size = opened.size;
    const buf = Buffer.allocUnsafe(CHUNK);
    let lines = 0;
    let offset = 0;
    let last = -1;
    for (;;) {
      const { bytesRead: n } = await file.read(buf, 0, CHUNK, offset);
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
    await file.close();
  }
}
