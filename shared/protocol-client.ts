// The one client of the devmesh.v1 protocol (shared/wire.ts), whatever carries its frames: numbered calls
// and subscriptions on one connection, per-call timeouts, answers checked against the contract's schemas,
// subscriptions re-opened on every new connection, and a reconnection policy chosen by the face (the CLI
// never reconnects, the MCP server reconnects on its next call, the browser UI retries with backoff).
// zod-free on purpose: the CLI's start path uses it, and the schemas come in as plain `safeParse` objects
// (or not at all, when the daemon was built from the same contract). No Node or DOM API: the transports
// (main/cli/node-ws-transport.ts, renderer/api/browser-ws-transport.ts) bring the socket.
import type { ApiInput, ApiMethod, ApiOutput, ApiTopic, ApiTopicParams } from './api.js';
import { DevMeshError } from './devmesh-error.js';
import type { ErrorInfo } from './errors.js';
import { MAX_MESSAGE_BYTES } from './wire-protocol.js';
import { checkedOutput, firstIssue } from './protocol-answers.js';
import type { ConnectionLoss, Connector, FrameConnection, ProtocolSchemas } from './protocol-transport.js';

export type {
  ConnectionLoss,
  Connector,
  FrameConnection,
  FrameHandlers,
  ProtocolSchemas,
  SafeParser,
} from './protocol-transport.js';

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface ConnectionStatus {
  state: ConnectionState;
  /** consecutive failed attempts since the last open connection */
  attempt: number;
  /** ms until the next attempt, while reconnecting */
  retryInMs: number | null;
}

export type ReconnectPolicy =
  | { kind: 'never' }
  /** opens a new connection when a call or subscription needs one */
  | { kind: 'on-demand' }
  /** retries by itself, waiting initialMs·2ⁿ (jittered down to 80%, at most maxMs) between attempts */
  | { kind: 'backoff'; initialMs: number; maxMs: number };

/** The face's words: what each failure says to its user. */
export interface ProtocolMessages {
  timeout(what: string, timeoutMs: number): DevMeshError;
  /** a call (`what`) or the client (`what` null) lost its connection, or a frame could not be sent */
  lost(what: string | null, loss: ConnectionLoss): DevMeshError;
  /** a call made while there is no connection and none is opened for it */
  notConnected(what: string, state: ConnectionState): DevMeshError;
  invalidOutput(method: ApiMethod, issue: string): DevMeshError;
  /** a frame that is not a DevMesh message; an error fails every pending call, null only warns */
  protocolError(what: string): DevMeshError | null;
  /** a call (`what`) or subscription (null) after close() */
  stopped(what: string | null): DevMeshError;
}

export interface ProtocolClientDeps {
  connector: Connector;
  reconnect: ReconnectPolicy;
  messages: ProtocolMessages;
  /** null: answers are taken as typed */
  schemas: ProtocolSchemas | null;
  callTimeoutMs: number;
  warn(message: string): void;
  /** frames longer than this are ignored (a DevMesh daemon never sends them) */
  maxIncomingChars?: number;
  random?: () => number;
}

export interface CallOptions {
  timeoutMs?: number;
}

/** A stream of one topic; it follows the client across reconnections until disposed. */
export interface ProtocolSubscription {
  /** resolves once the daemon opened the stream the first time; rejects if it refused */
  readonly ready: Promise<void>;
  /** stops the stream; resolves once the daemon confirmed (or the connection is gone) */
  close(): Promise<void>;
  dispose(): void;
}

interface Stream {
  topic: ApiTopic;
  params: unknown;
  deliver(data: unknown): void;
  /** id on the current connection; null while not subscribed there */
  wireId: number | null;
  /** settles `ready` the first time the daemon answers */
  opened: ((err: DevMeshError | null) => void) | null;
  /** the subscribe request in flight on the current connection */
  subscribing: Promise<unknown> | null;
}

interface Pending {
  what: string;
  resolve(value: unknown): void;
  reject(err: DevMeshError): void;
  timer: ReturnType<typeof setTimeout>;
}

const ITEM_NAMES: Record<ApiTopic, string> = {
  events: 'event',
  logs: 'log line',
  requests: 'request record',
  traffic: 'traffic snapshot',
};

type Message =
  | { type: 'result'; id: number | null; ok: true; value: unknown }
  | { type: 'result'; id: number | null; ok: false; error: ErrorInfo }
  | { type: 'event'; sub: number; data: unknown };

export class ProtocolClient {
  private connection: FrameConnection | null = null;
  private connecting: Promise<FrameConnection> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly streams = new Set<Stream>();
  private readonly byWireId = new Map<number, Stream>();
  private readonly statusListeners = new Set<(status: ConnectionStatus) => void>();
  private readonly closeListeners = new Set<(err: DevMeshError) => void>();
  /** set once the client is closed for good */
  private closedWith: DevMeshError | null = null;
  private closedByClient = false;
  status: ConnectionStatus = { state: 'connecting', attempt: 0, retryInMs: null };

  constructor(private readonly deps: ProtocolClientDeps) {}

  get closed(): boolean {
    return this.closedWith !== null;
  }

  /** Opens the connection (once at a time); with the backoff policy a failure schedules the next attempt. */
  connect(): Promise<FrameConnection> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    if (this.connection) return Promise.resolve(this.connection);
    this.connecting ??= this.deps.connector().then(
      (connection) => this.opened(connection),
      (err: unknown) => this.openFailed(err),
    );
    return this.connecting;
  }

  call<M extends ApiMethod>(method: M, input: ApiInput<M>, options: CallOptions = {}): Promise<ApiOutput<M>> {
    // Sent at once when a connection is open: a caller that closes right after still had its frame go out.
    const open = this.closedWith ? null : this.connection;
    if (open) return this.send(open, method, input, options);
    return this.connectionFor(method).then((connection) => this.send(connection, method, input, options));
  }

  private async send<M extends ApiMethod>(
    connection: FrameConnection,
    method: M,
    input: ApiInput<M>,
    options: CallOptions,
  ): Promise<ApiOutput<M>> {
    const value = await this.request(connection, method, { type: 'call', method, input }, options.timeoutMs);
    return checkedOutput(
      method,
      value,
      this.schemasOf(connection)?.output(method) ?? null,
      this.deps.messages.invalidOutput,
    );
  }

  /** Follows a topic; items failing the topic's schema are skipped with a warning. */
  subscribe<T extends ApiTopic>(
    topic: T,
    params: ApiTopicParams<T>,
    onItem: (item: unknown) => void,
  ): ProtocolSubscription {
    let opened: (err: DevMeshError | null) => void = () => undefined;
    const ready = new Promise<void>((resolve, reject) => {
      opened = (err) => (err ? reject(err) : resolve());
    });
    // A face that does not wait for `ready` learns of a refusal through warn(): no unhandled rejection.
    ready.catch(() => undefined);
    const stream: Stream = {
      topic,
      params,
      wireId: null,
      opened,
      subscribing: null,
      deliver: (data) => this.deliver(topic, data, onItem),
    };
    if (this.closedWith) {
      opened(this.closedWith);
    } else {
      this.streams.add(stream);
      if (this.connection) this.sendSubscribe(this.connection, stream);
      else if (this.deps.reconnect.kind === 'on-demand')
        this.connect().catch((err: unknown) => this.dropStream(stream, err));
    }
    const close = async (): Promise<void> => {
      if (!this.streams.delete(stream)) return;
      stream.opened?.(this.deps.messages.stopped(null));
      const wireId = stream.wireId;
      stream.wireId = null;
      if (wireId === null) return;
      this.byWireId.delete(wireId);
      const connection = this.connection;
      // The unsubscribe reuses the subscription's id: it waits for the subscribe's answer, or the answers mix.
      await stream.subscribing?.catch(() => undefined);
      if (connection === null || this.connection !== connection) return;
      await this.request(connection, `unsubscribe ${topic}`, { type: 'unsubscribe' }, undefined, wireId).catch(
        () => undefined,
      );
    };
    return { ready, close, dispose: () => void close() };
  }

  onDidChangeStatus(listener: (status: ConnectionStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => void this.statusListeners.delete(listener);
  }

  /** Called once when the client ends without close(): the connection is lost and the policy is `never`. */
  onDidClose(listener: (err: DevMeshError) => void): () => void {
    this.closeListeners.add(listener);
    return () => void this.closeListeners.delete(listener);
  }

  /** Closes for good: pending calls fail, subscriptions end, no reconnection. */
  async close(): Promise<void> {
    if (this.closedWith) return;
    this.closeListeners.clear();
    this.closedByClient = true;
    this.closedWith = this.deps.messages.stopped(null);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    for (const stream of this.streams) stream.opened?.(this.closedWith);
    this.streams.clear();
    const connection = this.connection;
    this.drop({ code: 1000, reason: 'client closed', byClient: true });
    this.setStatus({ state: 'closed', attempt: 0, retryInMs: null });
    this.statusListeners.clear();
    await connection?.close();
  }

  private connectionFor(what: string): Promise<FrameConnection> {
    if (this.closedByClient) return Promise.reject(this.deps.messages.stopped(what));
    if (this.closedWith) return Promise.reject(this.closedWith);
    if (this.connection) return Promise.resolve(this.connection);
    if (this.deps.reconnect.kind === 'on-demand') return this.connect();
    return Promise.reject(this.deps.messages.notConnected(what, this.status.state));
  }

  private opened(connection: FrameConnection): FrameConnection {
    this.connecting = null;
    if (this.closedWith) {
      void connection.close();
      throw this.closedWith;
    }
    this.connection = connection;
    connection.attach({
      frame: (data) => {
        if (this.connection === connection) this.onFrame(data);
      },
      closed: (loss) => {
        if (this.connection === connection) this.lost(loss);
      },
    });
    if (this.connection !== connection)
      throw this.closedWith ?? this.deps.messages.lost(null, { code: 1006, reason: '' });
    this.setStatus({ state: 'open', attempt: 0, retryInMs: null });
    for (const stream of this.streams) this.sendSubscribe(connection, stream);
    return connection;
  }

  private openFailed(err: unknown): never {
    this.connecting = null;
    const error =
      err instanceof DevMeshError
        ? err
        : new DevMeshError('DAEMON_NOT_RUNNING', String((err as Error)?.message ?? err));
    if (this.deps.reconnect.kind === 'backoff') this.scheduleReconnect();
    else if (!this.closedWith) this.setStatus({ state: 'closed', attempt: this.status.attempt + 1, retryInMs: null });
    throw error;
  }

  private lost(loss: ConnectionLoss): void {
    this.drop(loss);
    const policy = this.deps.reconnect.kind;
    if (policy === 'backoff') return this.scheduleReconnect();
    this.setStatus({ state: 'closed', attempt: 0, retryInMs: null });
    if (policy === 'on-demand') return;
    this.closedWith = this.deps.messages.lost(null, loss);
    for (const stream of this.streams) stream.opened?.(this.closedWith);
    this.streams.clear();
    for (const listener of [...this.closeListeners]) listener(this.closedWith);
    this.closeListeners.clear();
  }

  /** Forgets the connection: pending calls fail now, subscriptions wait for the next connection. */
  private drop(loss: ConnectionLoss): void {
    this.connection = null;
    const pending = [...this.pending.values()];
    this.pending.clear();
    this.byWireId.clear();
    for (const stream of this.streams) stream.wireId = null;
    for (const call of pending) {
      clearTimeout(call.timer);
      call.reject(this.deps.messages.lost(call.what, loss));
    }
  }

  private scheduleReconnect(): void {
    const policy = this.deps.reconnect;
    if (policy.kind !== 'backoff' || this.closedWith || this.retryTimer) return;
    const attempt = this.status.attempt + 1;
    const base = Math.min(policy.maxMs, policy.initialMs * 2 ** (attempt - 1));
    // Jitter (down to 80%) so many pages do not hammer a restarting daemon in lockstep; never below the floor.
    const random = this.deps.random ?? Math.random;
    const delay = Math.max(policy.initialMs, Math.round(base * (0.8 + random() * 0.2)));
    this.setStatus({ state: 'reconnecting', attempt, retryInMs: delay });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect().catch(() => undefined); // a failure schedules the next attempt (openFailed)
    }, delay);
  }

  private request(
    connection: FrameConnection,
    what: string,
    message: Record<string, unknown>,
    timeoutMs = this.deps.callTimeoutMs,
    id = this.nextId++,
  ): Promise<unknown> {
    const frame = JSON.stringify({ ...message, id });
    if (frame.length > MAX_MESSAGE_BYTES) {
      return Promise.reject(
        new DevMeshError(
          'MESSAGE_TOO_LARGE',
          `cannot send '${what}': the request is ${frame.length} characters, the daemon accepts at most ` +
            `${MAX_MESSAGE_BYTES} bytes`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.pending.delete(id)) reject(this.deps.messages.timeout(what, timeoutMs));
      }, timeoutMs);
      this.pending.set(id, { what, resolve, reject, timer });
      try {
        connection.send(frame, (err) => this.failSend(id, err));
      } catch (err) {
        this.failSend(id, err as Error);
      }
    });
  }

  private failSend(id: number, err: Error): void {
    const call = this.pending.get(id);
    if (!call) return;
    this.pending.delete(id);
    clearTimeout(call.timer);
    call.reject(
      this.deps.messages.lost(call.what, { code: 1006, reason: err.message, failed: true, sendError: err.message }),
    );
  }

  private sendSubscribe(connection: FrameConnection, stream: Stream): void {
    const id = this.nextId++;
    stream.wireId = id;
    this.byWireId.set(id, stream);
    const message = { type: 'subscribe', topic: stream.topic, params: stream.params };
    const subscribing = this.request(connection, `subscribe ${stream.topic}`, message, undefined, id);
    stream.subscribing = subscribing;
    subscribing.then(
      () => {
        if (stream.subscribing === subscribing) stream.subscribing = null;
        stream.opened?.(null);
        stream.opened = null;
      },
      (err: DevMeshError) => {
        if (stream.subscribing === subscribing) stream.subscribing = null;
        // Lost with the connection: it is re-opened on the next one. Refused or unanswered: retrying would not help.
        if (stream.wireId !== id || !this.connection) return;
        this.dropStream(stream, err);
        this.deps.warn(`subscription to '${stream.topic}' refused: ${err.message}`);
      },
    );
  }

  private dropStream(stream: Stream, err: unknown): void {
    this.streams.delete(stream);
    if (stream.wireId !== null) this.byWireId.delete(stream.wireId);
    stream.wireId = null;
    stream.opened?.(err instanceof DevMeshError ? err : new DevMeshError('INTERNAL', String(err)));
    stream.opened = null;
  }

  private deliver(topic: ApiTopic, data: unknown, onItem: (item: unknown) => void): void {
    let item = data;
    const schema = this.schemasOf(this.connection)?.topicItem(topic) ?? null;
    if (schema !== null) {
      const parsed = schema.safeParse(data);
      if (!parsed.success)
        return this.deps.warn(`ignored a malformed ${ITEM_NAMES[topic]} from the daemon: ${firstIssue(parsed.error)}`);
      item = parsed.data;
    }
    try {
      onItem(item);
    } catch (err) {
      this.deps.warn(`a '${topic}' subscriber threw: ${(err as Error)?.message ?? String(err)}`);
    }
  }

  private onFrame(raw: unknown): void {
    if (typeof raw !== 'string') return this.deps.warn('ignored a binary frame: the DevMesh protocol is JSON text');
    const max = this.deps.maxIncomingChars;
    if (max !== undefined && raw.length > max) {
      return this.deps.warn(`ignored a ${raw.length}-character frame: larger than any DevMesh answer`);
    }
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (err) {
      return this.protocolError(`malformed JSON (${(err as Error).message})`);
    }
    const envelope = this.schemasOf(this.connection)?.serverMessage ?? null;
    const parsed = envelope
      ? envelope.safeParse(json)
      : { success: typeof json === 'object' && json !== null, data: json };
    if (!parsed.success) return this.protocolError('a message that does not match shared/wire.ts');
    this.onMessage(parsed.data as Message);
  }

  private onMessage(message: Message): void {
    if (message.type === 'event') return this.byWireId.get(message.sub)?.deliver(message.data);
    if (message.id === null) {
      return this.protocolError(`an error for a request it could not read: ${message.ok ? '' : message.error.message}`);
    }
    const call = this.pending.get(message.id);
    if (!call) return; // answered after its timeout
    this.pending.delete(message.id);
    clearTimeout(call.timer);
    if (message.ok) call.resolve(message.value);
    else call.reject(new DevMeshError(message.error.code, message.error.message, message.error.details));
  }

  private protocolError(what: string): void {
    const err = this.deps.messages.protocolError(what);
    if (err === null) return this.deps.warn(`ignored a frame from the daemon: ${what}`);
    for (const [id, call] of [...this.pending]) {
      this.pending.delete(id);
      clearTimeout(call.timer);
      call.reject(err);
    }
  }

  private schemasOf(connection: FrameConnection | null): ProtocolSchemas | null {
    return connection?.schemas !== undefined ? connection.schemas : this.deps.schemas;
  }

  private setStatus(status: ConnectionStatus): void {
    this.status = status;
    for (const listener of [...this.statusListeners]) listener(status);
  }
}
