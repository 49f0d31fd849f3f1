// The CLI's connection to a running DevMesh (daemon or app): finds it through $DEVMESH_HOME/daemon.json,
// authenticates with the token file, and speaks shared/wire.ts through the one protocol client
// (shared/protocol-client.ts) over Node's `ws` (node-ws-transport.ts). A daemon built from this CLI's contract
// (main/api/contract-fingerprint.ts) sends messages and answers that the same schemas shaped: they are taken
// as typed. Any other daemon's messages, answers and stream items are parsed with the contract's schemas
// (client-contract.ts), loaded only then: zod and the contract cost more to load than the rest of a
// command's start, so this module imports none of them.
import type { ApiInput, ApiMethod, ApiOutput, ApiTopic, ApiTopicParams } from '../../shared/api.js';
import { DevMeshError } from '../../shared/devmesh-error.js';
import type { ErrorCode } from '../../shared/errors.js';
import type { DevMeshEvent } from '../../shared/events.js';
import type { RequestRecord, ServiceTraffic } from '../../shared/proxy.js';
import type { LogLine } from '../../shared/service.js';
import {
  ProtocolClient,
  type CallOptions,
  type ConnectionLoss,
  type ConnectionStatus,
  type FrameConnection,
  type ProtocolMessages,
  type ProtocolSchemas,
  type ReconnectPolicy,
} from '../../shared/protocol-client.js';
import { DevMeshHome, type DaemonRecord } from '../core/home/devmesh-home.js';
import { CONTRACT_FINGERPRINT, CONTRACT_HEADER } from '../api/contract-fingerprint.js';
import { NOT_RUNNING_MESSAGE, openNodeWs } from './node-ws-transport.js';

export { NOT_RUNNING_MESSAGE } from './node-ws-transport.js';
export type { CallOptions } from '../../shared/protocol-client.js';

export type TopicItem<T extends ApiTopic> = {
  events: DevMeshEvent;
  logs: LogLine;
  requests: RequestRecord;
  traffic: ServiceTraffic[];
}[T];

type ClientContract = typeof import('./client-contract.js');

/** The contract's schemas, loaded on first use (see the file's head). */
function contract(): Promise<ClientContract> {
  return import('./client-contract.js');
}

export interface ApiClientDeps {
  connectTimeoutMs?: number;
  /** default for calls; a call may pass its own */
  callTimeoutMs?: number;
  /** what a call made after close() is refused with (default: the connection is closed) */
  stoppedError?: () => DevMeshError;
}

export interface ClientSubscription {
  /** stops the stream; resolves once the daemon confirmed (or the connection is gone) */
  close(): Promise<void>;
}

interface Opened {
  connection: FrameConnection;
  url: string;
  record: DaemonRecord | null;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const DEFAULT_CALL_TIMEOUT_MS = 30_000;

export class ApiClient {
  private readonly protocol: ProtocolClient;
  private current: { url: string; record: DaemonRecord | null } = { url: '', record: null };

  private constructor(open: () => Promise<Opened>, reconnect: ReconnectPolicy, deps: ApiClientDeps) {
    this.protocol = new ProtocolClient({
      connector: async () => {
        const opened = await open();
        this.current = { url: opened.url, record: opened.record };
        return opened.connection;
      },
      reconnect,
      messages: this.messages(deps),
      schemas: null,
      callTimeoutMs: deps.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS,
      // The CLI reports through its rejections: a stray warning would mix into a command's output.
      warn: () => undefined,
    });
  }

  /**
   * Connects to the DevMesh recorded in `home` (daemon.json + token), or throws DAEMON_NOT_RUNNING. Without
   * a token file it first connects without a token: the daemon, refusing it, writes its token file back
   * (main/api/token-file-keeper.ts), and the second attempt uses it.
   */
  static connect(home: DevMeshHome, deps: ApiClientDeps = {}): Promise<ApiClient> {
    return ApiClient.started(new ApiClient(() => ApiClient.openHome(home, deps), { kind: 'never' }, deps));
  }

  /** `token` null: connect without one (the daemon refuses, and writes its token file back). */
  static connectTo(
    url: string,
    token: string | null,
    deps: ApiClientDeps = {},
    record: DaemonRecord | null = null,
  ): Promise<ApiClient> {
    return ApiClient.started(new ApiClient(() => ApiClient.openUrl(url, token, deps, record), { kind: 'never' }, deps));
  }

  /**
   * A client that connects on its first call and again on the next call once DevMesh went away (the MCP
   * server: an agent's session outlives a `devmesh down` / `devmesh up`). Each attempt reads daemon.json again.
   */
  static onDemand(home: DevMeshHome, deps: ApiClientDeps = {}): ApiClient {
    return new ApiClient(() => ApiClient.openHome(home, deps), { kind: 'on-demand' }, deps);
  }

  get url(): string {
    return this.current.url;
  }

  get record(): DaemonRecord | null {
    return this.current.record;
  }

  /** closed for good (close() was called, or the connection ended and this client does not reconnect) */
  get closed(): boolean {
    return this.protocol.closed;
  }

  /** true while a connection is open (no attempt is made to open one) */
  get connected(): boolean {
    return this.protocol.status.state === 'open';
  }

  get status(): ConnectionStatus {
    return this.protocol.status;
  }

  /** Calls one API method; throws the DevMeshError the daemon answered with. */
  call<M extends ApiMethod>(method: M, input: ApiInput<M>, options: CallOptions = {}): Promise<ApiOutput<M>> {
    return this.protocol.call(method, input, options);
  }

  /** Opens a stream; items failing their schema (a newer daemon's new event types) are skipped. */
  async subscribe<T extends ApiTopic>(
    topic: T,
    params: ApiTopicParams<T>,
    onItem: (item: TopicItem<T>) => void,
  ): Promise<ClientSubscription> {
    const subscription = this.protocol.subscribe(topic, params, (item) => onItem(item as TopicItem<T>));
    await subscription.ready;
    return { close: () => subscription.close() };
  }

  /** Called once when the connection ends without close() (the daemon stopped, a network error). */
  onDidClose(listener: (err: DevMeshError) => void): () => void {
    return this.protocol.onDidClose(listener);
  }

  close(): Promise<void> {
    return this.protocol.close();
  }

  private static async started(client: ApiClient): Promise<ApiClient> {
    await client.protocol.connect();
    return client;
  }

  private static async openHome(home: DevMeshHome, deps: ApiClientDeps): Promise<Opened> {
    const record = home.readDaemonRecord();
    if (record === null || !DevMeshHome.isAlive(record.pid))
      throw new DevMeshError('DAEMON_NOT_RUNNING', NOT_RUNNING_MESSAGE);
    const url = `ws://127.0.0.1:${record.port}/api`;
    let token = home.readToken();
    if (token === null) {
      try {
        (await ApiClient.openUrl(url, null, deps, record)).connection.close().catch(() => undefined);
      } catch (err) {
        if (!(err instanceof DevMeshError && err.code === 'UNAUTHORIZED')) throw err;
      }
      token = home.readToken();
      if (token === null) {
        throw new DevMeshError(
          'UNAUTHORIZED',
          `no API token at ${home.tokenPath}, and the running DevMesh (pid ${record.pid}, ${record.url}) did not write it back. ` +
            'Stop it with `devmesh down` (it works without the token) and start it again with `devmesh up`.',
        );
      }
    }
    try {
      return await ApiClient.openUrl(url, token, deps, record);
    } catch (err) {
      if (!(err instanceof DevMeshError && err.code === 'UNAUTHORIZED')) throw err;
      throw new DevMeshError(
        'UNAUTHORIZED',
        `the running DevMesh (pid ${record.pid}, ${record.url}) refused the token in ${home.tokenPath}: the file holds another token ` +
          '(was it replaced, or does another DevMesh use this DEVMESH_HOME?). Restart DevMesh: `devmesh down` (it works without ' +
          'the token) then `devmesh up`.',
        { reason: 'token-refused', pid: record.pid },
      );
    }
  }

  private static async openUrl(
    url: string,
    token: string | null,
    deps: ApiClientDeps,
    record: DaemonRecord | null,
  ): Promise<Opened> {
    const { connection, sameContract } = await openNodeWs({
      url,
      token,
      connectTimeoutMs: deps.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      contractHeader: CONTRACT_HEADER,
      contractFingerprint: CONTRACT_FINGERPRINT,
      errorInfo: () => contract().then((schemas) => schemas.errorInfo),
    });
    // null: the daemon was built from this CLI's contract, so its messages need no second check
    connection.schemas = null;
    if (!sameContract) {
      try {
        connection.schemas = ApiClient.schemasOf(await contract());
      } catch (err) {
        await connection.close();
        throw new DevMeshError(
          'INTERNAL',
          `could not load the API contract to check ${url}'s answers: ${(err as Error).message}`,
        );
      }
    }
    return { connection, url, record };
  }

  private static schemasOf(contract: ClientContract): ProtocolSchemas {
    return { serverMessage: contract.serverMessage, output: contract.output, topicItem: contract.topicItem };
  }

  /** What each failure says to the CLI's user; one error for every call a lost connection ends. */
  private messages(deps: ApiClientDeps): ProtocolMessages {
    const closed = (): DevMeshError => new DevMeshError('DAEMON_NOT_RUNNING', 'the connection to DevMesh is closed');
    return {
      timeout: (what, timeoutMs) =>
        new DevMeshError(
          'TIMEOUT',
          `${what}: no answer from DevMesh at ${this.url} within ${Math.round(timeoutMs / 1000)}s; check \`devmesh status\` ` +
            'and the daemon log ($DEVMESH_HOME/logs/daemon.log)',
        ),
      lost: (what, loss) => this.lostError(what, loss),
      notConnected: () => closed(),
      invalidOutput: (method) =>
        new DevMeshError(
          'INTERNAL',
          `${method}: the daemon's answer does not match this CLI's contract (is the daemon a different version? ` +
            `${this.record?.version ?? '?'})`,
        ),
      protocolError: (what) =>
        new DevMeshError(
          'INTERNAL',
          `DevMesh at ${this.url} sent ${what}; is the daemon a different version than this CLI?`,
        ),
      stopped: deps.stoppedError ?? closed,
    };
  }

  private lostError(what: string | null, loss: ConnectionLoss): DevMeshError {
    if (loss.sendError !== undefined) {
      return new DevMeshError(
        'DAEMON_NOT_RUNNING',
        `${what ?? 'a request'}: could not send to DevMesh at ${this.url}: ${loss.sendError}`,
      );
    }
    const [code, message]: [ErrorCode, string] =
      loss.code === 1001
        ? ['SHUTTING_DOWN', 'DevMesh stopped (it is shutting down)']
        : loss.code === 1000
          ? ['DAEMON_NOT_RUNNING', 'the connection to DevMesh is closed']
          : [
              'DAEMON_NOT_RUNNING',
              `lost the connection to DevMesh at ${this.url} (${loss.code}${loss.reason ? `: ${loss.reason}` : ''})`,
            ];
    return new DevMeshError(code, message);
  }
}
