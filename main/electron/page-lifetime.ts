// When the page shown in a webContents goes away, for everything main keeps on that page's behalf (the IPC
// router's event streams, the terminal broker's MessagePorts). A page is one document in the main frame: it
// goes when the main frame starts a cross-document navigation (a reload, a link, a location change: Electron's
// 'did-start-navigation' with isMainFrame and not isSameDocument; same-document navigations such as a #view
// change keep it), when its renderer process dies ('render-process-gone': crashed, killed, out of memory;
// renderer-recovery.ts then reloads it) or when the webContents is destroyed (the window closed). The next
// document is a new page that starts with nothing: its users register again.
// A dead renderer is counted on its own, not left to the reload that follows: Electron may run that reload a
// task later (electron/electron#53924 posts a navigation started while a dead renderer is torn down), and
// until then nothing sent to the page arrives.
// One set of electron listeners per webContents however many users watch it, removed once the page is gone
// or its last user stops watching, so a long-lived window does not collect listeners.
import type { WebContents } from 'electron';
import { toDisposable, type Disposable } from '../core/base/disposable.js';

export interface PageLifetimeDeps {
  /** where a listener that throws is reported; without it the first such error is rethrown once the other
   *  listeners have run (into Electron's event emit, as the listeners' own code would have thrown) */
  logger?: { error(obj: object, msg?: string): void };
}

type Listener = () => void;

interface Page {
  readonly listeners: Set<Listener>;
  readonly detach: () => void;
}

/** Electron 45's 'did-start-navigation' details (an Event carrying them as properties). */
interface NavigationDetails {
  isMainFrame: boolean;
  isSameDocument: boolean;
}

export class PageLifetime implements Disposable {
  private readonly pages = new Map<WebContents, Page>();

  constructor(private readonly deps: PageLifetimeDeps = {}) {}

  /**
   * Calls `listener` once, when the page `contents` shows now goes away; disposing the result first means it
   * is never called. A webContents already destroyed has no page left: the listener is called on the next
   * microtask (unless disposed by then), so a caller may finish recording what it keeps before it is dropped.
   */
  onPageGone(contents: WebContents, listener: Listener): Disposable {
    let pending = true;
    const once = () => {
      if (!pending) return;
      pending = false;
      listener();
    };
    if (contents.isDestroyed()) {
      queueMicrotask(() => this.run([once]));
      return toDisposable(() => (pending = false));
    }
    const page = this.pageOf(contents);
    page.listeners.add(once);
    return toDisposable(() => {
      pending = false;
      if (this.pages.get(contents) !== page || !page.listeners.delete(once)) return;
      if (page.listeners.size === 0) this.forget(contents, page);
    });
  }

  /** Pages watched now (for diagnostics and tests). */
  get watchedCount(): number {
    return this.pages.size;
  }

  /** Stops watching every page; no listener is called. */
  dispose(): void {
    for (const [contents, page] of [...this.pages]) {
      page.listeners.clear();
      this.forget(contents, page);
    }
  }

  private pageOf(contents: WebContents): Page {
    const existing = this.pages.get(contents);
    if (existing) return existing;
    const onDestroyed = () => this.gone(contents, page);
    const onRendererGone = () => this.gone(contents, page);
    const onNavigation = (details: NavigationDetails) => {
      if (details.isMainFrame && !details.isSameDocument) this.gone(contents, page);
    };
    contents.on('destroyed', onDestroyed);
    contents.on('did-start-navigation', onNavigation);
    contents.on('render-process-gone', onRendererGone);
    const page: Page = {
      listeners: new Set(),
      detach: () => {
        contents.removeListener('destroyed', onDestroyed);
        contents.removeListener('did-start-navigation', onNavigation);
        contents.removeListener('render-process-gone', onRendererGone);
      },
    };
    this.pages.set(contents, page);
    return page;
  }

  /** The page went: its listeners run once, in the order they came. A listener registered while they run
   *  belongs to the next page. Node's emit calls listeners removed during the same emit, hence the check. */
  private gone(contents: WebContents, page: Page): void {
    if (this.pages.get(contents) !== page) return;
    const listeners = [...page.listeners];
    page.listeners.clear();
    this.forget(contents, page);
    this.run(listeners);
  }

  private forget(contents: WebContents, page: Page): void {
    if (this.pages.get(contents) === page) this.pages.delete(contents);
    page.detach();
  }

  /** One listener that throws neither stops the others nor, with a logger, reaches Electron's emitter. */
  private run(listeners: Listener[]): void {
    let first: { err: unknown } | null = null;
    for (const listener of listeners) {
      try {
        listener();
      } catch (err) {
        const logger = this.deps.logger;
        if (logger) logger.error({ domain: 'app', err: String(err) }, 'a page-gone listener failed');
        else first ??= { err };
      }
    }
    if (first) throw first.err;
  }
}
