// The devmesh.v1 protocol's frames over the browser's WebSocket (the UI served by the daemon): each attempt
// asks for the token (a restarted daemon may hold a new one), opens one socket with the wire and token
// subprotocols, and adapts it to shared/protocol-client.ts's FrameConnection.
import { DevMeshError } from '../../shared/errors.js';
import type { ConnectionLoss, Connector, FrameConnection, FrameHandlers } from '../../shared/protocol-client.js';
import { TOKEN_PROTOCOL_PREFIX, WIRE_PROTOCOL } from '../../shared/wire.js';

export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocket;

export interface BrowserWsDeps {
  url: string;
  /** Asked before every attempt. Empty: no token sent. */
  token: () => string | Promise<string>;
  WebSocket: WebSocketConstructor;
  warn: (message: string) => void;
}

export function browserWsConnector(deps: BrowserWsDeps): Connector {
  return async () => {
    let token: string;
    try {
      token = await deps.token();
    } catch (err) {
      deps.warn(`could not read the API token: ${(err as Error).message}`);
      token = '';
    }
    const protocols = token ? [WIRE_PROTOCOL, TOKEN_PROTOCOL_PREFIX + token] : [WIRE_PROTOCOL];
    let ws: WebSocket;
    try {
      ws = new deps.WebSocket(deps.url, protocols);
    } catch (err) {
      deps.warn(`cannot open ${deps.url}: ${(err as Error).message}`);
      throw new DevMeshError('DAEMON_NOT_RUNNING', `cannot open ${deps.url}: ${(err as Error).message}`);
    }
    return new Promise<FrameConnection>((resolve, reject) => {
      const connection = new BrowserWsConnection(ws);
      ws.onopen = () => {
        connection.listen();
        resolve(connection);
      };
      // Browsers follow an error with close; Node's WebSocket reports a refused connection with error only.
      const failed = (): void => reject(new DevMeshError('DAEMON_NOT_RUNNING', `could not connect to ${deps.url}`));
      ws.onerror = failed;
      ws.onclose = failed;
    });
  };
}

/** An open browser WebSocket; frames and the loss are kept until attach(). */
class BrowserWsConnection implements FrameConnection {
  private handlers: FrameHandlers | null = null;
  private readonly early: unknown[] = [];
  private loss: ConnectionLoss | null = null;

  constructor(private readonly ws: WebSocket) {
    ws.onmessage = (ev: MessageEvent) => this.frame(ev.data);
  }

  /** the socket is open: from now on its end is a loss */
  listen(): void {
    const ws = this.ws;
    ws.onclose = (ev: CloseEvent) => this.lost({ code: ev.code, reason: ev.reason });
    ws.onerror = () => {
      this.lost({ code: 1006, reason: '', failed: true });
      if (ws.readyState === ws.OPEN) ws.close();
    };
  }

  attach(handlers: FrameHandlers): void {
    this.handlers = handlers;
    for (const frame of this.early.splice(0)) handlers.frame(frame);
    if (this.loss) handlers.closed(this.loss);
  }

  send(frame: string, failed: (err: Error) => void): void {
    if (this.ws.readyState !== this.ws.OPEN) return failed(new Error('the socket is not open'));
    this.ws.send(frame);
  }

  close(): Promise<void> {
    this.ws.close(1000, 'client closed');
    return Promise.resolve();
  }

  private frame(data: unknown): void {
    if (this.handlers) this.handlers.frame(data);
    else this.early.push(data);
  }

  private lost(loss: ConnectionLoss): void {
    if (this.loss) return;
    this.loss = loss;
    this.handlers?.closed(loss);
  }
}
