// The client of one session's output stream (shared/terminal.ts): binary frames are written to the terminal,
// and what the terminal has rendered (its write callback) is acknowledged in batches, so a flood pauses the
// PTY instead of the page. While the session runs, a dropped socket is reconnected with backoff; the daemon
// then replays the screen, so the terminal is reset first. Input and resizes go the other way. What carries
// the stream is a TerminalConnector: the daemon's WebSocket in a browser, a MessagePort in the Electron app.
import type { TerminalConnection, TerminalConnector } from '../api/terminal-connection.js';
import { WebSocketTerminalConnector, type WebSocketConstructor } from '../api/websocket-terminal-connector.js';
import {
  TerminalErrorFrameSchema,
  TerminalServerMessageSchema,
  type TerminalClientMessage,
  type TerminalInfo,
  type TerminalServerMessage,
} from '../../shared/terminal.js';

export type { WebSocketConstructor } from '../api/websocket-terminal-connector.js';

/** What the stream writes into: an xterm Terminal, or anything with the same write contract. */
export interface TerminalSink {
  /** `done` runs once the data has been rendered (xterm's write callback) */
  write(data: string, done: () => void): void;
  /** clears the screen and modes, in order with the writes before and after it */
  reset(): void;
}

export type TerminalStreamState = 'connecting' | 'replaying' | 'live' | 'reconnecting' | 'exited' | 'failed' | 'closed';

/** The daemon's WebSocket at `url`, offering `protocols` (the default transport). */
interface WebSocketTransportDeps {
  url: string;
  protocols: () => string[] | Promise<string[]>;
  WebSocket?: WebSocketConstructor;
  connector?: undefined;
}

/** Any transport: a MessagePort in the Electron app, the WebSocket through its own connector. */
interface ConnectorTransportDeps {
  connector: TerminalConnector;
}

export type TerminalStreamDeps = (WebSocketTransportDeps | ConnectorTransportDeps) & {
  sink: TerminalSink;
  backoff?: { initialMs: number; maxMs: number };
  /** acknowledge once this many characters are rendered (the daemon resumes a paused PTY below 5,000) */
  ackChars?: number;
  /** or this long after the last render, whatever is pending */
  ackIdleMs?: number;
  onInfo?: (info: TerminalInfo) => void;
  onState?: (state: TerminalStreamState, detail: string | null) => void;
  warn?: (message: string) => void;
};

// Control messages are a TerminalInfo at most; anything far larger is not the daemon talking.
const MAX_CONTROL_CHARS = 256 * 1024;
// The daemon accepts input frames of at most 65,536 characters; a large paste goes in pieces.
const INPUT_PIECE = 32_768;

export class TerminalStream {
  private readonly connector: TerminalConnector;
  private readonly backoff: { initialMs: number; maxMs: number };
  private readonly ackChars: number;
  private readonly ackIdleMs: number;
  private readonly warn: (message: string) => void;
  private conn: TerminalConnection | null = null;
  /** bumps with every connection: a write callback of an older one must not acknowledge on the new one */
  private generation = 0;
  private decoder = new TextDecoder();
  private unacked = 0;
  private ackTimer: ReturnType<typeof setTimeout> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private attempt = 0;
  private size: { cols: number; rows: number } | null = null;
  private disposed = false;
  state: TerminalStreamState = 'connecting';
  detail: string | null = null;
  info: TerminalInfo | null = null;

  constructor(private readonly deps: TerminalStreamDeps) {
    this.connector = deps.connector ?? new WebSocketTerminalConnector(deps.url, deps.protocols, deps.WebSocket);
    this.backoff = deps.backoff ?? { initialMs: 250, maxMs: 5000 };
    this.ackChars = deps.ackChars ?? 5000;
    this.ackIdleMs = deps.ackIdleMs ?? 20;
    this.warn = deps.warn ?? ((m) => console.warn(`devmesh: ${m}`));
    void this.connect();
  }

  /** Keystrokes and pastes; dropped (with a warning) while the stream is not attached. */
  input(data: string): void {
    if (!this.attached()) {
      if (this.state !== 'exited') this.warn(`terminal input dropped: the stream is ${this.state}`);
      return;
    }
    for (let i = 0; i < data.length;) {
      let end = Math.min(data.length, i + INPUT_PIECE);
      // Never cut a surrogate pair in two: each piece must be valid UTF-16 on its own.
      if (end < data.length && /[\uD800-\uDBFF]/.test(data[end - 1]!)) end--;
      this.send({ t: 'input', data: data.slice(i, end) });
      i = end;
    }
  }

  /** The terminal's size; remembered, and sent again after every (re)attach. */
  resize(cols: number, rows: number): void {
    const c = Math.max(2, Math.min(1000, Math.floor(cols)));
    const r = Math.max(1, Math.min(500, Math.floor(rows)));
    if (this.size && this.size.cols === c && this.size.rows === r) return;
    this.size = { cols: c, rows: r };
    if (this.attached()) this.send({ t: 'resize', cols: c, rows: r });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.retryTimer = this.ackTimer = null;
    const conn = this.conn;
    this.conn = null;
    this.generation++;
    conn?.close('view closed');
    this.setState('closed', null);
  }

  private attached(): boolean {
    return this.conn !== null && this.conn.open && (this.state === 'replaying' || this.state === 'live');
  }

  private async connect(): Promise<void> {
    if (this.disposed) return;
    const generation = ++this.generation;
    this.decoder = new TextDecoder();
    this.unacked = 0;
    const current = () => this.generation === generation && !this.disposed;
    let conn: TerminalConnection;
    try {
      conn = await this.connector.connect({
        message: (data) => {
          if (current()) this.onFrame(data, generation);
        },
        // error and close report the same loss; lost() bumps the generation, so only the first counts
        closed: (why) => {
          if (!current()) return;
          this.conn = null;
          this.lost(why);
        },
        warn: (m) => this.warn(m),
        wanted: current,
      });
    } catch (err) {
      if (current()) this.lost((err as Error).message);
      return;
    }
    if (!current()) return conn.close('view closed');
    this.conn = conn;
  }

  private lost(why: string): void {
    if (this.disposed) return;
    this.generation++;
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = null;
    // An ended session has nothing more to say; a refused one (unknown id) would be refused again.
    if (this.state === 'exited' || this.state === 'failed') return;
    this.attempt++;
    const base = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** (this.attempt - 1));
    const delay = Math.max(this.backoff.initialMs, Math.round(base * (0.8 + Math.random() * 0.2)));
    this.setState('reconnecting', `${why}; retrying in ${delay} ms`);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.setState('connecting', null);
      void this.connect();
    }, delay);
  }

  private onFrame(raw: unknown, generation: number): void {
    if (typeof raw === 'string') return this.onControl(raw);
    if (this.state !== 'replaying' && this.state !== 'live')
      return this.warn('ignored terminal output that came before the stream was attached');
    const bytes =
      raw instanceof ArrayBuffer
        ? new Uint8Array(raw)
        : ArrayBuffer.isView(raw)
          ? new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength)
          : null;
    if (!bytes) return this.warn('ignored a terminal frame that is neither text nor binary');
    // The daemon counts characters as JS string length: decode here so the acknowledged count matches it.
    const text = this.decoder.decode(bytes, { stream: true });
    if (text.length === 0) return;
    this.deps.sink.write(text, () => this.rendered(text.length, generation));
  }

  private onControl(raw: string): void {
    if (raw.length > MAX_CONTROL_CHARS) return this.warn(`ignored a ${raw.length}-character terminal control frame`);
    let msg: TerminalServerMessage;
    try {
      const json: unknown = JSON.parse(raw);
      const parsed = TerminalServerMessageSchema.safeParse(json);
      if (!parsed.success) return this.unknownControl(json, parsed.error.issues[0]?.message ?? 'invalid');
      msg = parsed.data;
    } catch (err) {
      return this.warn(`ignored a terminal control frame that is not JSON: ${(err as Error).message}`);
    }
    switch (msg.t) {
      case 'attached':
        this.attempt = 0;
        // The replay redraws the whole screen: whatever a previous attachment drew must go first.
        this.deps.sink.reset();
        this.setInfo(msg.info);
        this.setState('replaying', null);
        if (this.size) this.send({ t: 'resize', ...this.size });
        return;
      case 'live':
        return this.setState('live', null);
      case 'exit':
        this.flushAck();
        this.setInfo(msg.info);
        return this.setState('exited', msg.info.exitReason);
      case 'error':
        return this.refused(`${msg.message} (${msg.code})`);
    }
  }

  private refused(detail: string): void {
    this.setState('failed', detail);
    this.conn?.close('refused');
  }

  /** An error frame with a code outside the contract still ends the stream, saying the code is unknown;
   *  any other frame the contract does not know is ignored. */
  private unknownControl(json: unknown, why: string): void {
    const error = TerminalErrorFrameSchema.safeParse(json);
    if (!error.success) return this.warn(`ignored a terminal control frame: ${why}`);
    const unknown = `an error code this view does not know: ${JSON.stringify(error.data.code)}`;
    this.warn(`the terminal stream failed with ${unknown}`);
    this.refused(`${error.data.message} (${unknown})`);
  }

  private rendered(chars: number, generation: number): void {
    if (generation !== this.generation || this.disposed) return;
    this.unacked += chars;
    if (this.unacked >= this.ackChars) return this.flushAck();
    this.ackTimer ??= setTimeout(() => {
      this.ackTimer = null;
      this.flushAck();
    }, this.ackIdleMs);
  }

  private flushAck(): void {
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = null;
    if (this.unacked === 0) return;
    const chars = this.unacked;
    this.unacked = 0;
    this.send({ t: 'ack', chars });
  }

  private send(msg: TerminalClientMessage): void {
    const conn = this.conn;
    if (conn && conn.open) conn.send(JSON.stringify(msg));
  }

  private setInfo(info: TerminalInfo): void {
    this.info = info;
    this.deps.onInfo?.(info);
  }

  private setState(state: TerminalStreamState, detail: string | null): void {
    if (this.state === state && this.detail === detail) return;
    this.state = state;
    this.detail = detail;
    this.deps.onState?.(state, detail);
  }
}
