// The CLI's connection to a running DevMesh (daemon or app): finds it through $DEVMESH_HOME/daemon.json,
// authenticates with the token file, and speaks shared/wire.ts. Every message from the daemon is parsed
// with the wire schema. Answers and stream items are checked with the contract's schemas unless the daemon
// was built from this CLI's contract (main/api/contract-fingerprint.ts): building every schema of the
// contract costs more than the rest of a command's start, so it is loaded only when it is needed.
import { WebSocket, type RawData } from 'ws';
import type { IncomingMessage } from 'node:http';
import type { ApiInput, ApiMethod, ApiOutput, ApiTopic, ApiTopicParams } from '../../shared/api.js';
import { DevMeshError, ErrorInfoSchema, type ErrorCode } from '../../shared/errors.js';
import type { DevMeshEvent } from '../../shared/events.js';
import type { RequestRecord, ServiceTraffic } from '../../shared/proxy.js';
import type { LogLine } from '../../shared/service.js';
import { ServerMessageSchema, TOKEN_PROTOCOL_PREFIX, WIRE_PROTOCOL, type ServerMessage } from '../../shared/wire.js';
import { DevMeshHome, type DaemonRecord } from '../core/home/devmesh-home.js';
import { CONTRACT_FINGERPRINT, CONTRACT_HEADER } from '../api/contract-fingerprint.js';

export const NOT_RUNNING_MESSAGE = 'DevMesh is not running: start it with `npx devmesh up` (or open the DevMesh app)';

export type TopicItem<T extends ApiTopic> = {
  events: DevMeshEvent;
  logs: LogLine;
  requests: RequestRecord;
  traffic: ServiceTraffic[];
}[T];

interface SafeParser {
  safeParse(value: unknown): { success: true; data: unknown } | { success: false };
}

/** The contract's schemas, built on first use (see the file's head). */
async function contract(): Promise<{ output: (method: ApiMethod) => SafeParser; topicItem: (topic: ApiTopic) => SafeParser }> {
  const [{ apiMethods }, { DevMeshEventSchema }, { LogLineSchema }, { RequestRecordSchema, ServiceTrafficSchema }] = await Promise.all([
    import('../../shared/api.js'),
    import('../../shared/events.js'),
    import('../../shared/service.js'),
    import('../../shared/proxy.js'),
  ]);
  const topics: Record<ApiTopic, SafeParser> = { events: DevMeshEventSchema, logs: LogLineSchema, requests: RequestRecordSchema, traffic: ServiceTrafficSchema.array() };
  return { output: (method) => apiMethods[method].output, topicItem: (topic) => topics[topic] };
}

export interface ApiClientOptions {
  connectTimeoutMs?: number;
  /** default for calls; a call may pass its own */
  callTimeoutMs?: number;
}

export interface CallOptions {
  timeoutMs?: number;
}

export interface ClientSubscription {
  /** stops the stream; resolves once the daemon confirmed (or the connection is gone) */
  close(): Promise<void>;
}

interface PendingCall {
  what: string;
  resolve: (value: unknown) => void;
  reject: (err: DevMeshError) => void;
  timer: NodeJS.Timeout;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const DEFAULT_CALL_TIMEOUT_MS = 30_000;

export class ApiClient {
  private nextId = 1;
  private readonly pending = new Map<number, PendingCall>();
  private readonly streams = new Map<number, (data: unknown) => void>();
  private readonly closeListeners = new Set<(err: DevMeshError) => void>();
  private closedWith: DevMeshError | null = null;

  private constructor(
    private readonly socket: WebSocket,
    readonly url: string,
    readonly record: DaemonRecord | null,
    private readonly callTimeoutMs: number,
    /** the daemon was built from this CLI's contract: its answers need no second check */
    private readonly sameContract: boolean,
  ) {
    socket.on('message', (data) => this.onMessage(data));
    socket.on('close', (code, reason) => this.onClose(code, reason.toString('utf8')));
    socket.on('error', (err) => this.onClose(1006, err.message));
  }

  /**
   * Connects to the DevMesh recorded in `home` (daemon.json + token), or throws DAEMON_NOT_RUNNING. Without
   * a token file it first connects without a token: the daemon, refusing it, writes its token file back
   * (main/api/token-file-keeper.ts), and the second attempt uses it.
   */
  static async connect(home: DevMeshHome, options: ApiClientOptions = {}): Promise<ApiClient> {
    const record = home.readDaemonRecord();
    if (record === null || !DevMeshHome.isAlive(record.pid)) throw new DevMeshError('DAEMON_NOT_RUNNING', NOT_RUNNING_MESSAGE);
    const url = `ws://127.0.0.1:${record.port}/api`;
    let token = home.readToken();
    if (token === null) {
      try {
        (await ApiClient.connectTo(url, null, options, record)).close().catch(() => undefined);
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
      return await ApiClient.connectTo(url, token, options, record);
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

  /** `token` null: connect without one (the daemon refuses, and writes its token file back). */
  static connectTo(url: string, token: string | null, options: ApiClientOptions = {}, record: DaemonRecord | null = null): Promise<ApiClient> {
    const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      const protocols = token === null ? [WIRE_PROTOCOL] : [WIRE_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${token}`];
      const socket = new WebSocket(url, protocols, {
        handshakeTimeout: connectTimeoutMs,
        perMessageDeflate: false,
        maxPayload: 256 * 1024 * 1024,
      });
      let settled = false;
      let sameContract = false;
      socket.once('upgrade', (res) => {
        sameContract = CONTRACT_FINGERPRINT !== null && res.headers[CONTRACT_HEADER] === CONTRACT_FINGERPRINT;
      });
      const settle = (err: DevMeshError | null): void => {
        if (settled) return;
        settled = true;
        if (err === null) {
          socket.off('error', onError);
          resolve(new ApiClient(socket, url, record, options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS, sameContract));
        } else {
          // onError stays attached: terminating a connecting socket emits one more 'error', already settled.
          socket.terminate();
          reject(err);
        }
      };
      const onError = (err: NodeJS.ErrnoException): void => settle(ApiClient.connectError(url, err, connectTimeoutMs));
      socket.on('error', onError);
      socket.once('open', () => settle(null));
      socket.once('unexpected-response', (_req, res) => {
        ApiClient.readRejection(res)
          .then((info) => settle(new DevMeshError(info.code, `${info.message} (${url})`)))
          .catch((err: unknown) => settle(new DevMeshError('INTERNAL', `the DevMesh daemon at ${url} refused the connection: ${(err as Error).message}`)));
      });
    });
  }

  get closed(): boolean {
    return this.closedWith !== null;
  }

  /** Calls one API method; throws the DevMeshError the daemon answered with. */
  async call<M extends ApiMethod>(method: M, input: ApiInput<M>, options: CallOptions = {}): Promise<ApiOutput<M>> {
    const value = await this.request(method, { type: 'call', method, input }, options.timeoutMs);
    if (this.sameContract) return value as ApiOutput<M>;
    const parsed = (await contract()).output(method).safeParse(value);
    if (!parsed.success) {
      throw new DevMeshError('INTERNAL', `${method}: the daemon's answer does not match this CLI's contract (is the daemon a different version? ${this.record?.version ?? '?'})`);
    }
    return parsed.data as ApiOutput<M>;
  }

  /** Opens a stream; items failing their schema (a newer daemon's new event types) are skipped. */
  async subscribe<T extends ApiTopic>(topic: T, params: ApiTopicParams<T>, onItem: (item: TopicItem<T>) => void): Promise<ClientSubscription> {
    const id = this.nextId++;
    const schema = this.sameContract ? null : (await contract()).topicItem(topic);
    this.streams.set(id, (data) => {
      if (schema === null) return onItem(data as TopicItem<T>);
      const parsed = schema.safeParse(data);
      if (parsed.success) onItem(parsed.data as TopicItem<T>);
    });
    try {
      await this.request(`subscribe ${topic}`, { type: 'subscribe', topic, params }, undefined, id);
    } catch (err) {
      this.streams.delete(id);
      throw err;
    }
    return {
      close: async () => {
        if (!this.streams.delete(id) || this.closed) return;
        await this.request(`unsubscribe ${topic}`, { type: 'unsubscribe' }, undefined, id);
      },
    };
  }

  /** Called once when the connection ends without close() (the daemon stopped, a network error). */
  onDidClose(listener: (err: DevMeshError) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  close(): Promise<void> {
    this.closeListeners.clear();
    if (this.socket.readyState === this.socket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.socket.terminate(), 1_000);
      this.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.socket.close(1000, 'bye');
    });
  }

  private request(what: string, message: Record<string, unknown>, timeoutMs = this.callTimeoutMs, id = this.nextId++): Promise<unknown> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new DevMeshError(
            'TIMEOUT',
            `${what}: no answer from DevMesh at ${this.url} within ${Math.round(timeoutMs / 1000)}s; check \`devmesh status\` and the daemon log ($DEVMESH_HOME/logs/daemon.log)`,
          ),
        );
      }, timeoutMs);
      this.pending.set(id, { what, resolve, reject, timer });
      this.socket.send(JSON.stringify({ ...message, id }), (err) => {
        if (err) this.settle(id, new DevMeshError('DAEMON_NOT_RUNNING', `${what}: could not send to DevMesh at ${this.url}: ${err.message}`));
      });
    });
  }

  private settle(id: number, outcome: { value: unknown } | DevMeshError): void {
    const call = this.pending.get(id);
    if (!call) return;
    this.pending.delete(id);
    clearTimeout(call.timer);
    if (outcome instanceof DevMeshError) call.reject(outcome);
    else call.resolve(outcome.value);
  }

  private onMessage(data: RawData): void {
    let message: ServerMessage;
    try {
      const parsed = ServerMessageSchema.safeParse(JSON.parse(data.toString()));
      if (!parsed.success) return this.protocolError('a message that does not match shared/wire.ts');
      message = parsed.data;
    } catch (err) {
      return this.protocolError(`malformed JSON (${(err as Error).message})`);
    }
    if (message.type === 'event') {
      this.streams.get(message.sub)?.(message.data);
      return;
    }
    if (message.id === null) return this.protocolError(`an error for a request it could not read: ${message.ok ? '' : message.error.message}`);
    if (message.ok) this.settle(message.id, { value: message.value });
    else this.settle(message.id, new DevMeshError(message.error.code, message.error.message, message.error.details));
  }

  private protocolError(what: string): void {
    const err = new DevMeshError('INTERNAL', `DevMesh at ${this.url} sent ${what}; is the daemon a different version than this CLI?`);
    for (const id of [...this.pending.keys()]) this.settle(id, err);
  }

  private onClose(code: number, reason: string): void {
    if (this.closedWith) return;
    const [errCode, message]: [ErrorCode, string] =
      code === 1001
        ? ['SHUTTING_DOWN', 'DevMesh stopped (it is shutting down)']
        : code === 1000
          ? ['DAEMON_NOT_RUNNING', 'the connection to DevMesh is closed']
          : ['DAEMON_NOT_RUNNING', `lost the connection to DevMesh at ${this.url} (${code}${reason ? `: ${reason}` : ''})`];
    this.closedWith = new DevMeshError(errCode, message);
    for (const id of [...this.pending.keys()]) this.settle(id, this.closedWith);
    this.streams.clear();
    for (const listener of [...this.closeListeners]) listener(this.closedWith);
    this.closeListeners.clear();
  }


  private static connectError(url: string, err: NodeJS.ErrnoException, timeoutMs: number): DevMeshError {
    if (err.code === 'ECONNREFUSED' || err.code === 'ECONNRESET') return new DevMeshError('DAEMON_NOT_RUNNING', NOT_RUNNING_MESSAGE);
    if (/timed out/i.test(err.message)) {
      return new DevMeshError('TIMEOUT', `DevMesh at ${url} did not answer within ${Math.round(timeoutMs / 1000)}s; it may be busy or stuck: check $DEVMESH_HOME/logs/daemon.log`);
    }
    return new DevMeshError('DAEMON_NOT_RUNNING', `could not reach DevMesh at ${url}: ${err.message}; start it with \`npx devmesh up\``);
  }

  /** The daemon explains a refused upgrade as JSON `{code, message}`; anything else becomes a generic error. */
  private static readRejection(res: IncomingMessage): Promise<{ code: ErrorCode; message: string }> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= 64 * 1024) chunks.push(chunk);
      });
      res.on('error', reject);
      res.on('end', () => {
        const fallback = { code: 'INTERNAL' as ErrorCode, message: `DevMesh refused the connection with HTTP ${res.statusCode ?? '?'}` };
        try {
          const parsed = ErrorInfoSchema.safeParse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          resolve(parsed.success ? parsed.data : fallback);
        } catch (err) {
          resolve({ ...fallback, message: `${fallback.message} (${(err as Error).message})` });
        }
      });
    });
  }
}
