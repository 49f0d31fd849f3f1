// Where a terminal view attaches to a session's output stream. In a browser it is the daemon's WebSocket
// `/terminals/<id>/stream` on the page's own origin, authenticated like the API socket (the token as a
// subprotocol next to the wire protocol). Inside the Electron app it is a MessagePort per view that the
// main process hands over through the preload (`devmesh.openTerminalStream`), never the general IPC queue.
import { BRIDGE_KEY, type DevMeshBridge } from '../../shared/bridge.js';
import { terminalStreamPath } from '../../shared/terminal.js';
import { TOKEN_PROTOCOL_PREFIX, WIRE_PROTOCOL } from '../../shared/wire.js';
import { PageToken } from './page-token.js';
import { PortTerminalConnector } from './port-terminal-connector.js';
import type { TerminalConnector } from './terminal-connection.js';
import { TerminalPortInbox } from './terminal-port-inbox.js';
import { WebSocketTerminalConnector, type WebSocketConstructor } from './websocket-terminal-connector.js';

export interface TerminalEndpoint {
  /** how the view of session `id` connects, once per attempt */
  connector(id: string): TerminalConnector;
}

/** The daemon's stream, in a browser. */
export interface WebSocketTerminalEndpoint extends TerminalEndpoint {
  /** ws(s)://host/terminals/<id>/stream */
  url(id: string): string;
  /** the subprotocols to offer; asked before every attempt (a restarted daemon may hold a new token) */
  protocols(): Promise<string[]>;
}

/** The stream endpoint of this page: MessagePorts in the Electron app, the daemon's WebSocket in a browser. */
export function terminalEndpoint(win: Window = window, WebSocket?: WebSocketConstructor): TerminalEndpoint {
  const bridge = (win as unknown as Record<string, DevMeshBridge | undefined>)[BRIDGE_KEY];
  if (bridge !== undefined) {
    const inbox = new TerminalPortInbox(win);
    return { connector: (id) => new PortTerminalConnector(bridge, inbox, id) };
  }
  return webSocketTerminalEndpoint(win, WebSocket);
}

export function webSocketTerminalEndpoint(
  win: Window = window,
  WebSocket?: WebSocketConstructor,
): WebSocketTerminalEndpoint {
  const scheme = win.location.protocol === 'https:' ? 'wss' : 'ws';
  const base = `${scheme}://${win.location.host}`;
  const token = new PageToken(win);
  const endpoint: WebSocketTerminalEndpoint = {
    url: (id) => `${base}${terminalStreamPath(id)}`,
    protocols: async () => {
      const t = await token.get();
      return t ? [WIRE_PROTOCOL, TOKEN_PROTOCOL_PREFIX + t] : [WIRE_PROTOCOL];
    },
    connector: (id) => new WebSocketTerminalConnector(endpoint.url(id), () => endpoint.protocols(), WebSocket),
  };
  return endpoint;
}
