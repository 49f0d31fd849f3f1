// The one event primitive of main/: an `Emitter<T>` owns the listeners, `event` is what it hands out
// (subscribe with a listener, get a Disposable back), `fire` delivers. Modeled on VS Code's Emitter/Event
// (src/vs/base/common/event.ts), without its leak monitor and delivery queue.
//
// The daemon's containment rule is built in: a listener that throws (a face with a broken socket, a store on
// a full disk) is reported to `onListenerError` and the next listener still runs; nothing reaches the code
// that fired (a timer, a process's exit, a socket's data handler), so nothing a listener does takes the
// daemon down.
import { toDisposable, type Disposable } from './disposable.js';

export type Listener<T> = (value: T) => void;

/** Subscribes a listener; disposing the result unsubscribes it. */
export type Event<T> = (listener: Listener<T>) => Disposable;

export interface EmitterDeps {
  /** what the listeners are about, for the default report ("lock" → "a lock listener threw") */
  name?: string;
  /** hears what a listener threw; it runs in the listener's place and may not throw either */
  onListenerError?: (err: unknown) => void;
}

/** A listener's own subscription: the same function subscribed twice is heard twice and unsubscribed apart. */
interface Subscription<T> {
  readonly listener: Listener<T>;
}

const NONE: Disposable = { dispose: () => undefined };

export class Emitter<T> implements Disposable {
  private readonly subscriptions = new Set<Subscription<T>>();
  private disposed = false;

  constructor(private readonly deps: EmitterDeps = {}) {}

  /** Subscribe here. After `dispose`, subscribing does nothing (and returns a Disposable that does nothing). */
  readonly event: Event<T> = (listener) => {
    if (this.disposed) return NONE;
    const subscription: Subscription<T> = { listener };
    this.subscriptions.add(subscription);
    return toDisposable(() => this.subscriptions.delete(subscription));
  };

  /** Delivers to every listener subscribed when it is called, in the order they came; never throws. A listener
   *  removed by an earlier one during this delivery is not called; one added during it hears the next fire. */
  fire(value: T): void {
    if (this.subscriptions.size === 0) return;
    for (const subscription of [...this.subscriptions]) {
      if (!this.subscriptions.has(subscription)) continue;
      try {
        subscription.listener(value);
      } catch (err) {
        this.report(err);
      }
    }
  }

  get listenerCount(): number {
    return this.subscriptions.size;
  }

  /** Drops every listener; later fires and subscriptions do nothing. */
  dispose(): void {
    this.disposed = true;
    this.subscriptions.clear();
  }

  private report(err: unknown): void {
    try {
      if (this.deps.onListenerError) this.deps.onListenerError(err);
      else Emitter.warn(this.deps.name, err);
    } catch (reportErr) {
      // The reporter failed too (a logger on the very disk that is full): say it the one way left, and go on.
      Emitter.warn(this.deps.name, reportErr);
    }
  }

  private static warn(name: string | undefined, err: unknown): void {
    try {
      const what = name === undefined ? 'an event' : /^[aeiou]/i.test(name) ? `an ${name}` : `a ${name}`;
      process.emitWarning(`devmesh: ${what} listener threw: ${(err as Error)?.message ?? String(err)}`);
    } catch {
      // process.emitWarning itself threw (a --throw-deprecation style hook): delivery still goes on
    }
  }
}
