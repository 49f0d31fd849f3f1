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
};
