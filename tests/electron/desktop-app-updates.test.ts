// The self-update as the user meets it in the app: the check runs once the window is up, a downloaded update
// is announced by a notification, clicking it asks in a message box that names the running services, and
// only a yes restarts, after the services stopped; Later installs when the user quits. createAppUpdater with
// a fake electron-updater (the real one runs in app-updater.test.ts), the real DevMeshApi over FakeCore.
import { EventEmitter } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fake-electron.js'));

import * as fake from './fake-electron.js';
import { BrowserWindow, dialog, Notification, resetFake, Tray } from './fake-electron.js';
import { FakeCore } from './fake-core.js';
import { DevMeshApi } from '../../main/api/devmesh-api.js';
import type { DevMeshCore } from '../../main/core/devmesh-core.js';
import { DevMeshHome } from '../../main/core/home/devmesh-home.js';
import { HomeLock } from '../../main/core/home/home-lock.js';
import { AppStateStore } from '../../main/electron/app-state-store.js';
import { createAppUpdater } from '../../main/electron/app-updater.js';
import { DesktopApp, type DesktopAppDeps } from '../../main/electron/desktop-app.js';
import { LoginItem } from '../../main/electron/login-item.js';
import type { AppUpdater } from 'electron-updater';

/** electron-updater's surface that ElectronUpdaterEngine uses, recording what the app asked of it. */
class FakeElectronUpdater extends EventEmitter {
  autoDownload = true;
  autoInstallOnAppQuit = false;
  logger: unknown = console;
  offered: string | null = '0.2.0';
  windowsAtCheck = -1;
  feed: unknown = null;
  async checkForUpdates() {
    this.windowsAtCheck = BrowserWindow.getAllWindows().length;
    steps.push('check');
    return this.offered ? { isUpdateAvailable: true, updateInfo: { version: this.offered } } : null;
  }
  async downloadUpdate() {
    steps.push('download');
    return ['/cache/DevMesh-0.2.0.AppImage'];
  }
  quitAndInstall(isSilent: boolean, isForceRunAfter: boolean) {
    steps.push(`quitAndInstall silent=${isSilent} runAfter=${isForceRunAfter}`);
  }
  install(isSilent: boolean, isForceRunAfter: boolean) {
    steps.push(`install silent=${isSilent} runAfter=${isForceRunAfter}`);
    return true;
  }
  setFeedURL(options: unknown) {
    this.feed = options;
  }
}

let dir: string;
let resources: string;
let home: DevMeshHome;
let core: FakeCore;
let api: DevMeshApi | null;
let steps: string[];
let updater: FakeElectronUpdater;
let locks: HomeLock[];

function makeApp(overrides: Partial<DesktopAppDeps<FakeCore, DevMeshApi>> = {}): DesktopApp<FakeCore, DevMeshApi> {
  const logger = { info: () => {}, warn: () => {}, error: () => {} };
  return new DesktopApp<FakeCore, DevMeshApi>({
    home,
    version: '0.1.0',
    logger,
    state: new AppStateStore(home.dir),
    loginItem: new LoginItem({
      platform: 'linux',
      command: ['/opt/DevMesh/devmesh'],
      autostartDir: join(dir, 'autostart'),
    }),
    window: {
      preloadPath: '/opt/DevMesh/dist/preload/preload.js',
      indexHtmlPath: '/opt/DevMesh/dist/renderer/index.html',
    },
    trayIconPath: '/opt/DevMesh/assets/tray.png',
    lockHome: async () => {
      const lock = await HomeLock.acquire(home, 'electron', { announceWaitMs: 20_000 });
      locks.push(lock);
      return lock;
    },
    openCore: async () => core,
    createApi: (c, face) => (api = new DevMeshApi(c as unknown as DevMeshCore, face)),
    createServer: () => ({
      listen: async () => ({ port: 7780, url: 'http://127.0.0.1:7780/' }),
      close: async () => void steps.push('close server'),
    }),
    createUpdater: (a, quit) =>
      createAppUpdater({
        api: a,
        quit,
        logger,
        version: '0.1.0',
        isPackaged: true,
        platform: 'linux',
        resourcesPath: resources,
        env: {},
        loadUpdater: () => updater as unknown as AppUpdater,
      }),
    ...overrides,
  });
}

async function started(): Promise<DesktopApp<FakeCore, DevMeshApi>> {
  const desktop = makeApp();
  expect(desktop.run()).toBe(true);
  await desktop.whenStarted();
  return desktop;
}

beforeEach(() => {
  resetFake();
  dir = mkdtempSync(join(tmpdir(), 'devmesh-update-'));
  resources = join(dir, 'resources');
  mkdirSync(resources);
  // what electron-builder writes from electron-builder.yml's `publish:`
  writeFileSync(
    join(resources, 'app-update.yml'),
    'provider: generic\nurl: https://releases.example.com/devmesh\nupdaterCacheDirName: devmesh-updater\n',
  );
  // installed from the deb (its target writes this file; an AppImage has $APPIMAGE instead)
  writeFileSync(join(resources, 'package-type'), 'deb');
  home = new DevMeshHome(join(dir, 'home'));
  home.ensure();
  core = new FakeCore('shop', ['api', 'web', 'worker', 'docs']);
  core.dispose = async () => {
    core.disposed = true;
    steps.push('services stopped');
  };
  api = null;
  steps = [];
  updater = new FakeElectronUpdater();
  locks = [];
  fake.app.exit.mockImplementation(() => void steps.push('exit'));
});
afterEach(() => {
  for (const lock of locks) lock.release();
  rmSync(dir, { recursive: true, force: true });
});

async function runningThree(): Promise<void> {
  await api!.call('projects.open', { root: '/work/shop' });
  for (const name of ['api', 'web', 'worker']) await api!.call('services.start', { name });
}

describe('the app updating itself', () => {
  it('checks once the window is up and downloads in the background, then says the update is ready', async () => {
    await started();
    await vi.waitFor(() => expect(Notification.instances).toHaveLength(1));
    expect(updater.windowsAtCheck).toBe(1);
    expect(updater.autoDownload).toBe(false); // the policy downloads, where it catches a failure
    expect(steps).toEqual(['check', 'download']);
    expect(Notification.instances[0]!.options.title).toBe('DevMesh 0.2.0 is ready');
    expect(dialog.showMessageBox).not.toHaveBeenCalled();
    expect(fake.app.exit).not.toHaveBeenCalled();
    // a dismissed notification is not the only way: the tray offers the restart too, and asks the same question
    const tray = Tray.instances[0]!;
    await vi.waitFor(() => expect(tray.menu!.items.map((i) => i.label)).toContain('Restart to Update to 0.2.0…'));
    dialog.showMessageBox.mockResolvedValueOnce({ response: 1 });
    tray.menu!.click('restart-to-update');
    await vi.waitFor(() => expect(dialog.showMessageBox).toHaveBeenCalledTimes(1));
    expect((dialog.showMessageBox.mock.calls[0]![0] as { message: string }).message).toBe(
      'Restart DevMesh to update to 0.2.0?',
    );
  });

  it('asks before restarting, naming the running services; yes stops them, then installs and restarts', async () => {
    await started();
    await runningThree();
    await vi.waitFor(() => expect(Notification.instances).toHaveLength(1));
    dialog.showMessageBox.mockResolvedValueOnce({ response: 0 });
    Notification.instances[0]!.emit('click');
    await vi.waitFor(() => expect(fake.app.exit).toHaveBeenCalledWith(0));
    const question = dialog.showMessageBox.mock.calls[0]![0] as { message: string; detail: string; buttons: string[] };
    expect(question.message).toBe('Restart DevMesh to update to 0.2.0?');
    expect(question.detail).toContain('3 services will stop: api, web, worker.');
    expect(question.buttons).toEqual(['Stop 3 Services and Restart', 'Later']);
    expect(steps).toEqual([
      'check',
      'download',
      'services stopped',
      'close server',
      'quitAndInstall silent=true runAfter=true',
      'exit',
    ]);
    expect(Tray.instances[0]!.destroyed).toBe(true);
  });

  it('Later restarts nothing; the update installs when the user quits, after the services stopped', async () => {
    const desktop = await started();
    await runningThree();
    await vi.waitFor(() => expect(Notification.instances).toHaveLength(1));
    dialog.showMessageBox.mockResolvedValueOnce({ response: 1 });
    Notification.instances[0]!.emit('click');
    await vi.waitFor(() => expect(dialog.showMessageBox).toHaveBeenCalledTimes(1));
    await new Promise((r) => setTimeout(r, 20));
    expect(fake.app.exit).not.toHaveBeenCalled();
    expect(core.services.get('web')!.state).toBe('healthy');
    await desktop.quit();
    expect(steps).toEqual([
      'check',
      'download',
      'services stopped',
      'close server',
      'install silent=true runAfter=false',
      'exit',
    ]);
  });

  it('no updater without a feed: the placeholder release URL of electron-builder.yml turns updates off', async () => {
    writeFileSync(
      join(resources, 'app-update.yml'),
      'provider: generic\nurl: https://releases.devmesh.invalid/desktop\n',
    );
    const desktop = await started();
    await new Promise((r) => setTimeout(r, 20));
    expect(steps).toEqual([]);
    await desktop.quit();
    expect(steps).toEqual(['services stopped', 'close server', 'exit']);
  });

  it('no updater where electron-updater could not install: neither an AppImage nor a package on Linux', async () => {
    rmSync(join(resources, 'package-type'));
    const desktop = await started();
    await new Promise((r) => setTimeout(r, 20));
    expect(steps).toEqual([]);
    await desktop.quit();
  });
});
