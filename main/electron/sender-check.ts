// The one check every IPC message of the app passes before anything reads its payload: it comes from the
// main window's own top page, loaded from the app's own file (Electron's security checklist: validate
// event.senderFrame). Shared by the API router and the terminal stream broker.
import type { IpcMainInvokeEvent, WebContents } from 'electron';

/** The window whose page may talk to the API (MainWindow). */
export interface TrustedWindow {
  readonly webContents: WebContents | null;
  isAppUrl(url: string): boolean;
}

/** Why the message is refused, or null when its sender is the DevMesh window's own page. */
export function senderRefusal(
  event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>,
  window: TrustedWindow,
  disposed: boolean,
): string | null {
  const frame = event.senderFrame;
  const trusted = window.webContents;
  if (disposed) return 'the app is shutting down';
  if (!frame) return 'the sending frame is gone';
  if (!trusted || event.sender !== trusted) return 'the message does not come from the DevMesh window';
  if (frame.parent) return 'the message comes from a sub-frame';
  if (!window.isAppUrl(frame.url))
    return `the page ${JSON.stringify(frame.url.slice(0, 200))} is not DevMesh's own page`;
  return null;
}
