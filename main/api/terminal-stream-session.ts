// The transport-independent half of one view's terminal stream (shared/terminal.ts): sends `attached`, the
// replay, `live`, live output and `exit` through a TerminalStreamTransport, and parses what the view sends
// (ack, input, resize) with the contract's schema, answering a bad message with an `error` and ignoring it.
// The daemon's WebSocket endpoint (TerminalStream) and the app's MessagePort channel (TerminalStreamBroker)
// are both thin transports over this class, so the two faces speak exactly the same protocol.
import { DevMeshError, type ErrorCode } from '../../shared/errors.js';
import {
  TERMINAL_STREAM_CLOSE,
  TerminalClientMessageSchema,
  type TerminalInfo,
  type TerminalServerMessage,
} from '../../shared/terminal.js';
import type { TerminalManager } from '../core/terminals/terminal-manager.js';
import type { TerminalViewer } from '../core/terminals/terminal-viewer.js';

/** a control message is small; input is at most 64 K characters */
export const MAX_CLIENT_MESSAGE_BYTES = 512 * 1024;

/** How one stream reaches its view: a WebSocket, a MessagePort. */
export interface TerminalStreamTransport {
  isOpen(): boolean;
  /** a JSON control message (a text frame) */
  sendControl(json: string): void;
  /** output as UTF-8 bytes (a binary frame); `sent` runs once the transport has flushed it, if it can tell */
  sendOutput(text: string, sent: () => void): void;
  /** what the transport holds queued but not yet sent, counted as unacknowledged */
  backlog(): number;
  /** ends the stream; `code` is a WebSocket close code (1000, TERMINAL_STREAM_CLOSE.*) */
  close(code: number, reason: string): void;
}

/** The logger the stream reports bad messages to (pino's `debug`). */
export interface TerminalStreamLogger {
  debug(obj: object, msg?: string): void;
}

export class TerminalStreamSession {
  private viewer: TerminalViewer | null = null;

  constructor(
    private readonly transport: TerminalStreamTransport,
    private readonly terminals: TerminalManager,
    private readonly id: string,
    private readonly logger: TerminalStreamLogger,
  ) {}

  /** Attaches to the session: `attached`, the replay, `live`; an unknown id gets an `error` and a close. */
  open(): void {
    let session;
    try {
      session = this.terminals.get(this.id);
    } catch (err) {
      const info = DevMeshError.toInfo(err);
      this.send({ t: 'error', code: info.code, message: info.message });
      this.transport.close(TERMINAL_STREAM_CLOSE.notFound, `no terminal '${this.id}'`);
      return;
    }
    this.send({ t: 'attached', info: session.info() });
    // attach() replays the kept output through output() synchronously, then registers for live batches.
    const { viewer } = this.terminals.attach(this.id, {
      output: (text) => this.output(text),
      exit: (info) => this.exit(info),
      backlog: () => this.transport.backlog(),
    });
    this.viewer = viewer;
    this.send({ t: 'live' });
    if (!session.isRunning) this.exit(session.info());
  }

  /** The transport is gone: the viewer's unacknowledged output no longer holds the PTY back. */
  dispose(): void {
    this.viewer?.detach();
    this.viewer = null;
  }

  /** One message from the view: a JSON text (ack, input, resize); binary is refused. */
  receive(data: string | Buffer, isBinary: boolean): void {
    if (isBinary)
      return this.refuse('BAD_REQUEST', 'binary frames are output only; send JSON text frames (ack, input, resize)');
    const bytes =
      typeof data === 'string'
        ? data.length > MAX_CLIENT_MESSAGE_BYTES
          ? data.length
          : Buffer.byteLength(data)
        : data.length;
    if (bytes > MAX_CLIENT_MESSAGE_BYTES) {
      return this.refuse(
        'MESSAGE_TOO_LARGE',
        `a frame of ${bytes} bytes is over ${MAX_CLIENT_MESSAGE_BYTES}; send input in pieces of at most 65,536 characters`,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(typeof data === 'string' ? data : data.toString('utf8'));
    } catch (err) {
      return this.refuse('BAD_REQUEST', `not JSON: ${(err as Error).message}`);
    }
    const parsed = TerminalClientMessageSchema.safeParse(json);
    if (!parsed.success) {
      const why = parsed.error.issues.map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`).join('; ');
      return this.refuse('BAD_REQUEST', `not a terminal client message (ack, input, resize): ${why}`);
    }
    const msg = parsed.data;
    try {
      if (msg.t === 'ack') this.viewer?.ack(msg.chars);
      else if (msg.t === 'input') this.terminals.input(this.id, msg.data);
      else this.terminals.resize(this.id, msg.cols, msg.rows);
    } catch (err) {
      const info = DevMeshError.toInfo(err);
      this.refuse(info.code, info.message);
    }
  }

  /** Answers a message the view should not have sent with an `error`; the stream stays open. */
  refuse(code: ErrorCode, message: string): void {
    this.logger.debug({ domain: 'terminals', id: this.id, code, message }, 'bad terminal stream frame');
    this.send({ t: 'error', code, message });
  }

  private output(text: string): void {
    if (!this.transport.isOpen()) return;
    this.transport.sendOutput(text, () => this.viewer?.drained());
  }

  private exit(info: TerminalInfo): void {
    this.send({ t: 'exit', info });
    if (this.transport.isOpen()) this.transport.close(1000, 'the terminal exited');
    this.viewer = null;
  }

  private send(msg: TerminalServerMessage): void {
    if (this.transport.isOpen()) this.transport.sendControl(JSON.stringify(msg));
  }
}
