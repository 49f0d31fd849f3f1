// Desktop notifications for core events, so the user learns of them even with the window closed. Each
// kind of notifier says which events matter and how to word them (`pick`); the same key notifies again
// only after a quiet period (a crash loop or a mismatch hit on every request is one notification), and
// clicking a notification opens the window.
import { Notification } from 'electron';
import type { DevMeshEvent } from '../../shared/events.js';
import type { DevMeshApi } from '../api/devmesh-api.js';
import type { Disposable } from '../core/base/disposable.js';

export interface NotifierDeps {
  /** called when the user clicks a notification */
  onClick: () => void;
  /** the same key notifies again only after this long (ms) */
  quietMs?: number;
  now?: () => number;
}

export interface Notice {
  /** what the quiet period is kept by */
  key: string;
  title: string;
  body: string;
}

export class EventNotifier implements Disposable {
  private readonly lastShown = new Map<string, number>();
  /** shown notifications are kept referenced, or the garbage collector may drop their click handler */
  private readonly shown = new Set<Notification>();
  private readonly subscription: Disposable | null;

  constructor(
    api: Pick<DevMeshApi, 'subscribe'>,
    private readonly deps: NotifierDeps,
    private readonly defaultQuietMs: number,
    private readonly pick: (event: DevMeshEvent) => Notice | null,
  ) {
    const sub = api.subscribe('events', {}, (data) => this.onEvent(data as DevMeshEvent));
    this.subscription = sub.ok ? sub.value : null;
  }

  dispose(): void {
    this.subscription?.dispose();
    for (const n of this.shown) n.close();
    this.shown.clear();
  }

  private onEvent(event: DevMeshEvent): void {
    const notice = this.pick(event);
    if (notice === null || !Notification.isSupported()) return;
    const now = (this.deps.now ?? Date.now)();
    const last = this.lastShown.get(notice.key);
    if (last !== undefined && now - last < (this.deps.quietMs ?? this.defaultQuietMs)) return;
    this.lastShown.set(notice.key, now);
    const notification = new Notification({ title: notice.title, body: notice.body });
    notification.on('click', () => this.deps.onClick());
    notification.on('close', () => this.shown.delete(notification));
    this.shown.add(notification);
    // Some Linux notification servers never report 'close': keep only the newest few.
    if (this.shown.size > 10) this.shown.delete(this.shown.values().next().value as Notification);
    notification.show();
  }
}
