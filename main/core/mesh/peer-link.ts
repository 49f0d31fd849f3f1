// One authenticated link to a peer. Sealed JSON frames both ways (a frame that fails its signature,
// arrives out of order or does not parse ends the link, with the reason); heartbeats are signed WebSocket
// pings: the dialer pings every beat and measures the round trip from the pong (and reports it in the
// next ping, so both ends know the latency); both ends call the link dead after 3 beats of silence.
// Idle cost: one 20-byte ping and one 16-byte pong per beat (about 430 bytes a minute at 5 s).
import WebSocket from 'ws';
import type { AuthenticatedSocket } from './link-handshake.js';
import { LINK_CLOSE, LinkMessageSchema, type LinkMessage } from './link-messages.js';

export interface PeerLinkHandlers {
  onMessage(link: PeerLink, message: LinkMessage): void;
  /** once, when the link is gone: `reason` in words; `left` when the peer said goodbye */
  onClose(link: PeerLink, reason: string, left: boolean): void;
}

/** round trips the reported latency is the least of */
export const LATENCY_SAMPLES = 5;

export class PeerLink {
  private closed = false;
  private readonly beat: NodeJS.Timeout;
  private counter = 0;
  /** pings awaiting their pong: counter → what was sent and when */
  private readonly pending = new Map<number, { payload: Buffer; at: number }>();
  private lastPingAt: number | null = null;
  private lastHeard = Date.now();
  latencyMs: number | null = null;
  private readonly samples: number[] = [];
  lastHeartbeat: number | null = null;
  readonly openedAt = Date.now();
  readonly heartbeatMs: number;
  private readonly raw: { bytesRead: number; bytesWritten: number } | null;
  private readonly bytesAtOpen: { read: number; written: number };
  /** resolves when the WebSocket has closed (whichever end closed it) */
  private readonly socketClosed: Promise<void>;

  constructor(
    readonly auth: AuthenticatedSocket,
    private readonly handlers: PeerLinkHandlers,
    heartbeatMs: number,
  ) {
    const ws = auth.ws;
    // Both ends beat at the slower of the two intervals, so neither calls the other silent too early.
    this.heartbeatMs = Math.max(heartbeatMs, auth.remoteHeartbeatMs);
    this.raw = (ws as unknown as { _socket?: { bytesRead: number; bytesWritten: number } })._socket ?? null;
    this.bytesAtOpen = { read: this.raw?.bytesRead ?? 0, written: this.raw?.bytesWritten ?? 0 };
    ws.removeAllListeners('message');
    ws.removeAllListeners('error');
    ws.on('message', (data, isBinary) => this.onFrame(isBinary ? null : data.toString()));
    ws.on('ping', (payload) => this.onPing(payload));
    ws.on('pong', (payload) => this.onPong(payload));
    // A close frame with the leaving code is a goodbye too (the `bye` before it says the same; either is enough)
    ws.on('close', (code, reason) =>
      this.end(`the link closed (${reason.toString() || `code ${code}`})`, code === LINK_CLOSE.leaving),
    );
    ws.on('error', (err) => this.end(`the link failed: ${err.message}`, false));
    this.socketClosed = new Promise((resolve) => {
      if (ws.readyState === WebSocket.CLOSED) return resolve();
      ws.once('close', () => resolve());
      // never longer than the terminate below, whatever the socket does
      ws.once('close', () => clearTimeout(bound));
      const bound = setTimeout(resolve, 1500);
      bound.unref();
    });
    const tick = Math.max(25, Math.floor(this.heartbeatMs / 4));
    this.beat = setInterval(() => this.tick(), tick);
    this.beat.unref();
  }

  /** Delivers what arrived during the hand-over; call once the owner knows this link. */
  start(): void {
    if (this.auth.ws.readyState !== WebSocket.OPEN) return this.end('the link closed during the handshake', false);
    for (const frame of this.auth.early.splice(0)) this.onFrame(frame);
    // Measure the latency now rather than a beat from now: routing needs it to choose among peers.
    if (this.auth.role === 'dialer') this.ping(Date.now());
  }

  get remoteId(): string {
    return this.auth.remoteId;
  }
  get remoteName(): string {
    return this.auth.remoteName;
  }
  /** the peer's IP as this side sees it (IPv6 without brackets) */
  get remoteIp(): string {
    return this.auth.remoteIp.replace(/^::ffff:/, '');
  }
  /** `ip:port` of the peer's own listener, or null when it accepts no links */
  get remoteAddress(): string | null {
    if (this.auth.remotePort === null) return null;
    const ip = this.auth.remoteIp.replace(/^::ffff:/, '');
    return ip.includes(':') ? `[${ip}]:${this.auth.remotePort}` : `${ip}:${this.auth.remotePort}`;
  }
  get isOpen(): boolean {
    return !this.closed;
  }
  get bytesSent(): number {
    return (this.raw?.bytesWritten ?? 0) - this.bytesAtOpen.written;
  }
  get bytesReceived(): number {
    return (this.raw?.bytesRead ?? 0) - this.bytesAtOpen.read;
  }

  send(message: LinkMessage): void {
    if (this.closed || this.auth.ws.readyState !== WebSocket.OPEN) return;
    this.auth.ws.send(this.auth.crypto.seal(JSON.stringify(message)));
  }

  /**
   * Says goodbye and closes; resolves once the socket is closed: the peer answered the close frame, or after
   * 1 s without an answer (terminated). A caller about to tear sockets down (the listener) waits for it, or the
   * goodbye never leaves and the peer reads a cut link (1006) as this machine falling silent.
   */
  close(code: number, reason: string): Promise<void> {
    if (this.closed) return this.socketClosed;
    this.send({ t: 'bye', reason });
    this.auth.ws.close(code, reason.slice(0, 120));
    this.end(reason, false);
    // A peer that does not answer the close frame must not hold the socket.
    setTimeout(() => this.auth.ws.terminate(), 1000).unref();
    return this.socketClosed;
  }

  private onFrame(text: string | null): void {
    if (this.closed) return;
    if (text === null) return this.fail('a binary frame');
    const opened = this.auth.crypto.open(text);
    if ('error' in opened) return this.fail(opened.error);
    let raw: unknown;
    try {
      raw = JSON.parse(opened.json);
    } catch {
      return this.fail('a frame that is not JSON');
    }
    const parsed = LinkMessageSchema.safeParse(raw);
    if (!parsed.success)
      return this.fail(
        `a malformed message (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`,
      );
    this.lastHeard = Date.now();
    if (parsed.data.t === 'bye') return this.end(`${this.remoteName} left: ${parsed.data.reason}`, true);
    this.handlers.onMessage(this, parsed.data);
  }

  private onPing(payload: Buffer): void {
    const ping = this.auth.crypto.readPing(payload);
    if (ping === null) return; // forged or garbled: not a sign of life
    this.lastHeard = Date.now();
    this.lastHeartbeat = this.lastHeard;
    if (ping.rttMs !== null) this.latencyMs = ping.rttMs;
  }

  private onPong(payload: Buffer): void {
    if (payload.length !== 14) return;
    const counter = payload.readUInt32BE(0);
    const sent = this.pending.get(counter);
    // A pong echoes our own ping: it must match one we sent, byte for byte.
    if (sent === undefined || !sent.payload.equals(payload)) return;
    this.pending.delete(counter);
    // The least of the last few round trips: delays are one-sided (a busy machine answers late, never
    // early), so one slow ping must not swing routing, while a lasting change shows within a few beats.
    this.samples.push(performance.now() - sent.at);
    if (this.samples.length > LATENCY_SAMPLES) this.samples.shift();
    this.latencyMs = Math.round(Math.min(...this.samples) * 100) / 100;
    this.lastHeard = Date.now();
    this.lastHeartbeat = this.lastHeard;
    // The first round trip goes straight back in a ping, so the other end knows it too.
    if (this.samples.length === 1) this.ping(Date.now());
  }

  /**
   * The latency routing should assume: the measured one, or longer when a ping has gone unanswered for
   * longer than that (a peer that fell silent stops looking fast before the heartbeat declares it gone).
   */
  get effectiveLatencyMs(): number | null {
    let oldest: number | null = null;
    for (const p of this.pending.values()) if (oldest === null || p.at < oldest) oldest = p.at;
    const waiting = oldest === null ? 0 : performance.now() - oldest;
    return this.latencyMs === null ? (waiting > 0 ? waiting : null) : Math.max(this.latencyMs, waiting);
  }

  private tick(): void {
    if (this.closed) return;
    const now = Date.now();
    if (this.auth.role === 'dialer' && now - (this.lastPingAt ?? 0) >= this.heartbeatMs) this.ping(now);
    const silentFor = now - this.lastHeard;
    if (silentFor > 3 * this.heartbeatMs + Math.min(this.heartbeatMs / 2, 1000)) {
      this.auth.ws.terminate();
      this.end(`no heartbeat for ${(silentFor / 1000).toFixed(1)} s (3 beats of ${this.heartbeatMs / 1000} s)`, false);
    }
  }
  private ping(now: number): void {
    this.lastPingAt = now;
    const counter = ++this.counter;
    const payload = this.auth.crypto.ping(counter, this.latencyMs);
    this.pending.set(counter, { payload, at: performance.now() });
    // Only the last few pings can still be answered; older ones are forgotten.
    for (const key of this.pending.keys()) if (key < counter - 4) this.pending.delete(key);
    try {
      this.auth.ws.ping(payload);
    } catch {
      // closing: the close handler ends the link
    }
  }

  private fail(why: string): void {
    if (this.closed) return;
    this.auth.ws.close(LINK_CLOSE.malformed, 'malformed frame');
    setTimeout(() => this.auth.ws.terminate(), 1000).unref();
    this.end(`${this.remoteName} sent ${why}`, false);
  }

  private end(reason: string, left: boolean): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.beat);
    this.handlers.onClose(this, reason, left);
  }
}
