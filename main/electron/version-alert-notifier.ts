// A desktop notification when a caller reaches an instance outside the version range it declared (a
// version alert of the mesh), so the mismatch is seen even with the window closed. The same alert
// raised again (its count going up) notifies once per quiet period; clicking opens the window.
import type { VersionAlert } from '../../shared/mesh.js';
import type { DevMeshApi } from '../api/devmesh-api.js';
import { EventNotifier, type NotifierDeps } from './event-notifier.js';

/** the same caller → dependency mismatch notifies again only after `quietMs` (default 10 minutes) */
export type VersionAlertNotifierDeps = NotifierDeps;

/** "Version mismatch: web needs auth ^2.1" */
export const alertTitle = (a: VersionAlert): string =>
  `Version mismatch: ${a.caller.service} needs ${a.dependency} ${a.range}`;

/** "alice's auth is 3.0.0 (shop); the request was refused" */
export const alertBody = (a: VersionAlert): string => {
  const where = a.instance.local ? 'This machine' : `${a.instance.agent}`;
  const outcome = a.action === 'refused' ? 'the request was refused' : 'the request went through anyway';
  return `${where}'s ${a.instance.service} is ${a.instance.version} (${a.instance.project}); ${outcome}.`;
};

export class VersionAlertNotifier extends EventNotifier {
  constructor(api: Pick<DevMeshApi, 'subscribe'>, deps: VersionAlertNotifierDeps) {
    super(api, deps, 10 * 60_000, (event) => {
      if (event.type !== 'alert.raised') return null;
      const a = event.alert;
      // Keyed by what the user would fix, not by the alert's id: a daemon restart numbers alerts anew.
      const key = `${a.caller.project}/${a.caller.service}→${a.dependency}@${a.instance.agentId}/${a.instance.version}`;
      return { key, title: alertTitle(a), body: alertBody(a) };
    });
  }
}
