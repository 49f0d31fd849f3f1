// Where a terminal view attaches: the daemon's stream on the page's own origin, with the page's token as a
// subprotocol; inside the Electron app, a MessagePort per view from the bridge (tests/renderer/terminal-port.test.ts).
import { describe, expect, it } from 'vitest';
import { terminalEndpoint, webSocketTerminalEndpoint } from '../../../renderer/api/terminal-endpoint.js';
import { PortTerminalConnector } from '../../../renderer/api/port-terminal-connector.js';
import { WebSocketTerminalConnector } from '../../../renderer/api/websocket-terminal-connector.js';
import { TOKEN_PROTOCOL_PREFIX, WIRE_PROTOCOL } from '../../../shared/wire.js';

function fakeWindow(token: string, extra: Record<string, unknown> = {}): Window {
  return {
    location: { protocol: 'http:', host: '127.0.0.1:4321', href: 'http://127.0.0.1:4321/' },
    document: { querySelector: () => ({ content: token }) },
    fetch: async () => ({ ok: true, text: async () => '<meta name="devmesh-token" content="fresh">' }),
    ...extra,
  } as unknown as Window;
}

describe('terminalEndpoint', () => {
  it('is the stream on the page origin, authenticated like the API socket', async () => {
    const endpoint = webSocketTerminalEndpoint(fakeWindow('t0k'));
    expect(endpoint.url('term-1')).toBe('ws://127.0.0.1:4321/terminals/term-1/stream');
    expect(await endpoint.protocols()).toEqual([WIRE_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}t0k`]);
    // A reconnect reads the token of the page as the (maybe restarted) daemon serves it now.
    expect(await endpoint.protocols()).toEqual([WIRE_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}fresh`]);
  });

  it('connects by WebSocket in a browser and by MessagePort inside the Electron app', () => {
    class FakeWs {}
    expect(terminalEndpoint(fakeWindow('t0k'), FakeWs as never).connector('term-1')).toBeInstanceOf(
      WebSocketTerminalConnector,
    );
    const win = fakeWindow('', {
      devmesh: { openTerminalStream: async () => ({ ok: true, value: { streamId: 1 } }) },
      addEventListener: () => {},
    });
    expect(terminalEndpoint(win).connector('term-1')).toBeInstanceOf(PortTerminalConnector);
  });
});
