// A bare WebSocket client for tests: sends any frame (valid or not) and waits for the answers it expects,
// so the tests see exactly what the daemon puts on the wire.
import { request } from 'node:http';
import { WebSocket } from 'ws';
import { TOKEN_PROTOCOL_PREFIX, WIRE_PROTOCOL, type ServerMessage } from '../../shared/wire.js';

export type Msg = ServerMessage & Record<string, unknown>;

export class WireTestClient {
  readonly messages: Msg[] = [];
  /** messages already handed to a `next` caller: each answer is matched once */
  private readonly consumed = new Set<Msg>();
  private readonly waiters: { match: (m: Msg) => boolean; resolve: (m: Msg) => void }[] = [];
  closeEvent: { code: number; reason: string } | null = null;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const msg = JSON.parse(data.toString()) as Msg;
      this.messages.push(msg);
      const waiter = this.waiters.find((w) => w.match(msg));
      if (waiter) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        this.consumed.add(msg);
        waiter.resolve(msg);
      }
    });
    socket.on('close', (code, reason) => {
      this.closeEvent = { code, reason: reason.toString() };
    });
  }

  static connect(port: number, token: string, headers: Record<string, string> = {}): Promise<WireTestClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}/api`, [WIRE_PROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${token}`], {
        headers,
        perMessageDeflate: false,
      });
      socket.once('open', () => resolve(new WireTestClient(socket)));
      socket.once('error', reject);
    });
  }

  send(value: unknown): void {
    this.socket.send(typeof value === 'string' || Buffer.isBuffer(value) ? value : JSON.stringify(value));
  }

  next(match: (m: Msg) => boolean, timeoutMs = 10_000): Promise<Msg> {
    const seen = this.messages.find((m) => !this.consumed.has(m) && match(m));
    if (seen) {
      this.consumed.add(seen);
      return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `no matching message within ${timeoutMs} ms; got ${JSON.stringify(this.messages).slice(0, 2000)}`,
            ),
          ),
        timeoutMs,
      );
      this.waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  result(id: number | null, timeoutMs?: number): Promise<Msg> {
    return this.next((m) => m.type === 'result' && m.id === id, timeoutMs);
  }

  async call(id: number, method: string, input?: unknown): Promise<Msg> {
    this.send({ type: 'call', id, method, input });
    return this.result(id);
  }

  eventsOf(sub: number): unknown[] {
    return this.messages.filter((m) => m.type === 'event' && m.sub === sub).map((m) => m.data);
  }

  close(): Promise<void> {
    if (this.socket.readyState === this.socket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}

/** A raw upgrade request with exactly these headers: its HTTP status (101 when accepted) and body. */
export function tryUpgrade(
  port: number,
  headers: Record<string, string>,
): Promise<{ status: number; body: string; protocol?: string }> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path: '/api',
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        ...headers,
      },
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({
        status: res.statusCode ?? 0,
        body: '',
        protocol: res.headers['sec-websocket-protocol'] as string | undefined,
      });
    });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A plain GET with a chosen Host header. */
export function httpGet(
  port: number,
  path: string,
  host = `127.0.0.1:${port}`,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { Host: host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
