// Tells the project manager when a devmesh.yaml has really changed, so it can reload the project.
//
// Watches the parent directory rather than the file: editors save by writing a temp file and renaming it
// over the original, which leaves a file watch on a deleted inode that never fires again. Saves arrive as
// bursts of events, so they are debounced, and a save that leaves the bytes as they were (touch, :w with no
// edit, a formatter that changed nothing) fires nothing: the content's hash is compared.
import { createHash } from 'node:crypto';
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { DevMeshError } from '../../../shared/errors.js';
import type { Disposable } from '../base/disposable.js';
import { Emitter } from '../base/emitter.js';

export interface ConfigWatcherDeps {
  /** quiet time after the last file event before the file is read; default 150 ms */
  debounceMs?: number;
}

/** The file's state: a hash of its bytes, or null while it does not exist (or cannot be read). */
type Snapshot = string | null;

export class ConfigWatcher implements Disposable {
  private readonly file: string;
  private readonly name: string;
  private readonly debounceMs: number;
  private readonly changes = new Emitter<void>({ name: 'config watcher' });
  private readonly failures = new Emitter<Error>({ name: 'config watcher' });
  private watcher: FSWatcher | null;
  private timer: NodeJS.Timeout | null = null;
  private snapshot: Snapshot;
  // Reads run one after another, so a slow read of an old save cannot overwrite the state of a newer one.
  private reading: Promise<void> = Promise.resolve();
  private disposed = false;

  constructor(configPath: string, deps: ConfigWatcherDeps = {}) {
    this.file = resolve(configPath);
    this.name = basename(this.file);
    this.debounceMs = deps.debounceMs ?? 150;
    this.snapshot = ConfigWatcher.hashNow(this.file);
    try {
      this.watcher = watch(dirname(this.file), (_event, filename) => {
        // Some platforms omit the name; then any event in the folder may be ours.
        if (filename !== null && filename !== this.name) return;
        this.schedule();
      });
    } catch (err) {
      throw new DevMeshError(
        'CONFIG_NOT_FOUND',
        `cannot watch ${dirname(this.file)} for changes to ${this.name}: ${(err as Error).message}`,
      );
    }
    this.watcher.on('error', (error) => this.fail(error));
  }

  /** Fires after the file's content changed (including being deleted or created). */
  onDidChange(listener: () => void): Disposable {
    return this.changes.event(listener);
  }

  /** Fires once if the directory can no longer be watched (it was deleted or moved); the watcher then stops. */
  onDidFail(listener: (error: Error) => void): Disposable {
    return this.failures.event(listener);
  }

  dispose(): void {
    if (this.disposed) return;
    this.stop();
    this.failures.dispose();
  }

  private schedule(): void {
    if (this.disposed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.reading = this.reading.then(() => this.check());
    }, this.debounceMs);
  }

  private async check(): Promise<void> {
    const next = await ConfigWatcher.hash(this.file);
    if (this.disposed || next === this.snapshot) return;
    this.snapshot = next;
    this.changes.fire();
  }

  private fail(error: Error): void {
    if (this.disposed) return;
    // The watcher stops first (a listener sees it stopped), then says why, once.
    this.stop();
    this.failures.fire(error);
    this.failures.dispose();
  }

  private stop(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.watcher?.close();
    this.watcher = null;
    this.changes.dispose();
  }

  private static async hash(file: string): Promise<Snapshot> {
    try {
      return createHash('sha256')
        .update(await readFile(file))
        .digest('hex');
    } catch (err) {
      return ConfigWatcher.missing(err);
    }
  }

  private static hashNow(file: string): Snapshot {
    try {
      return createHash('sha256').update(readFileSync(file)).digest('hex');
    } catch (err) {
      return ConfigWatcher.missing(err);
    }
  }

  // A missing file is a state of its own (the user deleted it: the reload reports CONFIG_NOT_FOUND); any
  // other read error counts the same way, since the reload will hit it too and report it properly.
  private static missing(err: unknown): Snapshot {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? null : `unreadable:${code ?? (err as Error).message}`;
  }
}
