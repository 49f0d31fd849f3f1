// The player's read-only xterm terminal, outside React like the live terminals: sized to the recording's
// width and height (and to its resize events) rather than to the pane, since a replay must wrap where the
// original did. Nothing typed reaches anything (disableStdin). One per loaded recording; dispose() frees it.
import { Terminal } from '@xterm/xterm';
import type { PlayerSink } from './recording-player.js';

export class RecordingScreen implements PlayerSink {
  private readonly term: Terminal;
  private readonly host: HTMLDivElement;
  private opened = false;

  constructor(cols: number, rows: number) {
    this.term = new Terminal({
      cols,
      rows,
      disableStdin: true,
      cursorBlink: false,
      convertEol: false,
      fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace',
      fontSize: 13,
      scrollback: 10_000,
      theme: { background: '#101418' },
    });
    this.host = document.createElement('div');
    this.host.className = 'recording-host';
  }

  /** Shows the screen in `container`; returns the detach function. */
  attach(container: HTMLElement): () => void {
    container.appendChild(this.host);
    if (!this.opened) {
      this.term.open(this.host);
      this.opened = true;
    }
    return () => {
      if (this.host.parentElement === container) container.removeChild(this.host);
    };
  }

  write(data: string): void {
    this.term.write(data);
  }

  resize(cols: number, rows: number): void {
    if (cols !== this.term.cols || rows !== this.term.rows) this.term.resize(cols, rows);
  }

  reset(): void {
    this.term.reset();
  }

  /** The screen and scrollback as text, one line per row, once xterm has parsed every write so far. */
  text(): Promise<string> {
    // An empty write's callback runs after every earlier write has been parsed into the buffer.
    return new Promise((resolve) =>
      this.term.write('', () => {
        const buffer = this.term.buffer.active;
        const lines: string[] = [];
        for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i)?.translateToString(true) ?? '');
        resolve(lines.join('\n'));
      }),
    );
  }

  dispose(): void {
    this.term.dispose();
    this.host.remove();
  }
}
