// Replacing an engine's data files under whileStopped without ever losing the current ones: each file is
// moved aside (`<file>.before-restore`), the new one renamed in, and the old ones removed only once the
// engine started again on the new data; a failure moves them back.
import { chown, rename, rm, stat } from 'node:fs/promises';

export class FileSwap {
  private readonly moved: string[] = [];
  private readonly placed: string[] = [];

  /** moves `file` aside when it exists */
  async setAside(file: string): Promise<void> {
    if (!(await FileSwap.exists(file))) return;
    await rm(FileSwap.aside(file), { recursive: true, force: true });
    await rename(file, FileSwap.aside(file));
    this.moved.push(file);
  }

  /** renames `from` (a temporary file in the same folder) to `to` */
  async place(from: string, to: string): Promise<void> {
    await rename(from, to);
    this.placed.push(to);
  }

  /** puts back what was set aside (what was placed is removed) */
  async undo(): Promise<void> {
    for (const file of this.placed) await rm(file, { recursive: true, force: true });
    for (const file of this.moved) await rename(FileSwap.aside(file), file);
    this.placed.length = 0;
    this.moved.length = 0;
  }

  /** removes what was set aside: the new data is in use */
  async commit(): Promise<void> {
    for (const file of this.moved) await rm(FileSwap.aside(file), { recursive: true, force: true });
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
