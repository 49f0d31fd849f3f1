// One authenticated WebSocket client of the loopback API: parses every frame with the wire schema, hands
// calls and subscriptions to DevMeshApi, and owns the client's subscriptions (released when the socket
// closes). A slow reader is cut off (1013) rather than buffered without bound; nothing a client sends can
// throw out of this class.
//
// Calls are flow-controlled: at most `maxActiveCalls` of a connection are being answered or have answers
// not yet handed to the kernel; the rest wait in arrival order. A client that pipelines hundreds of heavy
// calls (5,000-line log pages) and stops reading therefore costs the daemon a few answers, not hundreds,
// and every other client is served meanwhile.
import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import { ClientMessageSchema, MAX_MESSAGE_BYTES, type ClientMessage, type ServerMessage } from '../../shared/wire.js';
import { DevMeshError } from '../../shared/errors.js';
import type { Disposable } from '../core/base/disposable.js';
import type { DevMeshApi } from './devmesh-api.js';

export interface ApiConnectionLimits {
  /** open subscriptions per connection */
  maxSubscriptions: number;
  /** calls awaiting their answer per connection (running or queued); more are refused */
  maxPendingCalls: number;
  /** calls running or with an answer not yet written to the socket; the others wait their turn */
  maxActiveCalls: number;
  /** bytes queued for a client that does not read; above it the connection is closed with 1013 */
  maxBufferedBytes: number;
}

export const DEFAULT_CONNECTION_LIMITS: ApiConnectionLimits = {
  maxSubscriptions: 64,
  maxPendingCalls: 256,
  maxActiveCalls: 16,
  maxBufferedBytes: 16 * 1024 * 1024,
};

const CLOSE_TRY_AGAIN_LATER = 1013;

export class ApiConnection implements Disposable {
  private readonly subscriptions = new Map<number, Disposable>();
  private pendingCalls = 0;
  private activeCalls = 0;
  private readonly queuedCalls: Array<{ id: number; method: string; input: unknown }> = [];
  private closed = false;

  constructor(
    private readonly socket: WebSocket,
    private readonly api: DevMeshApi,
    private readonly logger: Logger,
    private readonly limits: ApiConnectionLimits = DEFAULT_CONNECTION_LIMITS,
  ) {
    socket.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    socket.on('close', () => this.dispose());
    // ws reports protocol violations (bad UTF-8, frames above maxPayload) here and then closes the socket.
    socket.on('error', (err) => this.logger.warn({ domain: 'api', err: err.message }, 'websocket client error'));
  }

  get subscriptionCount(): number {
    return this.subscriptions.size;
  }

  /** Releases every subscription; the socket itself is closed by its owner or by the peer. */
  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    this.pendingCalls -= this.queuedCalls.length;
    this.queuedCalls.length = 0; // never started: nobody is left to answer
    for (const sub of this.subscriptions.values()) sub.dispose();
    this.subscriptions.clear();
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.closed) return;
    const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    if (buffer.length > MAX_MESSAGE_BYTES) {
      this.fail(
        ApiConnection.readableId(buffer),
        new DevMeshError(
          'MESSAGE_TOO_LARGE',
          `message of ${buffer.length} bytes is over the limit of ${MAX_MESSAGE_BYTES} bytes; send smaller requests (page logs with 'before'/'limit')`,
        ),
      );
      return;
    }
    if (isBinary) {
      this.fail(
        null,
        new DevMeshError('BAD_REQUEST', 'binary frames are not part of the devmesh.v1 protocol; send JSON text frames'),
      );
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(buffer.toString('utf8'));
    } catch (err) {
      this.fail(
        null,
        new DevMeshError(
          'BAD_REQUEST',
          `malformed JSON: ${(err as Error).message}; each frame must be one JSON message (shared/wire.ts)`,
        ),
      );
      return;
    }
    const parsed = ClientMessageSchema.safeParse(raw);
    if (!parsed.success) {
      const where = parsed.error.issues
        .map((i) => `${i.path.length ? i.path.join('.') : '(message)'}: ${i.message}`)
        .join('; ');
      this.fail(
        ApiConnection.idOf(raw),
        new DevMeshError('BAD_REQUEST', `invalid message: ${where}; see ClientMessageSchema in shared/wire.ts`),
      );
      return;
    }
    this.dispatch(parsed.data);
  }

  private dispatch(message: ClientMessage): void {
    switch (message.type) {
      case 'call':
        return this.onCall(message.id, message.method, message.input);
      case 'subscribe':
        return this.onSubscribe(message.id, message.topic, message.params);
      case 'unsubscribe':
        return this.onUnsubscribe(message.id);
    }
  }

  private onCall(id: number, method: string, input: unknown): void {
    if (this.pendingCalls >= this.limits.maxPendingCalls) {
      this.fail(
        id,
        new DevMeshError(
          'BAD_REQUEST',
          `${method}: more than ${this.limits.maxPendingCalls} calls are awaiting an answer on this connection; wait for some to finish`,
        ),
      );
      return;
    }
    this.pendingCalls++;
    this.queuedCalls.push({ id, method, input });
    this.startCalls();
  }

  private startCalls(): void {
    while (!this.closed && this.activeCalls < this.limits.maxActiveCalls && this.queuedCalls.length > 0) {
      const { id, method, input } = this.queuedCalls.shift()!;
      this.activeCalls++;
      // active until its answer is written out (or cannot be): then the next queued call starts
      const done = (): void => {
        this.activeCalls--;
        this.pendingCalls--;
        this.startCalls();
      };
      // DevMeshApi.call never rejects; the catch is a last line of defence so a bug cannot kill the daemon.
      this.api.call(method, input).then(
        (result) =>
          this.send(
            result.ok
              ? { type: 'result', id, ok: true, value: result.value }
              : { type: 'result', id, ok: false, error: result.error },
            done,
          ),
        (err: unknown) => this.send({ type: 'result', id, ok: false, error: DevMeshError.toInfo(err) }, done),
      );
    }
  }

  private onSubscribe(id: number, topic: string, params: unknown): void {
    if (this.subscriptions.has(id)) {
      this.fail(
        id,
        new DevMeshError('BAD_REQUEST', `subscription ${id} is already open on this connection; use a new id`),
      );
      return;
    }
    if (this.subscriptions.size >= this.limits.maxSubscriptions) {
      this.fail(
        id,
        new DevMeshError(
          'BAD_REQUEST',
          `at most ${this.limits.maxSubscriptions} subscriptions per connection; unsubscribe from some first`,
        ),
      );
      return;
    }
    const result = this.api.subscribe(topic, params, (data) => this.send({ type: 'event', sub: id, data }));
    if (!result.ok) {
      this.send({ type: 'result', id, ok: false, error: result.error });
      return;
    }
    if (this.closed) {
      result.value.dispose();
      return;
    }
    this.subscriptions.set(id, result.value);
    this.send({ type: 'result', id, ok: true, value: { sub: id } });
  }

  private onUnsubscribe(id: number): void {
    const sub = this.subscriptions.get(id);
    if (sub) {
      this.subscriptions.delete(id);
      sub.dispose();
    }
    this.send({ type: 'result', id, ok: true, value: { unsubscribed: sub !== undefined } });
  }

  private fail(id: number | null, err: unknown): void {
    this.send({ type: 'result', id, ok: false, error: DevMeshError.toInfo(err) });
  }

  /** `written`: called once the message is handed to the kernel, or will never be (closed, too slow, error) */
  private send(message: ServerMessage, written?: () => void): void {
    if (this.closed || this.socket.readyState !== this.socket.OPEN) return written?.();
    if (this.socket.bufferedAmount > this.limits.maxBufferedBytes) {
      this.logger.warn(
        { domain: 'api', buffered: this.socket.bufferedAmount },
        'closing a client that does not read its messages',
      );
      this.dispose();
      this.socket.close(CLOSE_TRY_AGAIN_LATER, 'client too slow: over 16 MB unread; reconnect');
      return written?.();
    }
    let text: string;
    try {
      text = JSON.stringify(message);
    } catch (err) {
      // A value that cannot be serialized (a cycle, a BigInt) is a core bug; the client still gets an answer.
      this.logger.error({ domain: 'api', err: (err as Error).message }, 'could not serialize an API message');
      if (message.type !== 'result') return written?.();
      text = JSON.stringify({ type: 'result', id: message.id, ok: false, error: DevMeshError.toInfo(err) });
    }
    this.socket.send(text, (err) => {
      if (err) this.logger.debug({ domain: 'api', err: err.message }, 'send to a closing client failed');
      written?.();
    });
  }

  private static idOf(raw: unknown): number | null {
    if (typeof raw !== 'object' || raw === null || !('id' in raw)) return null;
    const id = raw.id;
    return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : null;
  }

  /** The id of a message too large to parse, when it shows near the start (`{"type":"call","id":7,...`). */
  private static readableId(buffer: Buffer): number | null {
    const head = buffer.subarray(0, 256).toString('utf8');
    const match = /^\s*\{\s*(?:"type"\s*:\s*"[a-z]+"\s*,\s*)?"id"\s*:\s*(\d{1,16})\s*[,}]/.exec(head);
    if (!match?.[1]) return null;
    const id = Number(match[1]);
    return Number.isSafeInteger(id) ? id : null;
  }
}
