// A desktop notification when a service crashes, so the user learns it even with the window closed.
// A service in a crash loop notifies once per quiet period, not on every restart; clicking the
// notification opens the window.
import { Notification } from 'electron';
import type { DevMeshEvent, ServiceStateEvent } from '../../shared/events.js';
import type { DevMeshApi } from '../api/devmesh-api.js';
import type { Disposable } from '../core/lifecycle/disposable.js';

export interface CrashNotifierOptions {
  /** called when the user clicks a notification */
  onClick: () => void;
  /** a crashing service notifies again only after this long (ms) */
  quietMs?: number;
  now?: () => number;
}

export class CrashNotifier implements Disposable {
  private readonly lastShown = new Map<string, number>();
  /** shown notifications are kept referenced, or the garbage collector may drop their click handler */
  private readonly shown = new Set<Notification>();
  private readonly subscription: Disposable | null;

  constructor(
    api: Pick<DevMeshApi, 'subscribe'>,
    private readonly options: CrashNotifierOptions,
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
    if (event.type !== 'service.state' || event.to !== 'crashed' || !Notification.isSupported()) return;
    const key = `${event.project}/${event.service}`;
    const now = (this.options.now ?? Date.now)();
    const last = this.lastShown.get(key);
    if (last !== undefined && now - last < (this.options.quietMs ?? 60_000)) return;
    this.lastShown.set(key, now);
    this.show(event);
  }

  private show(event: ServiceStateEvent): void {
    const restarts = event.info.restarts > 0 ? ` (restarted ${event.info.restarts}×)` : '';
    const notification = new Notification({
      title: `${event.service} crashed`,
      body: `${event.project}: ${event.reason ?? 'the process exited'}${restarts}`,
    });
    notification.on('click', () => this.options.onClick());
    notification.on('close', () => this.shown.delete(notification));
    this.shown.add(notification);
    // Some Linux notification servers never report 'close': keep only the newest few.
    if (this.shown.size > 10) this.shown.delete(this.shown.values().next().value as Notification);
    notification.show();
  }
}
