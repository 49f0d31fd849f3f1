// A small real file system that a test can fill to the last byte and free again: a tmpfs mounted on a
// temp folder (needs root, as CI runs). `fill` writes a filler file until the kernel answers ENOSPC;
// `free` removes it; `unmount` removes the mount and its folder.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Why a tmpfs cannot be mounted here (not root, no mount), or null when it can. */
export function tmpfsUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root (CI runs as root)';
  const probe = mkdtempSync(join(tmpdir(), 'devmesh-tmpfs-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return null;
  } catch (err) {
    return `cannot mount a tmpfs: ${(err as Error).message}`;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

export class TmpfsDisk {
  private filler: string | null = null;

  private constructor(readonly dir: string) {}

  static mount(sizeMb: number, prefix = 'devmesh-full-'): TmpfsDisk {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m,mode=0700`, 'tmpfs', dir]);
    return new TmpfsDisk(dir);
  }

  get freeBytes(): number {
    const s = statfsSync(this.dir);
    return s.bavail * s.bsize;
  }

  /** Writes until the disk is full (ENOSPC), down to the last page. */
  fill(): void {
    this.filler ??= join(this.dir, `filler-${process.pid}`);
    const fd = openSync(this.filler, 'a');
    try {
      for (const size of [1 << 20, 64 << 10, 4 << 10, 512]) {
        const chunk = Buffer.alloc(size, 0x61);
        for (;;) {
          try {
            writeSync(fd, chunk);
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
            throw err;
          }
        }
      }
    } finally {
      closeSync(fd);
    }
  }

  free(): void {
    if (this.filler) rmSync(this.filler, { force: true });
  }

  unmount(): void {
    try {
      execFileSync('umount', [this.dir], { stdio: 'ignore' });
    } catch {
      // busy (a file still open): detach it, the kernel drops it once the last user is gone
      execFileSync('umount', ['-l', this.dir], { stdio: 'ignore' });
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
