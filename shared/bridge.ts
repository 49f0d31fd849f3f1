// The contract between preload and renderer in the Electron app: `window.devmesh` exposes one named
// method per API call (each bound to its own IPC channel) plus one stream helper per topic. The main process's
// IPC router listens on exactly these channels and checks the sender and the input schema.
import type { ApiInput, ApiMethod, ApiOutput, ApiTopicParams } from './api.js';
import type { Result } from './errors.js';
import type { DevMeshEvent } from './events.js';
import type { RequestRecord, ServiceTraffic } from './proxy.js';
import type { LogLine } from './service.js';

export const BRIDGE_KEY = 'devmesh';

/** `ipcRenderer.invoke` channel of one API method. */
export const ipcCallChannel = (method: ApiMethod): string => `devmesh:call:${method}`;
/** renderer → main: open a stream; (subId, topic, params) */
export const IPC_SUBSCRIBE = 'devmesh:subscribe';
/** renderer → main: close a stream; (subId) */
export const IPC_UNSUBSCRIBE = 'devmesh:unsubscribe';
/** main → renderer: an item of a stream; (subId, data) */
export const IPC_STREAM = 'devmesh:stream';

// Terminal bytes never take the general IPC queue: each view of a terminal gets its own MessagePort.
// The page asks with IPC_TERMINAL_OPEN; main answers on IPC_TERMINAL_PORT with the port (webContents.postMessage
// transfers it to the preload), and the preload forwards it to the page with window.postMessage, because
// contextBridge cannot pass a MessagePort. Over the port main speaks shared/terminal.ts's stream protocol:
// output as binary messages (Uint8Array of UTF-8), control as JSON strings; the view sends JSON strings.
/** renderer → main: open a terminal stream; (streamId, terminalId) → Result<{ streamId }> */
export const IPC_TERMINAL_OPEN = 'devmesh:terminal:open';
/** main → preload: the stream's port; message { streamId }, ports [port] */
export const IPC_TERMINAL_PORT = 'devmesh:terminal:port';
/** preload → page (window.postMessage): the data of the message that carries a stream's port */
export const TERMINAL_PORT_MESSAGE = 'devmesh:terminal-port';
export interface TerminalPortMessage {
  type: typeof TERMINAL_PORT_MESSAGE;
  streamId: number;
}

export type DevMeshBridge = {
  readonly [M in ApiMethod]: (input: ApiInput<M>) => Promise<Result<ApiOutput<M>>>;
} & {
  /** follows every DevMeshEvent; returns the unsubscribe function */
  onEvent(listener: (event: DevMeshEvent) => void): () => void;
  /** follows live log lines; returns the unsubscribe function */
  followLogs(params: ApiTopicParams<'logs'>, listener: (line: LogLine) => void): () => void;
  /** follows requests answered by the proxy; returns the unsubscribe function */
  followRequests(params: ApiTopicParams<'requests'>, listener: (record: RequestRecord) => void): () => void;
  /** follows per-service traffic counters (a snapshot about once a second); returns the unsubscribe function */
  onTraffic(params: ApiTopicParams<'traffic'>, listener: (snapshot: ServiceTraffic[]) => void): () => void;
  /** asks main for a stream of terminal `id`; its MessagePort then reaches the page as a window message
   *  `{ type: TERMINAL_PORT_MESSAGE, streamId }` carrying the port (renderer/api/terminal-port-inbox.ts) */
  openTerminalStream(id: string): Promise<Result<{ streamId: number }>>;
};
