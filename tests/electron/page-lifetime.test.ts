// PageLifetime tells its users when a webContents' page goes (reload, navigation to another document, the
// renderer process gone, the webContents destroyed), once per page, with one set of electron listeners
// however many users it has.
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fake-electron.js'));

import { FakeWebContents, resetFake } from './fake-electron.js';
import { PageLifetime } from '../../main/electron/page-lifetime.js';
import type { WebContents } from 'electron';

let contents: FakeWebContents;
let pages: PageLifetime;
const wc = (c: FakeWebContents) => c as unknown as WebContents;
const EVENTS = ['destroyed', 'did-start-navigation', 'render-process-gone'];
/** PageLifetime's electron listeners on `c` (render-process-gone: minus those a test adds itself) */
const listeners = (c: FakeWebContents, own = 0) => EVENTS.reduce((n, e) => n + c.listenerCount(e), 0) - own;

beforeEach(() => {
  resetFake();
  contents = new FakeWebContents();
  pages = new PageLifetime();
});

describe('PageLifetime', () => {
  it('calls each listener once when the page reloads; the next page starts with none', () => {
    const gone: string[] = [];
    pages.onPageGone(wc(contents), () => gone.push('a'));
    pages.onPageGone(wc(contents), () => gone.push('b'));
    contents.reload();
    expect(gone).toEqual(['a', 'b']);
    contents.reload();
    expect(gone).toEqual(['a', 'b']);
    expect(listeners(contents)).toBe(0);
    pages.onPageGone(wc(contents), () => gone.push('c'));
    contents.reload();
    expect(gone).toEqual(['a', 'b', 'c']);
  });

  it('counts a navigation to another document and a destroyed webContents, not an in-page navigation', () => {
    const gone: string[] = [];
    pages.onPageGone(wc(contents), () => gone.push('navigated'));
    const inPage = { url: 'app://devmesh/index.html#/logs', isMainFrame: true, isSameDocument: true };
    contents.emit('did-start-navigation', inPage);
    contents.emit('did-start-navigation', { url: 'app://devmesh/f.html', isMainFrame: false, isSameDocument: false });
    expect(gone).toEqual([]);
    contents.navigate('app://devmesh/other.html');
    expect(gone).toEqual(['navigated']);
    pages.onPageGone(wc(contents), () => gone.push('destroyed'));
    contents.destroy();
    expect(gone).toEqual(['navigated', 'destroyed']);
    expect(listeners(contents)).toBe(0);
  });

  it('counts the renderer process dying: the page is gone before any reload, and goes only once', () => {
    const gone: string[] = [];
    pages.onPageGone(wc(contents), () => gone.push('crashed'));
    contents.crash('oom', -1);
    expect(gone).toEqual(['crashed']);
    // renderer-recovery.ts reloads from its own 'render-process-gone' listener, which comes first
    contents.on('render-process-gone', () => contents.reload());
    const other = new FakeWebContents();
    other.on('render-process-gone', () => other.reload());
    pages.onPageGone(wc(other), () => gone.push('reloaded'));
    other.crash();
    expect(gone).toEqual(['crashed', 'reloaded']);
    expect(listeners(other, 1)).toBe(0);
  });

  it('registers one set of electron listeners per webContents, removed when its last user stops watching', () => {
    const a = pages.onPageGone(wc(contents), () => {});
    const b = pages.onPageGone(wc(contents), () => {});
    const other = new FakeWebContents();
    const c = pages.onPageGone(wc(other), () => {});
    expect(listeners(contents)).toBe(3);
    expect(listeners(other)).toBe(3);
    expect(pages.watchedCount).toBe(2);
    a.dispose();
    expect(listeners(contents)).toBe(3);
    b.dispose();
    b.dispose();
    c.dispose();
    expect(listeners(contents)).toBe(0);
    expect(listeners(other)).toBe(0);
    expect(pages.watchedCount).toBe(0);
  });

  it('never calls a listener disposed before the page goes, even one disposed by an earlier listener', () => {
    const gone: string[] = [];
    let later = { dispose() {} };
    pages.onPageGone(wc(contents), () => {
      gone.push('first');
      later.dispose();
    });
    later = pages.onPageGone(wc(contents), () => gone.push('later'));
    contents.reload();
    expect(gone).toEqual(['first']);
  });

  it('gives a listener registered while the page goes to the next page', () => {
    const gone: string[] = [];
    pages.onPageGone(wc(contents), () => {
      gone.push('old');
      pages.onPageGone(wc(contents), () => gone.push('new'));
    });
    contents.reload();
    expect(gone).toEqual(['old']);
    contents.reload();
    expect(gone).toEqual(['old', 'new']);
  });

  it('calls a listener for a webContents already destroyed on the next microtask, unless disposed first', async () => {
    contents.destroy();
    const gone: string[] = [];
    pages.onPageGone(wc(contents), () => gone.push('kept'));
    pages.onPageGone(wc(contents), () => gone.push('dropped')).dispose();
    expect(gone).toEqual([]);
    await Promise.resolve();
    expect(gone).toEqual(['kept']);
    expect(listeners(contents)).toBe(0);
  });

  it('runs the other listeners when one throws, and logs it when given a logger', () => {
    const errors: string[] = [];
    pages = new PageLifetime({ logger: { error: (_obj, msg) => errors.push(msg ?? '') } });
    const gone: string[] = [];
    pages.onPageGone(wc(contents), () => {
      throw new Error('boom');
    });
    pages.onPageGone(wc(contents), () => gone.push('second'));
    expect(() => contents.reload()).not.toThrow();
    expect(gone).toEqual(['second']);
    expect(errors).toEqual(['a page-gone listener failed']);

    const bare = new PageLifetime();
    const other = new FakeWebContents();
    bare.onPageGone(wc(other), () => {
      throw new Error('boom');
    });
    bare.onPageGone(wc(other), () => gone.push('third'));
    expect(() => other.reload()).toThrow('boom');
    expect(gone).toEqual(['second', 'third']);
  });

  it('dispose() stops watching every page without calling anyone', () => {
    const gone: string[] = [];
    pages.onPageGone(wc(contents), () => gone.push('a'));
    pages.dispose();
    contents.reload();
    contents.destroy();
    expect(gone).toEqual([]);
    expect(listeners(contents)).toBe(0);
  });
});
