// The app and its window: the app:// scheme is privileged before Electron is ready, a crashed window comes
// back with a notification, and while the app quits nothing (a second launch, the Dock, a notification)
// brings a window back.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fake-electron.js'));

import * as fake from './fake-electron.js';
import { BrowserWindow, ipcMain, Notification, resetFake, Tray } from './fake-electron.js';
import { FakeCore } from './fake-core.js';
import { DevMeshApi } from '../../main/api/devmesh-api.js';
import type { DevMeshCore } from '../../main/core/devmesh-core.js';
import { DevMeshHome } from '../../main/core/home/devmesh-home.js';
import { AppStateStore } from '../../main/electron/app-state-store.js';
import { DesktopApp, type DesktopAppDeps } from '../../main/electron/desktop-app.js';
import { IPC_STREAM, IPC_SUBSCRIBE } from '../../shared/bridge.js';

let dir: string;
let home: DevMeshHome;
let core: FakeCore;

function makeApp(overrides: Partial<DesktopAppDeps<FakeCore, DevMeshApi>> = {}): DesktopApp<FakeCore, DevMeshApi> {
  return new DesktopApp<FakeCore, DevMeshApi>({
    home,
    version: '0.1.0',
    logger: { info: () => {}, warn: () => {}, error: () => {} },
    state: new AppStateStore(home.dir),
    loginItem: { set: () => null, reconcile: (wanted) => wanted, launchedHidden: () => false },
    window: {
      preloadPath: '/opt/DevMesh/dist/preload/preload.js',
      indexHtmlPath: '/opt/DevMesh/dist/renderer/index.html',
    },
    trayIconPath: '/opt/DevMesh/assets/tray.png',
    lockHome: async () => ({ announce: () => {}, release: () => {} }),
    openCore: async () => core,
    createApi: (c, face) => new DevMeshApi(c as unknown as DevMeshCore, face),
    createServer: () => ({
      listen: async () => ({ port: 7780, url: 'http://127.0.0.1:7780/' }),
      close: async () => {},
    }),
    ...overrides,
  });
}
const liveWindows = () => BrowserWindow.getAllWindows();

beforeEach(() => {
  resetFake();
  dir = mkdtempSync(join(tmpdir(), 'devmesh-app-window-'));
  home = new DevMeshHome(join(dir, 'home'));
  home.ensure();
  core = new FakeCore();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('DesktopApp and its window', () => {
  it('registers app:// as a standard, secure scheme before Electron is ready, loads the window from it', async () => {
    let ready!: () => void;
    fake.app.ready = new Promise<void>((r) => (ready = r));
    const desktop = makeApp();
    desktop.run();
    expect(fake.protocol.privileged).toEqual([
      { scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true, supportFetchAPI: true }) },
    ]);
    ready();
    await desktop.whenStarted();
    expect(fake.protocol.isProtocolHandled('app')).toBe(true);
    expect(BrowserWindow.instances[0]!.loadedUrl).toBe('app://devmesh/index.html');
    await desktop.quit();
  });

  it('reloads a crashed window and says so in a notification once it is back', async () => {
    const desktop = makeApp();
    desktop.run();
    await desktop.whenStarted();
    const contents = BrowserWindow.instances[0]!.webContents;
    contents.crash('crashed', 11);
    await vi.waitFor(() => expect(contents.reloads).toBe(1)); // one task later, outside Electron's handler
    contents.emit('did-finish-load');
    const note = Notification.instances.find((n) => n.options.title === 'DevMesh reloaded its window');
    expect(note?.shown).toBe(true);
    await desktop.quit();
  });

  it("drops the crashed page's event streams when it reloads it: the new page starts clean", async () => {
    const desktop = makeApp();
    desktop.run();
    await desktop.whenStarted();
    const contents = BrowserWindow.instances[0]!.webContents;
    const appOwn = core.listenerCount(); // the app's own subscriptions (notifiers, recent projects)
    expect(await ipcMain.invoke(IPC_SUBSCRIBE, { sender: contents }, 1, 'events', {})).toMatchObject({ ok: true });
    expect(await ipcMain.invoke(IPC_SUBSCRIBE, { sender: contents }, 2, 'events', {})).toMatchObject({ ok: true });
    expect(core.listenerCount()).toBe(appOwn + 2);
    contents.crash('oom', -1);
    await vi.waitFor(() => expect(contents.reloads).toBe(1));
    expect(core.listenerCount()).toBe(appOwn);
    expect(contents.listenerCount('did-start-navigation')).toBe(0);
    await ipcMain.invoke(IPC_SUBSCRIBE, { sender: contents }, 1, 'events', {});
    core.setState('api', 'healthy');
    expect(contents.sent.filter((m) => m.channel === IPC_STREAM).map((m) => m.args[0])).toEqual([1]);
    await desktop.quit();
  });

  it('brings no window back while quitting: second launch, Dock click, tray or notification', async () => {
    let finishStopping!: () => void;
    core.dispose = () => new Promise<void>((r) => (finishStopping = r));
    const desktop = makeApp();
    desktop.run();
    await desktop.whenStarted();
    await vi.waitFor(() => expect(Tray.instances[0]!.menu).not.toBeNull());
    const openWindow = Tray.instances[0]!.menu!.item('open-window').click!;
    BrowserWindow.instances[0]!.close(); // in the tray
    const quitting = desktop.quit();
    await vi.waitFor(() => expect(finishStopping).toBeTypeOf('function')); // stopping the services
    fake.app.emit('second-instance', {}, ['devmesh'], '/');
    fake.app.emit('activate');
    openWindow({});
    expect(liveWindows()).toHaveLength(0);
    finishStopping();
    await quitting;
    expect(fake.app.exit).toHaveBeenCalledWith(0);
    expect(liveWindows()).toHaveLength(0);
  });

  it('a quit while it is still starting opens neither the window nor the tray', async () => {
    let coreOpened!: (c: FakeCore) => void;
    const listened: string[] = [];
    const desktop = makeApp({
      openCore: () => new Promise<FakeCore>((r) => (coreOpened = r)),
      createServer: () => ({
        listen: async () => (listened.push('listen'), { port: 7780, url: 'http://127.0.0.1:7780/' }),
        close: async () => void listened.push('close'),
      }),
    });
    desktop.run();
    await vi.waitFor(() => expect(coreOpened).toBeTypeOf('function'));
    fake.app.emit('second-instance', {}, ['devmesh'], '/');
    const quitting = desktop.quit();
    coreOpened(core);
    await desktop.whenStarted();
    await quitting;
    expect(BrowserWindow.instances).toHaveLength(0);
    expect(Tray.instances).toHaveLength(0);
    // the core that finished opening during the quit is closed (its services stopped) before the app exits,
    // and no API server starts for an app that is going away
    expect(core.disposed).toBe(true);
    expect(listened).toEqual([]);
    expect(fake.app.exit).toHaveBeenCalledWith(0);
    expect(home.readDaemonRecord()).toBeNull();
  });
});
