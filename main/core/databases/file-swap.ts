// Replacing an engine's data files under whileStopped without ever losing the current ones: each file is
// moved aside (`<file>.before-restore`), the new one renamed in, and the old ones removed only once the
// engine started again on the new data; a failure moves them back. A swap cut short by DevMesh's death (files
// set aside, the new ones maybe placed, nothing confirmed) is undone before the engine's next start (recover):
// the data from before the restore comes back, and the snapshot can be restored again.
import { chown, rename, rm, stat } from 'node:fs/promises';

/** files in a swap this process is doing now: recover() leaves them alone (the swap's own start) */
const swapping = new Set<string>();

export class FileSwap {
  private readonly moved: string[] = [];
  private readonly placed: string[] = [];
  private readonly touched = new Set<string>();

  /** moves `file` aside when it exists */
  async setAside(file: string): Promise<void> {
    this.own(file);
    if (!(await FileSwap.exists(file))) return;
    await rm(FileSwap.aside(file), { recursive: true, force: true });
    await rename(file, FileSwap.aside(file));
    this.moved.push(file);
  }

  /**
   * Before an engine starts: a swap of `files` that no live swap owns (DevMesh died during a restore) is
   * undone, the files from before it put back. true when it undid one.
   */
  static async recover(files: readonly string[]): Promise<boolean> {
    if (files.some((f) => swapping.has(f))) return false;
    const aside = await Promise.all(files.map((f) => FileSwap.exists(FileSwap.aside(f))));
    if (!aside.includes(true)) return false;
    for (const [i, file] of files.entries()) {
      await rm(file, { recursive: true, force: true });
      if (aside[i]) await rename(FileSwap.aside(file), file);
    }
    return true;
  }

  /** renames `from` (a temporary file in the same folder) to `to` */
  async place(from: string, to: string): Promise<void> {
    this.own(to);
    await rename(from, to);
    this.placed.push(to);
  }

  /** puts back what was set aside (what was placed is removed) */
  async undo(): Promise<void> {
    for (const file of this.placed) await rm(file, { recursive: true, force: true });
    for (const file of this.moved) await rename(FileSwap.aside(file), file);
    this.release();
  }

  /** removes what was set aside: the new data is in use */
  async commit(): Promise<void> {
    for (const file of this.moved) await rm(FileSwap.aside(file), { recursive: true, force: true });
    this.release();
  }

  private own(file: string): void {
    swapping.add(file);
    this.touched.add(file);
  }

  private release(): void {
    for (const file of this.touched) swapping.delete(file);
    this.touched.clear();
    this.moved.length = 0;
    this.placed.length = 0;
  }

  static aside(file: string): string {
    return `${file}.before-restore`;
  }

  static async exists(path: string): Promise<boolean> {
    return stat(path).then(
      () => true,
      (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return false;
        throw err;
      },
    );
  }

  /** gives `file` the owner of `folder` (the engine's user owns its data folder when the daemon is root) */
  static async ownLike(file: string, folder: string): Promise<void> {
    if (process.getuid?.() !== 0) return;
    const owner = await stat(folder);
    await chown(file, owner.uid, owner.gid);
  }
}
