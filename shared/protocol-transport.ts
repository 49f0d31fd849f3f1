// What carries the devmesh.v1 protocol's frames, as the protocol client (protocol-client.ts) sees it: one
// connection of JSON text frames, how it ended, and the schemas a face checks the daemon's answers with.
// The transports implement it: main/cli/node-ws-transport.ts, renderer/api/browser-ws-transport.ts.
import type { ApiMethod, ApiTopic } from './api.js';

/** One open connection that carries JSON text frames. */
export interface FrameConnection {
  /** sends one frame; `failed` is called when it could not be sent (the loss is reported through `closed`) */
  send(frame: string, failed: (err: Error) => void): void;
  /** starts delivering: frames that arrived (or a loss that happened) before are delivered now */
  attach(handlers: FrameHandlers): void;
  /** closes politely; resolves once closed */
  close(): Promise<void>;
  /** this connection's schemas, when they depend on the daemon it reached (else the client's) */
  schemas?: ProtocolSchemas | null;
}

export interface FrameHandlers {
  frame(data: unknown): void;
  closed(loss: ConnectionLoss): void;
}

/** Why a connection ended: a WebSocket close code (1006 when it failed without one). */
export interface ConnectionLoss {
  code: number;
  reason: string;
  /** the connection failed (an error) rather than being closed */
  failed?: boolean;
  /** this client closed it */
  byClient?: boolean;
  /** a frame could not be sent: why */
  sendError?: string;
}

/** Opens one connection; rejects with a DevMeshError saying why it could not. */
export type Connector = () => Promise<FrameConnection>;

export interface SafeParser {
  safeParse(value: unknown): { success: true; data: unknown } | { success: false; error?: unknown };
}

/** The schemas answers are checked with; null where the face takes the daemon's messages as typed. */
export interface ProtocolSchemas {
  serverMessage: SafeParser | null;
  output(method: ApiMethod): SafeParser | null;
  topicItem(topic: ApiTopic): SafeParser | null;
}
