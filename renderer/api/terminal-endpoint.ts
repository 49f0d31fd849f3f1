// Where a terminal view attaches to a session's output stream. In a browser it is the daemon's WebSocket
// `/terminals/<id>/stream` on the page's own origin, authenticated like the API socket (the token as a
// subprotocol next to the wire protocol). Inside the Electron app the stream will come through a dedicated
// channel that does not exist yet: there is no endpoint, and the view says so instead of failing.
import { BRIDGE_KEY } from '../../shared/bridge.js';
import { TOKEN_PROTOCOL_PREFIX, WIRE_PROTOCOL } from '../../shared/wire.js';
import { PageToken } from './page-token.js';

export interface TerminalEndpoint {
  /** ws(s)://host/terminals/<id>/stream */
  url(id: string): string;
  /** the subprotocols to offer; asked before every attempt (a restarted daemon may hold a new token) */
  protocols(): Promise<string[]>;
}

/** The stream endpoint of this page, or null where there is none yet (the Electron app). */
export function terminalEndpoint(win: Window = window): TerminalEndpoint | null {
  if ((win as unknown as Record<string, unknown>)[BRIDGE_KEY] !== undefined) return null;
  const scheme = win.location.protocol === 'https:' ? 'wss' : 'ws';
  const base = `${scheme}://${win.location.host}`;
  const token = new PageToken(win);
  return {
    url: (id) => `${base}/terminals/${encodeURIComponent(id)}/stream`,
    protocols: async () => {
      const t = await token.get();
      return t ? [WIRE_PROTOCOL, TOKEN_PROTOCOL_PREFIX + t] : [WIRE_PROTOCOL];
    },
  };
}
