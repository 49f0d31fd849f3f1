// The xterm.js terminals of this page, outside React: one per session, keyed by its id, created the first
// time a pane shows it and kept (screen, scrollback, stream) while the view is hidden or the pane shows
// another session; disposed when the session is removed. A pane only lends its element: the terminal's own
// host element moves into it, so switching tabs never re-creates or re-draws a terminal.
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { WebglAddon } from '@xterm/addon-webgl';
import { Terminal } from '@xterm/xterm';
import type { TerminalInfo } from '../../shared/terminal.js';
import type { TerminalEndpoint } from '../api/terminal-endpoint.js';
import { TerminalStream, type TerminalStreamState } from './terminal-stream.js';

export interface StreamStatus {
  state: TerminalStreamState;
  detail: string | null;
}

export interface TerminalRegistryDeps {
  /** the session as the stream reports it (attached, exit): the store takes it */
  onInfo?: (info: TerminalInfo) => void;
  /** Ctrl/Cmd-F inside a terminal: the pane opens its search box */
  onFind?: (id: string) => void;
}

interface Entry {
  term: Terminal;
  host: HTMLDivElement;
  fit: FitAddon;
  search: SearchAddon;
  stream: TerminalStream;
  opened: boolean;
  status: StreamStatus;
  listeners: Set<() => void>;
  disposers: (() => void)[];
}

const SEARCH_DECORATIONS = {
  matchBackground: '#6b5d1f',
  activeMatchBackground: '#c99a1c',
  matchOverviewRuler: '#c99a1c',
  activeMatchColorOverviewRuler: '#ffcc33',
};

export class TerminalRegistry {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly endpoint: TerminalEndpoint,
    private readonly deps: TerminalRegistryDeps = {},
  ) {}

  /** Shows session `id` in `container` (creating its terminal on first use); returns the detach function. */
  attach(id: string, container: HTMLElement): () => void {
    const entry = this.entry(id);
    container.appendChild(entry.host);
    if (!entry.opened) this.open(entry);
    const refit = () => {
      // A hidden pane has no size: fitting it would shrink the PTY to nothing.
      if (container.clientWidth > 0 && container.clientHeight > 0) entry.fit.fit();
    };
    let frame: number | null = null;
    const observer = new ResizeObserver(() => {
      if (frame !== null) return;
      frame = requestAnimationFrame(() => {
        frame = null;
        refit();
      });
    });
    observer.observe(container);
    refit();
    entry.stream.resize(entry.term.cols, entry.term.rows);
    return () => {
      observer.disconnect();
      if (frame !== null) cancelAnimationFrame(frame);
      if (entry.host.parentElement === container) container.removeChild(entry.host);
    };
  }

  focus(id: string): void {
    this.entries.get(id)?.term.focus();
  }

  /** Highlights every match and moves to the next (or previous) one; false when there is none. */
  find(id: string, query: string, direction: 'next' | 'previous'): boolean {
    const entry = this.entries.get(id);
    if (!entry) return false;
    if (query === '') {
      entry.search.clearDecorations();
      return false;
    }
    const searchOptions = { decorations: SEARCH_DECORATIONS };
    return direction === 'next'
      ? entry.search.findNext(query, searchOptions)
      : entry.search.findPrevious(query, searchOptions);
  }

  clearFind(id: string): void {
    this.entries.get(id)?.search.clearDecorations();
  }

  status(id: string): StreamStatus | null {
    return this.entries.get(id)?.status ?? null;
  }

  /** Called when the stream of `id` changes state; returns the unsubscribe function. */
  onStatus(id: string, listener: () => void): () => void {
    const entry = this.entries.get(id);
    if (!entry) return () => {};
    entry.listeners.add(listener);
    return () => void entry.listeners.delete(listener);
  }

  /** The screen and scrollback as text, one line per row (what the e2e test and a copy-all read). */
  text(id: string): string | null {
    const entry = this.entries.get(id);
    if (!entry) return null;
    const buffer = entry.term.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i)?.translateToString(true) ?? '');
    return lines.join('\n');
  }

  ids(): string[] {
    return [...this.entries.keys()];
  }

  /** Disposes the terminals of sessions that no longer exist. */
  retain(ids: readonly string[]): void {
    const keep = new Set(ids);
    for (const id of [...this.entries.keys()]) if (!keep.has(id)) this.forget(id);
  }

  forget(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    for (const d of entry.disposers.splice(0)) d();
    entry.stream.dispose();
    entry.term.dispose();
    entry.host.remove();
    entry.listeners.clear();
  }

  dispose(): void {
    for (const id of [...this.entries.keys()]) this.forget(id);
  }

  private entry(id: string): Entry {
    const existing = this.entries.get(id);
    if (existing) return existing;
    const term = new Terminal({
      allowProposedApi: true, // the search addon's match decorations
      cursorBlink: true,
      fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace',
      fontSize: 13,
      scrollback: 10_000,
      theme: { background: '#101418' },
    });
    const host = document.createElement('div');
    host.className = 'terminal-host';
    host.dataset['terminalId'] = id;
    const fit = new FitAddon();
    const search = new SearchAddon();
    term.loadAddon(fit);
    term.loadAddon(search);
    term.loadAddon(
      new WebLinksAddon((event, uri) => {
        event.preventDefault();
        window.open(uri, '_blank', 'noopener,noreferrer');
      }),
    );
    const listeners = new Set<() => void>();
    const entry: Entry = {
      term,
      host,
      fit,
      search,
      opened: false,
      status: { state: 'connecting', detail: null },
      listeners,
      disposers: [],
      stream: new TerminalStream({
        connector: this.endpoint.connector(id),
        // RIS written in order with the output: a queued write of the old attachment never lands after it.
        sink: { write: (data, done) => term.write(data, done), reset: () => term.write('\x1bc') },
        onInfo: (info) => this.deps.onInfo?.(info),
        onState: (state, detail) => {
          entry.status = { state, detail };
          for (const l of [...listeners]) l();
        },
      }),
    };
    const subs = [
      term.onData((data) => entry.stream.input(data)),
      term.onBinary((data) => entry.stream.input(data)),
      term.onResize(({ cols, rows }) => entry.stream.resize(cols, rows)),
      // Copy on select, as terminals on Linux do; the clipboard may refuse (no focus): then Ctrl-Shift-C.
      term.onSelectionChange(() => {
        if (term.hasSelection()) this.copy(term.getSelection());
      }),
    ];
    entry.disposers.push(() => subs.forEach((s) => s.dispose()));
    term.attachCustomKeyEventHandler((ev) => this.onKey(id, term, ev));
    this.entries.set(id, entry);
    return entry;
  }

  private open(entry: Entry): void {
    entry.term.open(entry.host);
    entry.opened = true;
    try {
      const webgl = new WebglAddon();
      webgl.onContextLoss(() => webgl.dispose()); // the DOM renderer takes over
      entry.term.loadAddon(webgl);
    } catch (err) {
      // No GPU (headless Chromium, some VMs): the DOM renderer draws the same screen, only slower.
      console.info(`devmesh: terminal drawn without WebGL (${err instanceof Error ? err.message : String(err)})`);
    }
  }

  /** false: xterm leaves the key to the page (the browser then pastes, or the pane opens its search box) */
  private onKey(id: string, term: Terminal, ev: KeyboardEvent): boolean {
    if (ev.type !== 'keydown') return true;
    const key = ev.key.toLowerCase();
    // Cmd-F, or Ctrl-Shift-F: plain Ctrl-F belongs to the shell (readline's forward-char, less's page down).
    if (
      key === 'f' &&
      !ev.altKey &&
      ((ev.metaKey && !ev.shiftKey) || (ev.ctrlKey && ev.shiftKey)) &&
      this.deps.onFind
    ) {
      ev.preventDefault();
      this.deps.onFind(id);
      return false;
    }
    if (ev.ctrlKey && ev.shiftKey && key === 'c') {
      ev.preventDefault();
      if (term.hasSelection()) this.copy(term.getSelection());
      return false;
    }
    // Ctrl-Shift-V (and Cmd-V): the browser fires its own paste event, which xterm turns into input.
    if ((ev.ctrlKey && ev.shiftKey && key === 'v') || (ev.metaKey && key === 'v')) return false;
    return true;
  }

  private copy(text: string): void {
    if (!navigator.clipboard) return;
    navigator.clipboard.writeText(text).catch((err: unknown) => {
      console.debug(`devmesh: could not copy the selection: ${err instanceof Error ? err.message : String(err)}`);
    });
  }
}
