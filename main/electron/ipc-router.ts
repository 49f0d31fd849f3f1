// The Electron transport of the API: one ipcMain handler per API method on its fixed channel, plus the
// stream channels. Every message is checked for its sender (the main window's own page, nothing else)
// before its input goes to DevMeshApi, which validates it with the contract's schema. Streams belong to
// the webContents that opened them and end when its page goes (page-lifetime.ts: a reload starts afresh).
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { API_METHODS, type ApiMethod } from '../../shared/api.js';
import { IPC_STREAM, IPC_SUBSCRIBE, IPC_UNSUBSCRIBE, ipcCallChannel } from '../../shared/bridge.js';
import { DevMeshError, type Result } from '../../shared/errors.js';
import type { DevMeshApi } from '../api/devmesh-api.js';
import type { Disposable } from '../core/base/disposable.js';
import { PageLifetime } from './page-lifetime.js';
import { senderRefusal, type TrustedWindow } from './sender-check.js';

export type { TrustedWindow } from './sender-check.js';

/** The part of DevMeshApi the router uses. */
export type RouterApi = Pick<DevMeshApi, 'call' | 'subscribe'>;

interface ContentsStreams {
  readonly subs: Map<number, Disposable>;
  readonly watch: Disposable;
}

const MAX_TOPIC_LENGTH = 64;
const MAX_STREAMS_PER_PAGE = 256;

export class IpcRouter implements Disposable {
  private readonly channels: string[] = [];
  private readonly streams = new Map<WebContents, ContentsStreams>();
  private disposed = false;

  constructor(
    private readonly api: RouterApi,
    private readonly window: TrustedWindow,
    /** shared with the other users of the window's page (desktop-app.ts); its own one otherwise */
    private readonly lifetime: PageLifetime = new PageLifetime(),
  ) {
    for (const method of API_METHODS) {
      this.handle(ipcCallChannel(method), (event, input) => this.onCall(method, event, input));
    }
    this.handle(IPC_SUBSCRIBE, (event, subId, topic, params) => this.onSubscribe(event, subId, topic, params));
    this.handle(IPC_UNSUBSCRIBE, (event, subId) => this.onUnsubscribe(event, subId));
  }

  /** Open streams of one webContents (for diagnostics and tests). */
  streamCount(contents: WebContents): number {
    return this.streams.get(contents)?.subs.size ?? 0;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const channel of this.channels.splice(0)) ipcMain.removeHandler(channel);
    for (const contents of [...this.streams.keys()]) this.closeStreams(contents);
  }

  private handle(
    channel: string,
    handler: (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<Result<unknown>> | Result<unknown>,
  ): void {
    ipcMain.handle(channel, (event, ...args: unknown[]) => {
      const refusal = this.checkSender(event);
      if (refusal) return refusal;
      return handler(event, ...args);
    });
    this.channels.push(channel);
  }

  /** Only the main window's top page, loaded from the app's own file, may call. */
  private checkSender(event: IpcMainInvokeEvent): Result<never> | null {
    const why = senderRefusal(event, this.window, this.disposed);
    if (!why) return null;
    return IpcRouter.fail(new DevMeshError('FORBIDDEN_ORIGIN', `IPC refused: ${why}`));
  }

  private onCall(method: ApiMethod, _event: IpcMainInvokeEvent, input: unknown): Promise<Result<unknown>> {
    return this.api.call(method, input);
  }

  private onSubscribe(
    event: IpcMainInvokeEvent,
    subId: unknown,
    topic: unknown,
    params: unknown,
  ): Result<{ subId: number }> {
    if (!IpcRouter.isSubId(subId))
      return IpcRouter.fail(new DevMeshError('BAD_REQUEST', 'subscribe: subId must be a non-negative integer'));
    if (typeof topic !== 'string' || topic.length > MAX_TOPIC_LENGTH) {
      return IpcRouter.fail(new DevMeshError('BAD_REQUEST', 'subscribe: topic must be a short string'));
    }
    const contents = event.sender;
    const streams = this.streamsOf(contents);
    streams.subs.get(subId)?.dispose(); // a page reusing an id replaces its own stream
    streams.subs.delete(subId);
    if (streams.subs.size >= MAX_STREAMS_PER_PAGE) {
      return IpcRouter.fail(
        new DevMeshError(
          'BAD_REQUEST',
          `subscribe: more than ${MAX_STREAMS_PER_PAGE} open streams; unsubscribe some first`,
        ),
      );
    }
    const result = this.api.subscribe(topic, params, (data) => {
      if (!contents.isDestroyed()) contents.send(IPC_STREAM, subId, data);
    });
    if (!result.ok) return result;
    streams.subs.set(subId, result.value);
    return { ok: true, value: { subId } };
  }

  private onUnsubscribe(event: IpcMainInvokeEvent, subId: unknown): Result<{ closed: boolean }> {
    if (!IpcRouter.isSubId(subId))
      return IpcRouter.fail(new DevMeshError('BAD_REQUEST', 'unsubscribe: subId must be a non-negative integer'));
    const streams = this.streams.get(event.sender);
    const sub = streams?.subs.get(subId);
    sub?.dispose();
    streams?.subs.delete(subId);
    return { ok: true, value: { closed: sub !== undefined } };
  }

  private streamsOf(contents: WebContents): ContentsStreams {
    const existing = this.streams.get(contents);
    if (existing) return existing;
    // A new document in the main frame (reload, navigation) has none of the old page's listeners.
    const watch = this.lifetime.onPageGone(contents, () => this.closeStreams(contents));
    const streams: ContentsStreams = { subs: new Map(), watch };
    this.streams.set(contents, streams);
    return streams;
  }

  private closeStreams(contents: WebContents): void {
    const streams = this.streams.get(contents);
    if (!streams) return;
    this.streams.delete(contents);
    streams.watch.dispose();
    for (const sub of streams.subs.values()) sub.dispose();
    streams.subs.clear();
  }

  private static isSubId(value: unknown): value is number {
    return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
  }

  private static fail(err: DevMeshError): { ok: false; error: ReturnType<DevMeshError['toInfo']> } {
    return { ok: false, error: err.toInfo() };
  }
}
