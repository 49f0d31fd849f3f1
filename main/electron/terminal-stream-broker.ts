// The app's dedicated channel for terminal bytes: each terminal view gets its own MessagePort, so
// a flood of output never queues behind (or in front of) the general IPC traffic. On IPC_TERMINAL_OPEN from
// the main window's own page (checked like every IPC message) it creates a MessageChannelMain, keeps port1
// bridged to TerminalManager.attach through TerminalStreamSession (the same protocol as the daemon's
// WebSocket stream), and transfers port2 to the page. A stream ends when the page closes its port, when the
// page reloads or navigates, when the window goes, or when the terminal exits.
import {
  ipcMain,
  MessageChannelMain,
  type IpcMainInvokeEvent,
  type MessageEvent,
  type MessagePortMain,
  type WebContents,
} from 'electron';
import { IPC_TERMINAL_OPEN, IPC_TERMINAL_PORT, type TerminalPortMessage } from '../../shared/bridge.js';
import { DevMeshError, type Result } from '../../shared/errors.js';
import { TerminalIdSchema } from '../../shared/terminal.js';
import {
  TerminalStreamSession,
  type TerminalStreamLogger,
  type TerminalStreamTransport,
} from '../api/terminal-stream-session.js';
import type { Disposable } from '../core/base/disposable.js';
import type { TerminalManager } from '../core/terminals/terminal-manager.js';
import { PageLifetime } from './page-lifetime.js';
import { senderRefusal, type TrustedWindow } from './sender-check.js';

/** Views of one page: more than this is a page that forgets to close its streams. */
const MAX_STREAMS_PER_PAGE = 128;

interface PageStreams {
  readonly ends: Set<() => void>;
  readonly watch: Disposable;
}

export class TerminalStreamBroker implements Disposable {
  private readonly pages = new Map<WebContents, PageStreams>();
  private readonly encoder = new TextEncoder();
  private disposed = false;

  constructor(
    private readonly terminals: TerminalManager,
    private readonly window: TrustedWindow,
    private readonly logger: TerminalStreamLogger,
    /** shared with the other users of the window's page (desktop-app.ts); its own one otherwise */
    private readonly lifetime: PageLifetime = new PageLifetime(),
  ) {
    ipcMain.handle(IPC_TERMINAL_OPEN, (event, streamId, id) => this.onOpen(event, streamId, id));
  }

  /** Open streams of one webContents (for diagnostics and tests). */
  streamCount(contents: WebContents): number {
    return this.pages.get(contents)?.ends.size ?? 0;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    ipcMain.removeHandler(IPC_TERMINAL_OPEN);
    for (const contents of [...this.pages.keys()]) this.closePage(contents);
  }

  private onOpen(event: IpcMainInvokeEvent, streamId: unknown, id: unknown): Result<{ streamId: number }> {
    const why = senderRefusal(event, this.window, this.disposed);
    if (why) return TerminalStreamBroker.fail('FORBIDDEN_ORIGIN', `IPC refused: ${why}`);
    if (typeof streamId !== 'number' || !Number.isSafeInteger(streamId) || streamId < 0) {
      return TerminalStreamBroker.fail('BAD_REQUEST', 'terminal stream: streamId must be a non-negative integer');
    }
    const parsed = TerminalIdSchema.safeParse(id);
    if (!parsed.success)
      return TerminalStreamBroker.fail(
        'BAD_REQUEST',
        'terminal stream: the terminal id must be like t-0123abcd (lowercase letters, digits, dashes)',
      );
    const contents = event.sender;
    if (contents.isDestroyed()) return TerminalStreamBroker.fail('BAD_REQUEST', 'terminal stream: the page is gone');
    const page = this.pageOf(contents);
    if (page.ends.size >= MAX_STREAMS_PER_PAGE) {
      return TerminalStreamBroker.fail(
        'BAD_REQUEST',
        `terminal stream: more than ${MAX_STREAMS_PER_PAGE} open streams; close some views first`,
      );
    }
    const { port1, port2 } = new MessageChannelMain();
    const message: TerminalPortMessage = { type: 'devmesh:terminal-port', streamId };
    contents.postMessage(IPC_TERMINAL_PORT, message, [port2]);
    this.bridge(port1, parsed.data, page);
    return { ok: true, value: { streamId } };
  }

  /** Speaks the stream protocol on `port` for terminal `id` until either side ends it. */
  private bridge(port: MessagePortMain, id: string, page: PageStreams): void {
    let open = true;
    const end = () => {
      if (!open) return;
      open = false;
      page.ends.delete(end);
      session.dispose();
      port.close();
    };
    const transport: TerminalStreamTransport = {
      isOpen: () => open,
      sendControl: (json) => port.postMessage(json),
      // A fresh, exactly sized buffer: structured clone copies a view's whole backing store (Buffer's pool).
      sendOutput: (text) => port.postMessage(this.encoder.encode(text)),
      // A port has no queue we can read: only the view's acknowledgements release the PTY.
      backlog: () => 0,
      close: () => end(),
    };
    const session = new TerminalStreamSession(transport, this.terminals, id, this.logger);
    page.ends.add(end);
    port.on('message', (event: MessageEvent) => {
      if (!open) return;
      const data: unknown = event.data;
      if (typeof data === 'string') session.receive(data, false);
      else if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) session.receive(Buffer.alloc(0), true);
      else session.refuse('BAD_REQUEST', 'messages to a terminal stream are JSON strings (ack, input, resize)');
    });
    port.on('close', end);
    port.start();
    session.open();
  }

  private pageOf(contents: WebContents): PageStreams {
    const existing = this.pages.get(contents);
    if (existing) return existing;
    // A new document in the main frame (reload, navigation) has none of the old page's views.
    const watch = this.lifetime.onPageGone(contents, () => this.closePage(contents));
    const page: PageStreams = { ends: new Set(), watch };
    this.pages.set(contents, page);
    return page;
  }

  private closePage(contents: WebContents): void {
    const page = this.pages.get(contents);
    if (!page) return;
    this.pages.delete(contents);
    page.watch.dispose();
    for (const end of [...page.ends]) end();
  }

  private static fail(code: 'FORBIDDEN_ORIGIN' | 'BAD_REQUEST', message: string): Result<never> {
    return { ok: false, error: new DevMeshError(code, message).toInfo() };
  }
}
