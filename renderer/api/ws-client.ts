// DevMeshClient over the daemon's loopback WebSocket (shared/wire.ts): the one protocol client
// (shared/protocol-client.ts) over the browser's WebSocket (browser-ws-transport.ts). The socket can drop at
// any time (daemon restart, laptop sleep), so the client reconnects with bounded backoff, re-opens every
// subscription and fails in-flight calls rather than leaving them hanging.
import {
  apiMethods,
  type ApiInput,
  type ApiMethod,
  type ApiOutput,
  type ApiTopic,
  type ApiTopicParams,
} from '../../shared/api.js';
import { DevMeshError } from '../../shared/errors.js';
import { DevMeshEventSchema, type DevMeshEvent } from '../../shared/events.js';
import {
  RequestRecordSchema,
  ServiceTrafficSchema,
  type RequestRecord,
  type ServiceTraffic,
} from '../../shared/proxy.js';
import {
  ProtocolClient,
  type ConnectionLoss,
  type ProtocolMessages,
  type SafeParser,
} from '../../shared/protocol-client.js';
import { LogLineSchema, type LogLine } from '../../shared/service.js';
import { MAX_MESSAGE_BYTES, ServerMessageSchema } from '../../shared/wire.js';
import { browserWsConnector, type WebSocketConstructor } from './browser-ws-transport.js';
import type { ConnectionStatus, DevMeshClient } from './devmesh-client.js';

export type { WebSocketConstructor } from './browser-ws-transport.js';

export interface WsClientDeps {
  /** ws://host:port/api */
  url: string;
  /** Asked before every attempt: a restarted daemon may hold a new token. Empty: no token sent. */
  token: () => string | Promise<string>;
  /** Defaults to the global WebSocket (browsers, Node 22). */
  WebSocket?: WebSocketConstructor;
  backoff?: { initialMs: number; maxMs: number };
  /** A call with no answer after this long is rejected with TIMEOUT. */
  callTimeoutMs?: number;
  warn?: (message: string) => void;
}

const topicItems: Record<ApiTopic, SafeParser> = {
  events: DevMeshEventSchema,
  logs: LogLineSchema,
  requests: RequestRecordSchema,
  traffic: ServiceTrafficSchema.array(),
};

// Our own answers can be large (a 5,000-line log page); anything far past that is not a DevMesh daemon talking.
const MAX_INCOMING_CHARS = 32 * MAX_MESSAGE_BYTES;

export class WsClient implements DevMeshClient {
  private readonly protocol: ProtocolClient;

  constructor(private readonly deps: WsClientDeps) {
    const Ctor = deps.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!Ctor) throw new DevMeshError('INTERNAL', 'this environment has no WebSocket; pass one to WsClient');
    const warn = deps.warn ?? ((m: string) => console.warn(`devmesh: ${m}`));
    const backoff = deps.backoff ?? { initialMs: 250, maxMs: 5000 };
    this.protocol = new ProtocolClient({
      connector: browserWsConnector({ url: deps.url, token: deps.token, WebSocket: Ctor, warn }),
      reconnect: { kind: 'backoff', ...backoff },
      messages: this.messages(),
      schemas: {
        serverMessage: ServerMessageSchema,
        output: (method) => apiMethods[method].output,
        topicItem: (topic) => topicItems[topic],
      },
      callTimeoutMs: deps.callTimeoutMs ?? 120_000,
      warn,
      maxIncomingChars: MAX_INCOMING_CHARS,
    });
    this.protocol.connect().catch(() => undefined); // a failure schedules the next attempt
  }

  get status(): ConnectionStatus {
    return this.protocol.status;
  }

  call<M extends ApiMethod>(method: M, input: ApiInput<M>): Promise<ApiOutput<M>> {
    return this.protocol.call(method, input);
  }

  onEvent(listener: (event: DevMeshEvent) => void): () => void {
    return this.follow('events', {}, listener);
  }

  followLogs(params: ApiTopicParams<'logs'>, listener: (line: LogLine) => void): () => void {
    return this.follow('logs', params, listener);
  }

  followRequests(params: ApiTopicParams<'requests'>, listener: (record: RequestRecord) => void): () => void {
    return this.follow('requests', params, listener);
  }

  onTraffic(params: ApiTopicParams<'traffic'>, listener: (snapshot: ServiceTraffic[]) => void): () => void {
    return this.follow('traffic', params, listener);
  }

  onConnectionChange(listener: (status: ConnectionStatus) => void): () => void {
    return this.protocol.onDidChangeStatus(listener);
  }

  dispose(): void {
    void this.protocol.close();
  }

  private follow<T extends ApiTopic>(topic: T, params: ApiTopicParams<T>, listener: (item: never) => void): () => void {
    const subscription = this.protocol.subscribe(topic, params, (item) => (listener as (item: unknown) => void)(item));
    return () => subscription.dispose();
  }

  /** What each failure says in the UI. */
  private messages(): ProtocolMessages {
    const url = this.deps.url;
    const notConnected = (what: string, state: string): DevMeshError =>
      new DevMeshError(
        'DAEMON_NOT_RUNNING',
        `cannot call '${what}': not connected to the DevMesh daemon at ${url} (${state}); it is retried automatically, ` +
          'try again in a moment',
      );
    return {
      timeout: (what, timeoutMs) =>
        new DevMeshError('TIMEOUT', `'${what}' got no answer from the DevMesh daemon within ${timeoutMs} ms`),
      lost: (what, loss) =>
        new DevMeshError(
          'DAEMON_NOT_RUNNING',
          `'${what ?? 'the client'}' did not complete: ${WsClient.why(loss)} before the DevMesh daemon answered; ` +
            'check that the daemon is running and try again',
        ),
      notConnected,
      invalidOutput: (method, issue) =>
        new DevMeshError(
          'INTERNAL',
          `the daemon answered '${method}' with an unexpected shape (${issue}); the UI and the daemon may be different versions`,
        ),
      protocolError: () => null,
      stopped: (what) => notConnected(what ?? 'a method', 'closed'),
    };
  }

  private static why(loss: ConnectionLoss): string {
    if (loss.byClient) return 'the client was closed';
    if (loss.failed) return 'the connection failed';
    return `the connection closed (code ${loss.code}${loss.reason ? `: ${loss.reason}` : ''})`;
  }
}
