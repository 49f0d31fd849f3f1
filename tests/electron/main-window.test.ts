// The window follows Electron's security checklist, and a user's links leave the app for their browser.
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fake-electron.js'));

import * as electron from './fake-electron.js';
import { BrowserWindow, resetFake, session, shell } from './fake-electron.js';
import { MainWindow } from '../../main/electron/main-window.js';

const options = {
  preloadPath: '/opt/DevMesh/dist/preload/preload.js',
  indexHtmlPath: '/opt/DevMesh/dist/renderer/index.html',
};

function openWindow(): { window: MainWindow; bw: BrowserWindow } {
  const window = new MainWindow(options);
  window.focus();
  const bw = BrowserWindow.instances.at(-1);
  if (!bw) throw new Error('no BrowserWindow was created');
  return { window, bw };
}

beforeEach(() => resetFake());

describe('MainWindow', () => {
  it('creates a sandboxed, context-isolated window without Node, with the preload, and loads the app page', () => {
    const { bw } = openWindow();
    expect(bw.options.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      preload: options.preloadPath,
    });
    // the UI comes from the app's own scheme, not file:// (Electron's security checklist, item 18)
    expect(bw.loadedUrl).toBe('app://devmesh/index.html');
    expect(bw.loadedFile).toBeNull();
  });

  it("grants the app's own page clipboard writes (copy from a terminal) and refuses everything else", () => {
    const { bw } = openWindow();
    const s = session.defaultSession;
    const page = 'app://devmesh/index.html#terminals';
    const request = (wc: unknown, permission: string, requestingUrl = page, isMainFrame = true) => {
      let granted: boolean | undefined;
      s.permissionRequestHandler?.(wc, permission, (g) => (granted = g), { requestingUrl, isMainFrame });
      return granted;
    };
    const check = (wc: unknown, permission: string, origin = 'app://devmesh', url = page, isMainFrame = true) =>
      s.permissionCheckHandler?.(wc, permission, origin, { requestingUrl: url, isMainFrame });
    const own = bw.webContents;
    // navigator.clipboard.writeText: Chromium checks, then asks, for 'clipboard-sanitized-write'
    expect(request(own, 'clipboard-sanitized-write')).toBe(true);
    expect(check(own, 'clipboard-sanitized-write')).toBe(true);
    expect(check(own, 'clipboard-sanitized-write', 'app://devmesh/')).toBe(true);
    // nothing else, and not for another page, another webContents or a sub-frame
    for (const permission of ['clipboard-read', 'media', 'notifications', 'geolocation', 'openExternal', 'unknown']) {
      expect(request(own, permission), permission).toBe(false);
      expect(check(own, permission), permission).toBe(false);
    }
    expect(request(own, 'clipboard-sanitized-write', 'https://evil.example/')).toBe(false);
    expect(request(own, 'clipboard-sanitized-write', 'file:///opt/DevMesh/dist/renderer/index.html')).toBe(false);
    expect(request(own, 'clipboard-sanitized-write', page, false)).toBe(false);
    expect(request(new electron.FakeWebContents(), 'clipboard-sanitized-write')).toBe(false);
    expect(check(own, 'clipboard-sanitized-write', 'https://evil.example')).toBe(false);
    expect(check(own, 'clipboard-sanitized-write', 'app://devmesh', page, false)).toBe(false);
    expect(check(null, 'clipboard-sanitized-write')).toBe(false);
    expect(check(new electron.FakeWebContents(), 'clipboard-sanitized-write')).toBe(false);
  });

  it('denies every new window, and opens http(s) links in the system browser', () => {
    const { bw } = openWindow();
    const open = bw.webContents.windowOpenHandler;
    expect(open?.({ url: 'https://devmesh.dev/docs' })).toEqual({ action: 'deny' });
    expect(open?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(open?.({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(shell.openExternal).toHaveBeenCalledTimes(1);
    expect(shell.openExternal).toHaveBeenCalledWith('https://devmesh.dev/docs');
    expect(BrowserWindow.instances).toHaveLength(1);
  });

  it('stays on its own page: navigation elsewhere is prevented, links go to the browser (details.url)', () => {
    const { bw } = openWindow();
    expect(bw.webContents.navigate('https://evil.example/')).toBe(false);
    expect(bw.webContents.navigate('file:///etc/passwd')).toBe(false);
    expect(bw.webContents.navigate('file:///opt/DevMesh/dist/renderer/index.html')).toBe(false);
    expect(bw.webContents.navigate('app://devmesh/other.html')).toBe(false);
    expect(bw.webContents.navigate('app://other/index.html')).toBe(false);
    expect(shell.openExternal).toHaveBeenCalledWith('https://evil.example/');
    expect(shell.openExternal).toHaveBeenCalledTimes(1);
    // its own page with a route is fine (hash routing, reload)
    expect(bw.webContents.navigate('app://devmesh/index.html#services')).toBe(true);
  });

  it('refuses to attach <webview> tags', () => {
    const { bw } = openWindow();
    const event = new electron.FakeEvent();
    bw.webContents.emit('will-attach-webview', event);
    expect(event.defaultPrevented).toBe(true);
  });

  it('shows only once ready-to-show, and focus() brings it back after it was closed', () => {
    const window = new MainWindow(options);
    window.focus();
    const first = BrowserWindow.instances[0]!;
    first.visible = false;
    first.emit('ready-to-show');
    expect(first.visible).toBe(true);
    first.close();
    expect(window.webContents).toBeNull();
    window.focus();
    expect(BrowserWindow.instances).toHaveLength(2);
    expect(BrowserWindow.instances[1]!.visible).toBe(true);
    expect(window.webContents).toBe(BrowserWindow.instances[1]!.webContents);
  });

  it('restores a minimised window instead of opening a second one', () => {
    const { window, bw } = openWindow();
    bw.minimized = true;
    window.focus();
    expect(bw.minimized).toBe(false);
    expect(bw.focused).toBe(true);
    expect(BrowserWindow.instances).toHaveLength(1);
  });

  it('recognises only its own app:// page as the app page', () => {
    const window = new MainWindow(options);
    expect(window.isAppUrl('app://devmesh/index.html')).toBe(true);
    expect(window.isAppUrl('app://devmesh/index.html?x=1#logs')).toBe(true);
    expect(window.isAppUrl('app://devmesh/')).toBe(true);
    expect(window.isAppUrl('app://devmesh/assets/index.js')).toBe(false);
    expect(window.isAppUrl('app://evil/index.html')).toBe(false);
    expect(window.isAppUrl('file:///opt/DevMesh/dist/renderer/index.html')).toBe(false);
    expect(window.isAppUrl('http://127.0.0.1:7780/')).toBe(false);
    expect(window.isAppUrl('not a url')).toBe(false);
  });

  it('opens no window once disposed (the app is quitting)', () => {
    const { window, bw } = openWindow();
    window.dispose();
    expect(bw.isDestroyed()).toBe(true);
    window.focus();
    expect(BrowserWindow.instances).toHaveLength(1);
    expect(window.webContents).toBeNull();
  });
});
