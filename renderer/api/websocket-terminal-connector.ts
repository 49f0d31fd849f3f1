// A terminal stream over the daemon's WebSocket (`/terminals/<id>/stream`): binary frames are output, text
// frames are JSON control messages; the subprotocols (the page's token) are asked before every attempt, as a
// restarted daemon may hold a new token.
import type { TerminalConnection, TerminalConnectionHandlers, TerminalConnector } from './terminal-connection.js';

export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocket;

export class WebSocketTerminalConnector implements TerminalConnector {
  private readonly Ctor: WebSocketConstructor;

  constructor(
    private readonly url: string,
    private readonly protocols: () => string[] | Promise<string[]>,
    Ctor?: WebSocketConstructor,
  ) {
    const found = Ctor ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!found) throw new Error('this environment has no WebSocket: pass one to TerminalStream');
    this.Ctor = found;
  }

  async connect(handlers: TerminalConnectionHandlers): Promise<TerminalConnection> {
    let protocols: string[];
    try {
      protocols = await this.protocols();
    } catch (err) {
      handlers.warn(`could not read the API token for the terminal stream: ${(err as Error).message}`);
      protocols = [];
    }
    if (!handlers.wanted()) throw new Error('the view closed');
    let ws: WebSocket;
    try {
      ws = new this.Ctor(this.url, protocols);
    } catch (err) {
      throw new Error(`cannot open ${this.url}: ${(err as Error).message}`, { cause: err });
    }
    ws.binaryType = 'arraybuffer';
    ws.onmessage = (ev: MessageEvent) => handlers.message(ev.data);
    ws.onclose = (ev: CloseEvent) =>
      handlers.closed(`the stream closed (code ${ev.code}${ev.reason ? `: ${ev.reason}` : ''})`);
    ws.onerror = () => {
      handlers.closed('the stream failed');
      if (ws.readyState === ws.OPEN) ws.close();
    };
    return {
      get open() {
        return ws.readyState === ws.OPEN;
      },
      send: (json) => ws.send(json),
      close: (reason) => ws.close(1000, reason),
    };
  }
}
