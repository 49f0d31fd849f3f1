// The JSONL mirror of the audit chain (`.devmesh/audit.jsonl`): one canonical-JSON line per entry, in seq
// order, appended through one open descriptor and fsynced when the durability policy asks. On open, a torn
// last line (a crash in the middle of a write, so never acknowledged) is cut off, and the last whole line
// is reported so the log can restore lines that SQLite committed but the crash kept from the mirror.
import { closeSync, fdatasyncSync, fstatSync, ftruncateSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { DevMeshError } from '../../../shared/errors.js';

/** longer than any line: data ≤ 64 KB plus escaped actor, subject and the fixed fields */
const TAIL_WINDOW = 512 * 1024;

export interface MirrorTail {
  /** the last whole line, or null for an empty mirror */
  lastLine: string | null;
  /** bytes of a torn last line that were cut off */
  tornBytes: number;
}

export class AuditMirror {
  private fd: number | null;
  /** where the next line goes: the file is only ever written by this descriptor */
  private size: number;

  constructor(readonly path: string) {
    const dir = dirname(path);
    mkdirSync(dir, { recursive: true });
    let created = false;
    try {
      this.fd = openSync(path, 'r+');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw AuditMirror.cannot(path, err);
      this.fd = openSync(path, 'a+', 0o600);
      created = true;
    }
    // A new file's directory entry must be durable too, or a power cut could lose the whole mirror.
    if (created) AuditMirror.syncDir(dir);
    this.size = fstatSync(this.fd).size;
  }

  /** cuts a torn last line, returns the last whole line */
  repairTail(): MirrorTail {
    const fd = this.open();
    const size = this.size;
    if (size === 0) return { lastLine: null, tornBytes: 0 };
    const start = Math.max(0, size - TAIL_WINDOW);
    const buf = Buffer.alloc(size - start);
    readSync(fd, buf, 0, buf.length, start);
    let end = buf.length;
    let tornBytes = 0;
    if (buf[end - 1] !== 0x0a) {
      const nl = buf.lastIndexOf(0x0a);
      if (nl < 0 && start > 0)
        throw new DevMeshError(
          'INTERNAL',
          `the audit mirror ${this.path} ends in a line longer than ${TAIL_WINDOW} bytes; it was not written by DevMesh: move it aside and run \`devmesh audit verify\``,
        );
      tornBytes = end - (nl + 1);
      end = nl + 1;
      ftruncateSync(fd, start + end);
      fdatasyncSync(fd);
      this.size = start + end;
    }
    if (end === 0) return { lastLine: null, tornBytes };
    const prev = buf.lastIndexOf(0x0a, end - 2);
    if (prev < 0 && start > 0)
      throw new DevMeshError(
        'INTERNAL',
        `the audit mirror ${this.path} ends in a line longer than ${TAIL_WINDOW} bytes; move it aside and run \`devmesh audit verify\``,
      );
    return { lastLine: buf.subarray(prev + 1, end - 1).toString('utf8'), tornBytes };
  }

  /** appends lines (each without its newline) in one write; `sync` waits for the disk */
  append(lines: string[], sync: boolean): void {
    const fd = this.open();
    const data = Buffer.from(lines.join('\n') + '\n', 'utf8');
    let off = 0;
    try {
      while (off < data.length) off += writeSync(fd, data, off, data.length - off, this.size + off);
    } catch (err) {
      // a full disk mid-write: cut the part that got through, so the file stays whole lines
      if (off > 0) AuditMirror.cut(fd, this.size);
      throw err;
    }
    this.size += data.length;
    if (sync) fdatasyncSync(fd);
  }

  sync(): void {
    if (this.fd !== null) fdatasyncSync(this.fd);
  }

  close(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
  }

  private open(): number {
    if (this.fd === null) throw new DevMeshError('SHUTTING_DOWN', `the audit mirror ${this.path} is closed`);
    return this.fd;
  }

  private static cut(fd: number, size: number): void {
    try {
      ftruncateSync(fd, size); // shrinking needs no space
    } catch {
      // the next append writes over it from `size` on; repairTail cuts a torn line at the next open
    }
  }

  private static syncDir(dir: string): void {
    const fd = openSync(dir, 'r');
    try {
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  private static cannot(path: string, err: unknown): DevMeshError {
    return new DevMeshError(
      'INTERNAL',
      `cannot open the audit mirror ${path}: ${(err as Error).message}; check the folder's permissions`,
    );
  }
}
