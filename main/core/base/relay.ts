// A named signal between two parts built in order: the earlier one fires it, the later one listens.
// It replaces a forward reference (`later?.method()`) where two parts call each other.
import type { Disposable } from './disposable.js';

export class Relay<T> {
  private readonly listeners = new Set<(value: T) => void>();

  fire(value: T): void {
    for (const listener of [...this.listeners]) listener(value);
  }

  on(listener: (value: T) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  }
}
