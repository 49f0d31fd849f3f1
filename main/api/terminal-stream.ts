// One view's WebSocket stream of one terminal (`/terminals/<id>/stream`, shared/terminal.ts): sends
// `attached`, the replay as binary frames, `live`, then live output as binary frames and `exit`; takes
// ack/input/resize text frames, each parsed with the contract's schema (a bad one is answered with an
// `error` and ignored). What the socket still has queued counts as unacknowledged, so a client that stops
// reading pauses the PTY instead of growing our buffers.
import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import { DevMeshError } from '../../shared/errors.js';
import { TERMINAL_STREAM_CLOSE, TerminalClientMessageSchema, type TerminalInfo, type TerminalServerMessage } from '../../shared/terminal.js';
import type { TerminalManager } from '../core/terminals/terminal-manager.js';
import type { TerminalViewer } from '../core/terminals/terminal-viewer.js';

/** a control frame is small; input is at most 64 K characters */
const MAX_CLIENT_FRAME_BYTES = 512 * 1024;

export class TerminalStream {
  private viewer: TerminalViewer | null = null;

  constructor(
    private readonly ws: WebSocket,
    private readonly terminals: TerminalManager,
    private readonly id: string,
    private readonly logger: Logger,
  ) {
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.once('close', () => this.dispose());
    this.open();
  }

  dispose(): void {
    this.viewer?.detach();
    this.viewer = null;
  }

  private open(): void {
    let session;
    try {
      session = this.terminals.get(this.id);
    } catch (err) {
      const info = DevMeshError.toInfo(err);
      this.send({ t: 'error', code: info.code, message: info.message });
      this.ws.close(TERMINAL_STREAM_CLOSE.notFound, `no terminal '${this.id}'`);
      return;
    }
    this.send({ t: 'attached', info: session.info() });
    // attach() replays the kept output through output() synchronously, then registers for live batches.
    const { viewer } = this.terminals.attach(this.id, {
      output: (text) => this.output(text),
      exit: (info) => this.exit(info),
      backlog: () => this.ws.bufferedAmount,
    });
    this.viewer = viewer;
    this.send({ t: 'live' });
    if (!session.isRunning) this.exit(session.info());
  }

  private output(text: string): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(Buffer.from(text, 'utf8'), { binary: true }, (err) => {
      if (err === undefined || err === null) this.viewer?.drained();
    });
  }

  private exit(info: TerminalInfo): void {
    this.send({ t: 'exit', info });
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(1000, 'the terminal exited');
    this.viewer = null;
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    if (isBinary) return this.fail('BAD_REQUEST', 'binary frames are output only; send JSON text frames (ack, input, resize)');
    if (buffer.length > MAX_CLIENT_FRAME_BYTES) return this.fail('MESSAGE_TOO_LARGE', `a frame of ${buffer.length} bytes is over ${MAX_CLIENT_FRAME_BYTES}; send input in pieces of at most 65,536 characters`);
    let json: unknown;
    try {
      json = JSON.parse(buffer.toString('utf8'));
    } catch (err) {
      return this.fail('BAD_REQUEST', `not JSON: ${(err as Error).message}`);
    }
    const parsed = TerminalClientMessageSchema.safeParse(json);
    if (!parsed.success) {
      const why = parsed.error.issues.map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`).join('; ');
      return this.fail('BAD_REQUEST', `not a terminal client message (ack, input, resize): ${why}`);
    }
    const msg = parsed.data;
    try {
      if (msg.t === 'ack') this.viewer?.ack(msg.chars);
      else if (msg.t === 'input') this.terminals.input(this.id, msg.data);
      else this.terminals.resize(this.id, msg.cols, msg.rows);
    } catch (err) {
      const info = DevMeshError.toInfo(err);
      this.fail(info.code, info.message);
    }
  }

  private fail(code: string, message: string): void {
    this.logger.debug({ domain: 'terminals', id: this.id, code, message }, 'bad terminal stream frame');
    this.send({ t: 'error', code, message });
  }

  private send(msg: TerminalServerMessage): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(msg));
  }
}
