// Anything that owns a resource (a socket, a process, a timer, a listener) is disposable. A
// DisposableStore (VS Code's shape) owns many: it disposes them in the reverse order they were added.

export interface Disposable {
  dispose(): void;
}

/** A part that closes asynchronously (a listening socket, a store flushing, services stopping). */
export interface AsyncDisposable {
  dispose(): void | Promise<void>;
}

export function toDisposable(fn: () => void): Disposable {
  let done = false;
  return {
    dispose() {
      if (done) return;
      done = true;
      fn();
    },
  };
}

/**
 * Owns parts and disposes them in the reverse order they were added, once (later calls wait for the
 * first). One part failing to dispose does not keep the rest from disposing: each failure goes to
 * `onError`, and the rest are disposed all the same.
 */
export class DisposableStore implements AsyncDisposable {
  private readonly parts: AsyncDisposable[] = [];
  private disposing: Promise<void> | null = null;

  constructor(private readonly onError: (err: unknown) => void = (err) => process.emitWarning(failed(err))) {}

  get isDisposed(): boolean {
    return this.disposing !== null;
  }

  /** Takes `part` on; a part added after disposal is disposed at once (nothing is left running). */
  add<T extends AsyncDisposable>(part: T): T {
    if (this.disposing !== null) {
      void this.disposeOne(part);
      return part;
    }
    this.parts.push(part);
    return part;
  }

  dispose(): Promise<void> {
    this.disposing ??= this.disposeAll();
    return this.disposing;
  }

  private async disposeAll(): Promise<void> {
    while (this.parts.length > 0) await this.disposeOne(this.parts.pop()!);
  }

  private async disposeOne(part: AsyncDisposable): Promise<void> {
    try {
      await part.dispose();
    } catch (err) {
      try {
        this.onError(err);
      } catch {
        // the reporter itself failed: the remaining parts must still be disposed
        process.emitWarning(failed(err));
      }
    }
  }
}

function failed(err: unknown): string {
  return `devmesh: a part failed to dispose: ${err instanceof Error ? err.message : String(err)}`;
}
