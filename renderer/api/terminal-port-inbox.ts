// Where the Electron app's terminal stream ports arrive: the preload forwards each MessagePort main sends it
// to the page with window.postMessage (contextBridge cannot pass one), tagged with the stream id that
// `devmesh.openTerminalStream` answered. The inbox takes only messages this window posted to itself, keeps a
// port until its stream claims it, and closes a port whose claimant gave up waiting.
import { TERMINAL_PORT_MESSAGE, type TerminalPortMessage } from '../../shared/bridge.js';

interface Waiter {
  resolve(port: MessagePort): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/** Ports not claimed after this long are closed (their stream's request failed or was abandoned). */
const UNCLAIMED_MS = 30_000;

export class TerminalPortInbox {
  private readonly ports = new Map<number, { port: MessagePort; timer: ReturnType<typeof setTimeout> }>();
  private readonly waiters = new Map<number, Waiter>();
  private readonly abandoned = new Set<number>();
  private readonly onMessage = (ev: MessageEvent) => this.receive(ev);

  constructor(private readonly win: Window) {
    win.addEventListener('message', this.onMessage);
  }

  /** The port of stream `streamId`, once it arrives; rejects after `timeoutMs`. */
  take(streamId: number, timeoutMs = 5000): Promise<MessagePort> {
    const kept = this.ports.get(streamId);
    if (kept) {
      this.ports.delete(streamId);
      clearTimeout(kept.timer);
      return Promise.resolve(kept.port);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(streamId);
        this.abandoned.add(streamId);
        reject(new Error(`the terminal stream's port did not arrive within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.set(streamId, { resolve, reject, timer });
    });
  }

  dispose(): void {
    this.win.removeEventListener('message', this.onMessage);
    for (const { port, timer } of this.ports.values()) {
      clearTimeout(timer);
      port.close();
    }
    this.ports.clear();
    for (const w of this.waiters.values()) {
      clearTimeout(w.timer);
      w.reject(new Error('the page is closing'));
    }
    this.waiters.clear();
  }

  private receive(ev: MessageEvent): void {
    // Only the preload, posting to this very window, delivers ports; a frame or another window cannot.
    if (ev.source !== this.win) return;
    const data = ev.data as Partial<TerminalPortMessage> | null;
    if (
      data === null ||
      typeof data !== 'object' ||
      data.type !== TERMINAL_PORT_MESSAGE ||
      typeof data.streamId !== 'number'
    )
      return;
    const port = ev.ports[0];
    if (port === undefined) return;
    const streamId = data.streamId;
    const waiter = this.waiters.get(streamId);
    if (waiter) {
      this.waiters.delete(streamId);
      clearTimeout(waiter.timer);
      return waiter.resolve(port);
    }
    if (this.abandoned.delete(streamId) || this.ports.has(streamId)) return port.close();
    const timer = setTimeout(() => {
      this.ports.delete(streamId);
      port.close();
    }, UNCLAIMED_MS);
    this.ports.set(streamId, { port, timer });
  }
}
