// One view's WebSocket stream of one terminal (`/terminals/<id>/stream`, shared/terminal.ts): the protocol
// is TerminalStreamSession's (attached, replay as binary frames, live, output as binary frames, exit; ack/
// input/resize as JSON text frames); this class is its WebSocket transport. What the socket still has queued
// counts as unacknowledged, so a client that stops reading pauses the PTY instead of growing our buffers.
import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import type { TerminalManager } from '../core/terminals/terminal-manager.js';
import { TerminalStreamSession, type TerminalStreamTransport } from './terminal-stream-session.js';

export class TerminalStream {
  private readonly session: TerminalStreamSession;

  constructor(ws: WebSocket, terminals: TerminalManager, id: string, logger: Logger) {
    const transport: TerminalStreamTransport = {
      isOpen: () => ws.readyState === ws.OPEN,
      sendControl: (json) => ws.send(json),
      sendOutput: (text, sent) =>
        ws.send(Buffer.from(text, 'utf8'), { binary: true }, (err) => {
          if (err === undefined || err === null) sent();
        }),
      backlog: () => ws.bufferedAmount,
      close: (code, reason) => ws.close(code, reason),
    };
    this.session = new TerminalStreamSession(transport, terminals, id, logger);
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.once('close', () => this.dispose());
    this.session.open();
  }

  dispose(): void {
    this.session.dispose();
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    this.session.receive(buffer, isBinary);
  }
}
