// A small disk of its own for full-disk tests: a tmpfs mounted on a temp folder (root only), which a test
// fills to the last byte with a filler file and frees again, so stores meet a real ENOSPC/SQLITE_FULL.
// `available()` says why it cannot run (not root, no mount); dispose() unmounts and removes everything.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export class FullDisk {
  private static probed: string | null | undefined;
  private filler: string | null = null;

  private constructor(readonly dir: string) {}

  /** null when a tmpfs can be mounted here, else the reason it cannot (for `it.skipIf`) */
  static unavailable(): string | null {
    if (FullDisk.probed !== undefined) return FullDisk.probed;
    if (process.getuid?.() !== 0) return (FullDisk.probed = 'full-disk tests mount a tmpfs and need root');
    try {
      FullDisk.mount(1).dispose();
      FullDisk.probed = null;
    } catch (err) {
      FullDisk.probed = `cannot mount a tmpfs here: ${(err as Error).message}`;
    }
    return FullDisk.probed;
  }

  static mount(sizeMb: number, prefix = 'devmesh-fulldisk-'): FullDisk {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m,mode=0700`, 'tmpfs', dir], { timeout: 5000 });
    return new FullDisk(dir);
  }

  /** free bytes on the disk */
  get free(): number {
    const s = statfsSync(this.dir);
    return s.bavail * s.bsize;
  }

  /** Fills every free byte with a filler file (tmpfs allocates pages as they are written). */
  fill(): void {
    this.filler ??= join(this.dir, `.filler-${process.pid}`);
    const fd = openSync(this.filler, 'a');
    const block = Buffer.alloc(64 * 1024, 0x61);
    try {
      // bounded: the disk is at most a few MB, so at most a few hundred blocks, then small pieces
      for (let size = block.length; size >= 1; size = Math.floor(size / 2)) {
        for (let n = 0; n < 100_000; n++) {
          try {
            writeSync(fd, block, 0, size);
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
            break;
          }
        }
      }
    } finally {
      closeSync(fd);
    }
  }

  /** Frees what fill() took. */
  release(): void {
    if (this.filler) rmSync(this.filler, { force: true });
    this.filler = null;
  }

  dispose(): void {
    this.release();
    // lazily: a process that still holds a file there (a daemon being killed) must not fail the teardown
    spawnSync('umount', ['-l', this.dir], { timeout: 5000 });
    rmSync(this.dir, { recursive: true, force: true });
  }
}
