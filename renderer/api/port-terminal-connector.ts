// A terminal stream inside the Electron app: each attempt asks main (through the preload's named method
// `openTerminalStream`) for a MessagePort of its own, bridged in main to the session (TerminalStreamBroker).
// Over the port, the same protocol as the daemon's WebSocket: Uint8Array messages are output, strings are
// JSON control messages; the view sends JSON strings. Closing the port detaches the view in main.
import type { DevMeshBridge } from '../../shared/bridge.js';
import type { TerminalConnection, TerminalConnectionHandlers, TerminalConnector } from './terminal-connection.js';
import type { TerminalPortInbox } from './terminal-port-inbox.js';

export class PortTerminalConnector implements TerminalConnector {
  constructor(
    private readonly bridge: Pick<DevMeshBridge, 'openTerminalStream'>,
    private readonly inbox: Pick<TerminalPortInbox, 'take'>,
    private readonly id: string,
  ) {}

  async connect(handlers: TerminalConnectionHandlers): Promise<TerminalConnection> {
    let result;
    try {
      result = await this.bridge.openTerminalStream(this.id);
    } catch (err) {
      throw new Error(`the app did not open the stream: ${(err as Error).message}`, { cause: err });
    }
    if (!result.ok) throw new Error(`the app refused the stream: ${result.error.message} (${result.error.code})`);
    const port = await this.inbox.take(result.value.streamId);
    let open = true;
    const end = (why: string) => {
      if (!open) return;
      open = false;
      handlers.closed(why);
    };
    port.onmessage = (ev: MessageEvent) => {
      if (open) handlers.message(ev.data);
    };
    port.onmessageerror = () => handlers.warn('ignored a terminal message that could not be read');
    // Chromium reports a port whose other end went away (main detached the view) with a 'close' event.
    port.addEventListener('close', () => end('the app closed the stream'));
    return {
      get open() {
        return open;
      },
      send: (json) => {
        if (open) port.postMessage(json);
      },
      close: () => {
        open = false;
        port.close();
      },
    };
  }
}
