// The page side of the fake electron (fake-electron.ts re-exports it): the events electron passes to
// handlers, frames, webContents with their navigation, crash and permission behaviour, and MessagePorts.
import { EventEmitter } from 'node:events';
import { MessageChannel as NodeMessageChannel, type MessagePort as NodeMessagePort } from 'node:worker_threads';

/** What electron passes to will-navigate and friends: an event the handler may cancel, carrying its details
 *  (Electron 45: will-navigate's `event.url`, `isMainFrame`…) as properties. */
export class FakeEvent {
  defaultPrevented = false;
  [detail: string]: unknown;
  constructor(details: Record<string, unknown> = {}) {
    Object.assign(this, details);
  }
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

export class FakeFrame {
  parent: FakeFrame | null = null;
  constructor(public url: string) {}
}

let nextContentsId = 1;
export class FakeWebContents extends EventEmitter {
  readonly id = nextContentsId++;
  readonly sent: Array<{ channel: string; args: unknown[] }> = [];
  /** what webContents.postMessage transferred: the ports are FakeMessagePortMain */
  readonly posted: Array<{ channel: string; message: unknown; transfer: FakeMessagePortMain[] }> = [];
  windowOpenHandler: ((details: { url: string }) => { action: 'allow' | 'deny' }) | null = null;
  mainFrame: FakeFrame = new FakeFrame('about:blank');
  /** reload() calls, and whether the renderer process is gone (crashed, killed) until the next reload */
  reloads = 0;
  rendererGone = false;
  private destroyed = false;
  send(channel: string, ...args: unknown[]): void {
    if (this.destroyed) throw new Error('Object has been destroyed');
    this.sent.push({ channel, args });
  }
  postMessage(channel: string, message: unknown, transfer: FakeMessagePortMain[] = []): void {
    if (this.destroyed) throw new Error('Object has been destroyed');
    this.posted.push({ channel, message, transfer });
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'allow' | 'deny' }): void {
    this.windowOpenHandler = handler;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isCrashed(): boolean {
    return this.rendererGone;
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit('destroyed');
  }
  /** Plays a link click / location change: true when the navigation happened. Only the event's details are
   *  passed: the positional url argument is deprecated (Electron 45), so code still reading it fails here. */
  navigate(url: string): boolean {
    const event = new FakeEvent({ url, isSameDocument: false, isMainFrame: true, frame: this.mainFrame });
    this.emit('will-navigate', event);
    if (event.defaultPrevented) return false;
    this.emit('did-start-navigation', { url, isMainFrame: true, isSameDocument: false });
    this.mainFrame = new FakeFrame(url);
    return true;
  }
  /** Plays a reload: a new document in the main frame (and a new renderer process when the old one is gone). */
  reload(): void {
    if (this.destroyed) throw new Error('Object has been destroyed');
    this.reloads++;
    this.rendererGone = false;
    this.emit('did-start-navigation', { url: this.mainFrame.url, isMainFrame: true, isSameDocument: false });
  }
  /** Plays the renderer process dying: Electron's 'render-process-gone' with its details. */
  crash(reason = 'crashed', exitCode = 139): void {
    this.rendererGone = true;
    this.emit('render-process-gone', new FakeEvent(), { reason, exitCode });
  }
  /** Electron: terminates a hung renderer; 'render-process-gone' follows with reason 'killed'. */
  forcefullyCrashRenderer(): void {
    this.crash('killed', 9);
  }
}

/** Electron's MessagePortMain over one end of a node MessageChannel: Node-style events, a message event of
 *  `{ data, ports }`, queued until start(), 'close' when either end closes. `peer` is the other end as the
 *  page would hold it (a plain MessagePort): what a test uses to play the renderer. */
export class FakeMessagePortMain extends EventEmitter {
  private started = false;
  constructor(readonly raw: NodeMessagePort) {
    super();
    raw.on('close', () => this.emit('close'));
  }
  postMessage(message: unknown): void {
    this.raw.postMessage(message);
  }
  start(): void {
    if (this.started) return;
    this.started = true;
    this.raw.on('message', (data: unknown) => this.emit('message', { data, ports: [] }));
  }
  close(): void {
    this.raw.close();
  }
}
export class MessageChannelMain {
  static readonly instances: MessageChannelMain[] = [];
  readonly port1: FakeMessagePortMain;
  readonly port2: FakeMessagePortMain;
  constructor() {
    const { port1, port2 } = new NodeMessageChannel();
    this.port1 = new FakeMessagePortMain(port1);
    this.port2 = new FakeMessagePortMain(port2);
    MessageChannelMain.instances.push(this);
  }
}
