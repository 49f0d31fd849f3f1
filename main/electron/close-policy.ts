// What closing the window does. With a tray, DevMesh stays reachable from its icon, so the window closes
// (and is created anew from the tray). Where the desktop shows no tray icons (vanilla GNOME without the
// AppIndicator extension, see tray-presence.ts), a closed window would leave DevMesh and its services running
// with nothing on screen: the window minimizes instead and stays in the taskbar, and the user is told once
// (remembered in app-state.json) why, and how to quit.
import type { AppStateStore } from './app-state-store.js';

export type CloseAction = 'close' | 'minimize';

export interface ClosePolicyDeps {
  trayAvailable: boolean;
  state: Pick<AppStateStore, 'noTrayNoticeShown' | 'setNoTrayNoticeShown'>;
  /** shows a notice to the user (a notification, or a dialog where there is none) */
  tell(title: string, message: string): void;
}

export class ClosePolicy {
  static readonly NOTICE_TITLE = 'DevMesh keeps running';
  static readonly NOTICE =
    'Your desktop shows no tray icons, so closing the window minimizes DevMesh; quit from the menu or `devmesh down`.';

  constructor(private readonly deps: ClosePolicyDeps) {}

  /** Whether a launch at login may start without a window: only where the tray shows DevMesh is running. */
  get mayStartHidden(): boolean {
    return this.deps.trayAvailable;
  }

  /** Called when the user closes the window. */
  onCloseRequested(): CloseAction {
    if (this.deps.trayAvailable) return 'close';
    if (!this.deps.state.noTrayNoticeShown) {
      this.deps.state.setNoTrayNoticeShown();
      this.deps.tell(ClosePolicy.NOTICE_TITLE, ClosePolicy.NOTICE);
    }
    return 'minimize';
  }
}
