// The one event primitive: subscriptions are Disposables, delivery is in order, and a listener that throws
// is reported while the others still hear the event and the code that fired never sees the throw.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Emitter } from '../../../main/core/base/emitter.js';

afterEach(() => vi.restoreAllMocks());

describe('Emitter', () => {
  it('delivers to every listener in the order they subscribed, until each disposes its subscription', () => {
    const emitter = new Emitter<number>();
    const heard: string[] = [];
    const a = emitter.event((n) => heard.push(`a${n}`));
    emitter.event((n) => heard.push(`b${n}`));
    emitter.fire(1);
    a.dispose();
    a.dispose(); // twice is harmless
    emitter.fire(2);
    expect(heard).toEqual(['a1', 'b1', 'b2']);
    expect(emitter.listenerCount).toBe(1);
  });

  it('treats the same function subscribed twice as two subscriptions, disposed apart', () => {
    const emitter = new Emitter<string>();
    const heard: string[] = [];
    const listener = (s: string) => heard.push(s);
    const first = emitter.event(listener);
    emitter.event(listener);
    emitter.fire('x');
    first.dispose();
    emitter.fire('y');
    expect(heard).toEqual(['x', 'x', 'y']);
  });

  it('reports a throwing listener and still delivers to the others, without throwing to the one that fired', () => {
    const reported: unknown[] = [];
    const emitter = new Emitter<string>({ onListenerError: (err) => reported.push(err) });
    const heard: string[] = [];
    emitter.event(() => {
      throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    });
    emitter.event((s) => heard.push(s));
    expect(() => emitter.fire('project.closed')).not.toThrow();
    expect(heard).toEqual(['project.closed']);
    expect(reported).toEqual([expect.objectContaining({ code: 'SQLITE_FULL' })]);
  });

  it('without a reporter, names the listeners in a process warning; a reporter that throws is contained too', () => {
    const warnings: string[] = [];
    vi.spyOn(process, 'emitWarning').mockImplementation((w: string | Error) => void warnings.push(String(w)));
    const named = new Emitter<void>({ name: 'lock' });
    named.event(() => {
      throw new Error('boom');
    });
    named.fire();
    const broken = new Emitter<void>({
      name: 'agent status',
      onListenerError: () => {
        throw new Error('the log is on the full disk');
      },
    });
    const heard: number[] = [];
    broken.event(() => {
      throw new Error('boom');
    });
    broken.event(() => heard.push(1));
    expect(() => broken.fire()).not.toThrow();
    expect(heard).toEqual([1]);
    expect(warnings).toEqual([
      'devmesh: a lock listener threw: boom',
      'devmesh: an agent status listener threw: the log is on the full disk',
    ]);
  });

  it('does not call a listener that an earlier one removed during the same fire; one added hears the next', () => {
    const emitter = new Emitter<number>();
    const heard: string[] = [];
    let late: { dispose(): void } | null = null;
    emitter.event((n) => {
      heard.push(`first${n}`);
      late?.dispose();
      emitter.event((m) => heard.push(`added${m}`));
    });
    late = emitter.event((n) => heard.push(`late${n}`));
    emitter.fire(1);
    expect(heard).toEqual(['first1']);
    emitter.fire(2);
    expect(heard).toEqual(['first1', 'first2', 'added2']);
  });

  it('drops every listener on dispose: later fires reach no one, later subscriptions are inert', () => {
    const emitter = new Emitter<number>();
    const heard: number[] = [];
    emitter.event((n) => heard.push(n));
    emitter.dispose();
    emitter.fire(1);
    const after = emitter.event((n) => heard.push(n));
    emitter.fire(2);
    after.dispose();
    expect(heard).toEqual([]);
    expect(emitter.listenerCount).toBe(0);
  });
});
