// The one interface the UI uses to reach DevMesh. Two transports implement it (Electron IPC through the
// preload bridge, the daemon's loopback WebSocket); nothing outside renderer/api/ knows which one runs.
import type { ApiInput, ApiMethod, ApiOutput, ApiTopicParams } from '../../shared/api.js';
import type { DevMeshEvent } from '../../shared/events.js';
import type { RequestRecord, ServiceTraffic } from '../../shared/proxy.js';
import type { LogLine } from '../../shared/service.js';

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface ConnectionStatus {
  state: ConnectionState;
  /** consecutive failed attempts since the last open connection */
  attempt: number;
  /** ms until the next attempt, while reconnecting */
  retryInMs: number | null;
}

export interface DevMeshClient {
  /** Resolves with the method's output; rejects with a DevMeshError carrying the daemon's code and message. */
  call<M extends ApiMethod>(method: M, input: ApiInput<M>): Promise<ApiOutput<M>>;
  /** Follows every DevMeshEvent, across reconnects. Returns the unsubscribe function. */
  onEvent(listener: (event: DevMeshEvent) => void): () => void;
  /** Follows live log lines, across reconnects (lines emitted while disconnected are not replayed). */
  followLogs(params: ApiTopicParams<'logs'>, listener: (line: LogLine) => void): () => void;
  /** Follows requests answered by the proxy, across reconnects (requests made while disconnected are not replayed). */
  followRequests(params: ApiTopicParams<'requests'>, listener: (record: RequestRecord) => void): () => void;
  /** Follows per-service traffic counters of a project: a full snapshot about once a second while there is traffic. */
  onTraffic(params: ApiTopicParams<'traffic'>, listener: (snapshot: ServiceTraffic[]) => void): () => void;
  /** Called on every change of the connection; returns the unsubscribe function. */
  onConnectionChange(listener: (status: ConnectionStatus) => void): () => void;
  readonly status: ConnectionStatus;
  dispose(): void;
}
