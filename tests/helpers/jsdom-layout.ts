// What jsdom leaves out because it lays nothing out, and libraries call all the same: ResizeObserver (cmdk's
// list, react-resizable-panels' groups) and scrollIntoView (cmdk's chosen item). No-ops: a unit test of a view
// asserts on what it renders and sends, never on sizes; the e2e suite checks layout in Chromium.
// For a view whose behaviour hangs on scrolling (a log that follows its newest line), ScrollBox lays out one
// scroller as rows of one height and scrolls, clamps and fires `scroll` as a browser does.
export function installLayoutStubs(): void {
  Element.prototype.scrollIntoView ??= () => undefined;
  globalThis.ResizeObserver ??= class {
    observe(): void {}
    unobserve(): void {}
    disconnect(): void {}
  };
}

export interface ScrollBoxLayout {
  /** the rows that take room, in order (each `rowHeight` tall); nothing else does */
  rowSelector: string;
  rowHeight: number;
  clientHeight: number;
}

/**
 * One scroller laid out as a browser would: scrollHeight from its rows, scrollTop clamped to
 * [0, scrollHeight - clientHeight], clamped again when rows go away, and a `scroll` event a task after any
 * change of position, whoever made it (browsers fire it on the next frame). scrollIntoView of a row inside it
 * scrolls it. dispose() gives the element and Element.prototype back.
 */
export class ScrollBox {
  private top = 0;
  private pending: ReturnType<typeof setTimeout> | null = null;
  private readonly observer: MutationObserver;
  private readonly ownScrollIntoView = Object.getOwnPropertyDescriptor(Element.prototype, 'scrollIntoView');

  constructor(
    readonly el: HTMLElement,
    private readonly layout: ScrollBoxLayout,
  ) {
    Object.defineProperty(el, 'scrollTop', {
      configurable: true,
      // reading it lays out first, as a browser does: rows gone since clamp the view now
      get: () => {
        this.moveTo(this.top);
        return this.top;
      },
      set: (v: number) => this.moveTo(v),
    });
    Object.defineProperty(el, 'scrollHeight', { configurable: true, get: () => this.scrollHeight });
    Object.defineProperty(el, 'clientHeight', { configurable: true, get: () => layout.clientHeight });
    const reveal = (target: Element, arg?: boolean | ScrollIntoViewOptions) => {
      if (el.contains(target) && target !== el) this.reveal(target, arg);
    };
    Element.prototype.scrollIntoView = function (this: Element, arg?: boolean | ScrollIntoViewOptions) {
      reveal(this, arg);
    };
    // rows removed: the browser clamps the view at its next layout
    this.observer = new MutationObserver(() => this.moveTo(this.top));
    this.observer.observe(el, { childList: true, subtree: true });
    this.moveTo(this.scrollHeight);
  }

  get scrollHeight(): number {
    return Math.max(this.layout.clientHeight, this.rows().length * this.layout.rowHeight);
  }

  /** a user's scroll: the wheel, the scrollbar, PageUp */
  userScroll(top: number): void {
    this.moveTo(top);
  }

  /** the first and last row index at least half in view */
  visibleRows(): [number, number] {
    const h = this.layout.rowHeight;
    return [Math.round(this.top / h), Math.round((this.top + this.layout.clientHeight) / h) - 1];
  }

  /** resolves once the pending `scroll` event, if any, has been dispatched (wrap it in act) */
  async settle(): Promise<void> {
    for (let i = 0; i < 10 && this.pending; i++) await new Promise((r) => setTimeout(r, 0));
  }

  dispose(): void {
    this.observer.disconnect();
    if (this.pending) clearTimeout(this.pending);
    for (const key of ['scrollTop', 'scrollHeight', 'clientHeight'])
      delete (this.el as unknown as Record<string, unknown>)[key];
    if (this.ownScrollIntoView) Object.defineProperty(Element.prototype, 'scrollIntoView', this.ownScrollIntoView);
    else delete (Element.prototype as Partial<Element>).scrollIntoView;
  }

  private rows(): Element[] {
    return [...this.el.querySelectorAll(this.layout.rowSelector)];
  }

  private reveal(target: Element, arg?: boolean | ScrollIntoViewOptions): void {
    const row = this.rows().findIndex((r) => r === target || r.contains(target));
    if (row === -1) return;
    const { rowHeight: h, clientHeight: view } = this.layout;
    const block = typeof arg === 'object' ? (arg.block ?? 'start') : arg === false ? 'end' : 'start';
    const start = row * h;
    if (block === 'center') this.moveTo(start + h / 2 - view / 2);
    else if (block === 'end') this.moveTo(start + h - view);
    else if (block === 'nearest') {
      if (start < this.top) this.moveTo(start);
      else if (start + h > this.top + view) this.moveTo(start + h - view);
    } else this.moveTo(start);
  }

  private moveTo(v: number): void {
    const next = Math.max(0, Math.min(Math.round(v), this.scrollHeight - this.layout.clientHeight));
    if (next === this.top) return;
    this.top = next;
    this.pending ??= setTimeout(() => {
      this.pending = null;
      this.el.dispatchEvent(new Event('scroll'));
    }, 0);
  }
}
