// DevMeshClient over the daemon's loopback WebSocket (shared/wire.ts): numbered calls and subscriptions
// on one socket. The socket can drop at any time (daemon restart, laptop sleep), so the client reconnects
// with bounded backoff, re-opens every subscription and fails in-flight calls rather than leaving them hanging.
import { z } from 'zod';
import { apiMethods, type ApiInput, type ApiMethod, type ApiOutput, type ApiTopic, type ApiTopicParams } from '../../shared/api.js';
import { DevMeshError } from '../../shared/errors.js';
import { DevMeshEventSchema, type DevMeshEvent } from '../../shared/events.js';
import { RequestRecordSchema, ServiceTrafficSchema, type RequestRecord, type ServiceTraffic } from '../../shared/proxy.js';
import { LogLineSchema, type LogLine } from '../../shared/service.js';
import {
  MAX_MESSAGE_BYTES,
  ServerMessageSchema,
  TOKEN_PROTOCOL_PREFIX,
  WIRE_PROTOCOL,
  type ClientMessage,
  type ServerMessage,
} from '../../shared/wire.js';
import type { ConnectionStatus, DevMeshClient } from './devmesh-client.js';

export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocket;

export interface WsClientOptions {
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

interface Subscription {
  topic: ApiTopic;
  params: unknown;
  deliver: (data: unknown) => void;
  /** id of the wire subscription on the current socket; null while disconnected */
  wireId: number | null;
}

type Pending =
  | { kind: 'call'; method: ApiMethod; resolve: (v: unknown) => void; reject: (e: DevMeshError) => void; timer: ReturnType<typeof setTimeout> }
  | { kind: 'subscribe'; sub: Subscription };

const TrafficSnapshotSchema = z.array(ServiceTrafficSchema);

// Our own answers can be large (a 5,000-line log page); anything far past that is not a DevMesh daemon talking.
const MAX_INCOMING_CHARS = 32 * MAX_MESSAGE_BYTES;

export class WsClient implements DevMeshClient {
  private readonly Ctor: WebSocketConstructor;
  private readonly backoff: { initialMs: number; maxMs: number };
  private readonly callTimeoutMs: number;
  private readonly warn: (message: string) => void;
  private ws: WebSocket | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly subs = new Set<Subscription>();
  private readonly byWireId = new Map<number, Subscription>();
  private readonly statusListeners = new Set<(status: ConnectionStatus) => void>();
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private disposed = false;
  status: ConnectionStatus = { state: 'connecting', attempt: 0, retryInMs: null };

  constructor(private readonly options: WsClientOptions) {
    const Ctor = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!Ctor) throw new DevMeshError('INTERNAL', 'this environment has no WebSocket; pass one to WsClient');
    this.Ctor = Ctor;
    this.backoff = options.backoff ?? { initialMs: 250, maxMs: 5000 };
    this.callTimeoutMs = options.callTimeoutMs ?? 120_000;
    this.warn = options.warn ?? ((m) => console.warn(`devmesh: ${m}`));
    void this.connect();
  }

  call<M extends ApiMethod>(method: M, input: ApiInput<M>): Promise<ApiOutput<M>> {
    const ws = this.ws;
    if (!ws || ws.readyState !== ws.OPEN || this.status.state !== 'open') {
      return Promise.reject(new DevMeshError('DAEMON_NOT_RUNNING', `cannot call '${method}': not connected to the DevMesh daemon at ${this.options.url} (${this.status.state}); it is retried automatically, try again in a moment`));
    }
    const id = this.nextId++;
    const frame = JSON.stringify({ type: 'call', id, method, input } satisfies ClientMessage);
    if (frame.length > MAX_MESSAGE_BYTES) {
      return Promise.reject(new DevMeshError('MESSAGE_TOO_LARGE', `cannot call '${method}': the request is ${frame.length} characters, the daemon accepts at most ${MAX_MESSAGE_BYTES} bytes`));
    }
    return new Promise<ApiOutput<M>>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!this.pending.delete(id)) return;
        reject(new DevMeshError('TIMEOUT', `'${method}' got no answer from the DevMesh daemon within ${this.callTimeoutMs} ms`));
      }, this.callTimeoutMs);
      this.pending.set(id, { kind: 'call', method, resolve: resolve as (v: unknown) => void, reject, timer });
      ws.send(frame);
    });
  }

  onEvent(listener: (event: DevMeshEvent) => void): () => void {
    return this.subscribe('events', {}, (data) => {
      const parsed = DevMeshEventSchema.safeParse(data);
      if (parsed.success) listener(parsed.data);
      else this.warn(`ignored a malformed event from the daemon: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    });
  }

  followLogs(params: ApiTopicParams<'logs'>, listener: (line: LogLine) => void): () => void {
    return this.subscribe('logs', params, (data) => {
      const parsed = LogLineSchema.safeParse(data);
      if (parsed.success) listener(parsed.data);
      else this.warn(`ignored a malformed log line from the daemon: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    });
  }

  followRequests(params: ApiTopicParams<'requests'>, listener: (record: RequestRecord) => void): () => void {
    return this.subscribe('requests', params, (data) => {
      const parsed = RequestRecordSchema.safeParse(data);
      if (parsed.success) listener(parsed.data);
      else this.warn(`ignored a malformed request record from the daemon: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    });
  }

  onTraffic(params: ApiTopicParams<'traffic'>, listener: (snapshot: ServiceTraffic[]) => void): () => void {
    return this.subscribe('traffic', params, (data) => {
      const parsed = TrafficSnapshotSchema.safeParse(data);
      if (parsed.success) listener(parsed.data);
      else this.warn(`ignored a malformed traffic snapshot from the daemon: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    });
  }

  onConnectionChange(listener: (status: ConnectionStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => void this.statusListeners.delete(listener);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.subs.clear();
    const ws = this.ws;
    this.dropSocket('the client was closed');
    ws?.close(1000, 'client closed');
    this.setStatus({ state: 'closed', attempt: 0, retryInMs: null });
    this.statusListeners.clear();
  }

  private subscribe(topic: ApiTopic, params: unknown, deliver: (data: unknown) => void): () => void {
    const sub: Subscription = { topic, params, deliver, wireId: null };
    this.subs.add(sub);
    if (this.status.state === 'open') this.sendSubscribe(sub);
    return () => {
      if (!this.subs.delete(sub)) return;
      if (sub.wireId === null) return;
      this.byWireId.delete(sub.wireId);
      const ws = this.ws;
      if (ws && ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'unsubscribe', id: sub.wireId } satisfies ClientMessage));
      sub.wireId = null;
    };
  }

  private sendSubscribe(sub: Subscription): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== ws.OPEN) return;
    const id = this.nextId++;
    sub.wireId = id;
    this.byWireId.set(id, sub);
    this.pending.set(id, { kind: 'subscribe', sub });
    ws.send(JSON.stringify({ type: 'subscribe', id, topic: sub.topic, params: sub.params } satisfies ClientMessage));
  }

  private async connect(): Promise<void> {
    let token: string;
    try {
      token = await this.options.token();
    } catch (err) {
      this.warn(`could not read the API token: ${(err as Error).message}`);
      token = '';
    }
    if (this.disposed) return;
    const protocols = token ? [WIRE_PROTOCOL, TOKEN_PROTOCOL_PREFIX + token] : [WIRE_PROTOCOL];
    let ws: WebSocket;
    try {
      ws = new this.Ctor(this.options.url, protocols);
    } catch (err) {
      this.warn(`cannot open ${this.options.url}: ${(err as Error).message}`);
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      this.setStatus({ state: 'open', attempt: 0, retryInMs: null });
      for (const sub of this.subs) this.sendSubscribe(sub);
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (this.ws === ws) this.handleFrame(ev.data);
    };
    const lost = (why: string) => {
      if (this.ws !== ws) return; // already handled: error and close both report the same loss
      this.dropSocket(why);
      if (!this.disposed) this.scheduleReconnect();
    };
    ws.onclose = (ev: CloseEvent) => lost(`the connection closed (code ${ev.code}${ev.reason ? `: ${ev.reason}` : ''})`);
    // Browsers follow an error with close; Node's WebSocket reports a refused connection with error only.
    ws.onerror = () => {
      lost('the connection failed');
      if (ws.readyState === ws.OPEN) ws.close();
    };
  }

  /** Forgets the current socket: in-flight calls fail now, subscriptions wait for the next socket. */
  private dropSocket(why: string): void {
    this.ws = null;
    const pending = [...this.pending.values()];
    this.pending.clear();
    this.byWireId.clear();
    for (const sub of this.subs) sub.wireId = null;
    for (const p of pending) {
      if (p.kind !== 'call') continue;
      clearTimeout(p.timer);
      p.reject(new DevMeshError('DAEMON_NOT_RUNNING', `'${p.method}' did not complete: ${why} before the DevMesh daemon answered; check that the daemon is running and try again`));
    }
  }

  private scheduleReconnect(): void {
    if (this.disposed || this.retryTimer) return;
    const attempt = this.status.attempt + 1;
    const base = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** (attempt - 1));
    // Jitter (down to 80%) so many tabs do not hammer a restarting daemon in lockstep; never below the floor.
    const delay = Math.max(this.backoff.initialMs, Math.round(base * (0.8 + Math.random() * 0.2)));
    this.setStatus({ state: 'reconnecting', attempt, retryInMs: delay });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, delay);
  }

  private handleFrame(raw: unknown): void {
    if (typeof raw !== 'string') return this.warn('ignored a binary frame: the DevMesh protocol is JSON text');
    if (raw.length > MAX_INCOMING_CHARS) return this.warn(`ignored a ${raw.length}-character frame: larger than any DevMesh answer`);
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (err) {
      return this.warn(`ignored a frame that is not JSON: ${(err as Error).message}`);
    }
    const parsed = ServerMessageSchema.safeParse(json);
    if (!parsed.success) return this.warn(`ignored a frame that is not a DevMesh message: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    this.handleMessage(parsed.data);
  }

  private handleMessage(msg: ServerMessage): void {
    if (msg.type === 'event') {
      const sub = this.byWireId.get(msg.sub);
      if (!sub) return; // an item already in flight when we unsubscribed
      try {
        sub.deliver(msg.data);
      } catch (err) {
        console.error('devmesh: a subscription listener threw', err);
      }
      return;
    }
    if (msg.id === null) {
      return this.warn(`the daemon could not read a request: ${msg.ok ? 'no detail' : msg.error.message}`);
    }
    const p = this.pending.get(msg.id);
    if (!p) return; // the answer to an unsubscribe, or to a call that already timed out
    this.pending.delete(msg.id);
    if (p.kind === 'subscribe') {
      if (msg.ok) return;
      // The daemon refused the subscription (unknown service, bad params): retrying on reconnect would fail again.
      this.byWireId.delete(msg.id);
      this.subs.delete(p.sub);
      p.sub.wireId = null;
      return this.warn(`subscription to '${p.sub.topic}' refused: ${msg.error.message}`);
    }
    clearTimeout(p.timer);
    if (!msg.ok) return p.reject(new DevMeshError(msg.error.code, msg.error.message, msg.error.details));
    const out = apiMethods[p.method].output.safeParse(msg.value);
    if (out.success) p.resolve(out.data);
    else p.reject(new DevMeshError('INTERNAL', `the daemon answered '${p.method}' with an unexpected shape (${out.error.issues[0]?.message ?? 'invalid'}); the UI and the daemon may be different versions`));
  }

  private setStatus(status: ConnectionStatus): void {
    this.status = status;
    for (const l of [...this.statusListeners]) l(status);
  }
}
