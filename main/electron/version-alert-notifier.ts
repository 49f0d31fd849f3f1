// A desktop notification when a caller reaches an instance outside the version range it declared (a
// version alert of the mesh), so the mismatch is seen even with the window closed. The same alert
// raised again (its count going up) notifies once per quiet period; clicking opens the window.
import { Notification } from 'electron';
import type { DevMeshEvent } from '../../shared/events.js';
import type { VersionAlert } from '../../shared/mesh.js';
import type { DevMeshApi } from '../api/devmesh-api.js';
import type { Disposable } from '../core/lifecycle/disposable.js';

export interface VersionAlertNotifierOptions {
  /** called when the user clicks a notification */
  onClick: () => void;
  /** the same caller → dependency mismatch notifies again only after this long (ms) */
  quietMs?: number;
  now?: () => number;
}

/** "Version mismatch: web needs auth ^2.1" */
export const alertTitle = (a: VersionAlert): string => `Version mismatch: ${a.caller.service} needs ${a.dependency} ${a.range}`;

/** "alice's auth is 3.0.0 (shop); the request was refused" */
export const alertBody = (a: VersionAlert): string => {
  const where = a.instance.local ? 'This machine' : `${a.instance.agent}`;
  const outcome = a.action === 'refused' ? 'the request was refused' : 'the request went through anyway';
  return `${where}'s ${a.instance.service} is ${a.instance.version} (${a.instance.project}); ${outcome}.`;
};

export class VersionAlertNotifier implements Disposable {
  private readonly lastShown = new Map<string, number>();
  /** shown notifications are kept referenced, or the garbage collector may drop their click handler */
  private readonly shown = new Set<Notification>();
  private readonly subscription: Disposable | null;

  constructor(
    api: Pick<DevMeshApi, 'subscribe'>,
    private readonly options: VersionAlertNotifierOptions,
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
    if (event.type !== 'alert.raised' || !Notification.isSupported()) return;
    const a = event.alert;
    // Keyed by what the user would fix, not by the alert's id: a daemon restart numbers alerts anew.
    const key = `${a.caller.project}/${a.caller.service}→${a.dependency}@${a.instance.agentId}/${a.instance.version}`;
    const now = (this.options.now ?? Date.now)();
    const last = this.lastShown.get(key);
    if (last !== undefined && now - last < (this.options.quietMs ?? 10 * 60_000)) return;
    this.lastShown.set(key, now);
    this.show(a);
  }

  private show(a: VersionAlert): void {
    const notification = new Notification({ title: alertTitle(a), body: alertBody(a) });
    notification.on('click', () => this.options.onClick());
    notification.on('close', () => this.shown.delete(notification));
    this.shown.add(notification);
    // Some Linux notification servers never report 'close': keep only the newest few.
    if (this.shown.size > 10) this.shown.delete(this.shown.values().next().value as Notification);
    notification.show();
  }
}
