// The app's life as a user sees it: one instance, the window can close while DevMesh stays in the tray with
// its services running, Quit stops everything, and a second DevMesh refuses to start with a clear message.
import { mkdirSync, mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fake-electron.js'));

import * as fake from './fake-electron.js';
import { BrowserWindow, dialog, resetFake, Tray } from './fake-electron.js';
import { FakeCore } from './fake-core.js';
import { DevMeshApi } from '../../main/api/devmesh-api.js';
import type { DevMeshCore } from '../../main/core/devmesh-core.js';
import { DevMeshHome } from '../../main/core/home/devmesh-home.js';
import { HomeLock } from '../../main/core/home/home-lock.js';
import { AppStateStore } from '../../main/electron/app-state-store.js';
import { DesktopApp, type DesktopAppDeps } from '../../main/electron/desktop-app.js';
import { LoginItem } from '../../main/electron/login-item.js';
import { DevMeshError } from '../../shared/errors.js';
import { writeProject } from '../api/test-project.js';
import { CliHarness, ensureCliBuilt } from '../cli/cli-harness.js';
import { scaled } from '../helpers/load-scale.js';

let dir: string;
let home: DevMeshHome;
let core: FakeCore;
let steps: string[];
let api: DevMeshApi | null;
let listenError: Error | null;
let locks: HomeLock[];

function makeApp(overrides: Partial<DesktopAppDeps<FakeCore, DevMeshApi>> = {}): DesktopApp<FakeCore, DevMeshApi> {
  return new DesktopApp<FakeCore, DevMeshApi>({
    home,
    version: '0.1.0',
    logger: { info: () => {}, warn: () => {}, error: () => {} },
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
    openCore: async () => {
      steps.push('open core');
      return core;
    },
    createApi: (c, face) => (api = new DevMeshApi(c as unknown as DevMeshCore, face)),
    createServer: () => ({
      listen: async () => {
        if (listenError) throw listenError;
        steps.push('listen');
        return { port: 7780, url: 'http://127.0.0.1:7780/' };
      },
      close: async () => void steps.push('close server'),
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
const trayMenu = () => Tray.instances[0]!.menu!;
const visibleWindows = () => BrowserWindow.getAllWindows().filter((w) => w.visible);

beforeEach(() => {
  resetFake();
  dir = mkdtempSync(join(tmpdir(), 'devmesh-app-'));
  home = new DevMeshHome(join(dir, 'home'));
  home.ensure();
  core = new FakeCore();
  core.dispose = async () => {
    core.disposed = true;
    steps.push('dispose core');
  };
  steps = [];
  api = null;
  listenError = null;
  locks = [];
});
afterEach(() => {
  for (const lock of locks) lock.release();
  rmSync(dir, { recursive: true, force: true });
});

describe('DesktopApp', () => {
  it('starts the core, the API server, the daemon record, the tray and the window', async () => {
    await started();
    expect(steps).toEqual(['open core', 'listen']);
    expect(home.readDaemonRecord()).toMatchObject({
      pid: process.pid,
      port: 7780,
      url: 'http://127.0.0.1:7780/',
      face: 'electron',
    });
    expect(Tray.instances).toHaveLength(1);
    expect(visibleWindows()).toHaveLength(1);
    const info = await api!.call('daemon.info', {});
    expect(info).toMatchObject({ ok: true, value: { face: 'electron', apiUrl: 'http://127.0.0.1:7780/' } });
  });

  it('a second launch quits at once, and the first one shows its window', async () => {
    const second = makeApp();
    fake.app.gotLock = false;
    expect(second.run()).toBe(false);
    expect(fake.app.quit).toHaveBeenCalled();
    expect(steps).toEqual([]);

    resetFake();
    await started();
    BrowserWindow.instances[0]!.close();
    expect(visibleWindows()).toHaveLength(0);
    fake.app.emit('second-instance', {}, ['devmesh'], '/');
    expect(visibleWindows()).toHaveLength(1);
  });

  it('closing the window keeps DevMesh in the tray with its services running', async () => {
    await started();
    await api!.call('projects.open', { root: '/work/shop' });
    expect(await api!.call('services.start', { name: 'web' })).toMatchObject({ ok: true });
    BrowserWindow.instances[0]!.close();
    expect(fake.app.quit).not.toHaveBeenCalled();
    expect(fake.app.exit).not.toHaveBeenCalled();
    expect(core.disposed).toBe(false);
    expect(core.services.get('web')!.state).toBe('healthy');
    expect(Tray.instances[0]!.destroyed).toBe(false);
    trayMenu().click('open-window');
    expect(visibleWindows()).toHaveLength(1);
  });

  it('Quit in the tray stops the services, closes the API server, removes the daemon record, then exits', async () => {
    await started();
    trayMenu().click('quit');
    await vi.waitFor(() => expect(fake.app.exit).toHaveBeenCalledWith(0));
    expect(steps).toEqual(['open core', 'listen', 'dispose core', 'close server']);
    expect(home.readDaemonRecord()).toBeNull();
    expect(Tray.instances[0]!.destroyed).toBe(true);
    expect(BrowserWindow.getAllWindows()).toHaveLength(0);
  });

  it('a quit from the OS (Cmd+Q, logout) or `devmesh down` goes through the same shutdown', async () => {
    await started();
    const event = new fake.FakeEvent();
    fake.app.emit('before-quit', event);
    expect(event.defaultPrevented).toBe(true);
    await vi.waitFor(() => expect(fake.app.exit).toHaveBeenCalledTimes(1));
    expect(core.disposed).toBe(true);

    resetFake();
    steps = [];
    core = new FakeCore();
    await started();
    expect(await api!.call('daemon.shutdown', {})).toEqual({ ok: true, value: { stopping: true } });
    await vi.waitFor(() => expect(fake.app.exit).toHaveBeenCalledWith(0));
  });

  it('refuses to start, with a message naming `devmesh down`, when the API port is taken', async () => {
    listenError = new DevMeshError('PORT_BUSY', 'port 7780 on 127.0.0.1 is already in use');
    await started();
    expect(dialog.showErrorBox).toHaveBeenCalledWith(
      'DevMesh is already running',
      expect.stringContaining('devmesh down'),
    );
    expect(core.disposed).toBe(true);
    expect(fake.app.exit).toHaveBeenCalledWith(1);
    expect(Tray.instances).toHaveLength(0);
  });

  it('explains a native module that will not load in a dialog and the log, before the home or the core is touched', async () => {
    const logged: string[] = [];
    const desktop = makeApp({
      logger: {
        info: () => {},
        warn: () => {},
        error: (obj, msg) => void logged.push(`${msg}: ${(obj as { err: string }).err}`),
      },
      loadNativeModules: () => ({
        title: 'DevMesh cannot start: node-pty could not be loaded',
        message: 'node-pty needs glibc 2.38…',
      }),
    });
    expect(desktop.run()).toBe(true);
    await desktop.whenStarted();
    expect(dialog.showErrorBox).toHaveBeenCalledWith(
      'DevMesh cannot start: node-pty could not be loaded',
      'node-pty needs glibc 2.38…',
    );
    expect(logged).toEqual(['DevMesh cannot start: node-pty could not be loaded: node-pty needs glibc 2.38…']);
    expect(steps).not.toContain('open core');
    expect(locks).toHaveLength(0);
    expect(fake.app.exit).toHaveBeenCalledWith(1);
    expect(Tray.instances).toHaveLength(0);
  });

  it(
    'refuses to start, naming its pid and address, when a `devmesh up` runs on the home (its daemon.json gone); never opens the core',
    async () => {
      ensureCliBuilt();
      const project = join(dir, 'solo');
      mkdirSync(project);
      writeProject(project, 'solo', { api: {} });
      const cli = new CliHarness(home.dir, dir);
      const { daemon } = await cli.up(['--project', project], scaled(30_000));
      try {
        const record = home.readDaemonRecord()!;
        // the record is not what keeps a second DevMesh out: a cleanup script may have removed it
        rmSync(join(home.dir, 'daemon.json'));
        await started();
        expect(steps).toEqual([]);
        expect(dialog.showErrorBox).toHaveBeenCalledWith(
          'DevMesh is already running',
          expect.stringContaining(`pid ${daemon.child.pid}`),
        );
        expect(dialog.showErrorBox).toHaveBeenCalledWith(
          'DevMesh is already running',
          expect.stringContaining(record.url),
        );
        expect(fake.app.exit).toHaveBeenCalledWith(1);
        expect(daemon.child.exitCode).toBe(null);
      } finally {
        await daemon.stop('SIGTERM');
      }
      // once it is gone, the app starts
      resetFake();
      await started();
      expect(steps).toEqual(['open core', 'listen']);
    },
    scaled(90_000),
  );

  it('reopens the recent projects and forgets those whose devmesh.yaml is gone', async () => {
    const state = new AppStateStore(home.dir);
    state.addRecentProject('/work/missing');
    state.addRecentProject('/work/shop');
    await started();
    await vi.waitFor(() => expect(core.calls).toEqual(['projects.open /work/missing', 'projects.open /work/shop']));
    await vi.waitFor(() => expect(new AppStateStore(home.dir).recentProjects).toEqual(['/work/shop']));
    await vi.waitFor(() => expect(trayMenu().items[0]!.label).toBe('shop'));
  });

  it('Open Project… asks for a folder, opens it through the API and remembers it', async () => {
    await started();
    dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: ['/work/shop'] });
    trayMenu().click('open-project');
    await vi.waitFor(() => expect(core.calls).toContain('projects.open /work/shop'));
    await vi.waitFor(() => expect(new AppStateStore(home.dir).recentProjects).toEqual(['/work/shop']));
  });

  it("never lists a worktree's copy among the projects to reopen: it ends with its agent", async () => {
    await started();
    const root = '/work/shop/.devmesh/worktrees/fix/login';
    core.events.emit({
      type: 'project.opened',
      ts: Date.now(),
      project: {
        id: 'shop@fix-login',
        root,
        configPath: `${root}/devmesh.yaml`,
        services: ['web'],
        configError: null,
        worktree: { of: 'shop', branch: 'fix/login', label: 'fix-login', agentId: 'agent-1a2b3c4d' },
      },
    });
    await api!.call('projects.open', { root: '/work/shop' });
    await vi.waitFor(() => expect(new AppStateStore(home.dir).recentProjects).toEqual(['/work/shop']));
  });

  it('a project closed from any face leaves the recent list', async () => {
    await started();
    await api!.call('projects.open', { root: '/work/shop' });
    await api!.call('projects.close', { project: 'shop' });
    expect(new AppStateStore(home.dir).recentProjects).toEqual([]);
  });

  it('"Start at login" registers an autostart entry and is remembered', async () => {
    await started();
    trayMenu().click('start-at-login');
    const entry = join(dir, 'autostart', 'dev.devmesh.app.desktop');
    expect(readFileSync(entry, 'utf8')).toContain('Exec=/opt/DevMesh/devmesh --hidden');
    expect(new AppStateStore(home.dir).startAtLogin).toBe(true);
    await vi.waitFor(() => expect(trayMenu().item('start-at-login').checked).toBe(true));
    trayMenu().click('start-at-login');
    expect(existsSync(entry)).toBe(false);
    expect(new AppStateStore(home.dir).startAtLogin).toBe(false);
  });

  it('where the desktop shows no tray, closing the window minimizes it and says so once, across launches', async () => {
    const noTray = { trayPresence: async () => ({ available: false, reason: 'no org.kde.StatusNotifierWatcher' }) };
    const desktop = makeApp(noTray);
    desktop.run();
    await desktop.whenStarted();
    const window = BrowserWindow.instances[0]!;
    window.close();
    // still there, in the taskbar: DevMesh is never left running with nothing on screen
    expect(window.isDestroyed()).toBe(false);
    expect(window.minimized).toBe(true);
    expect(fake.app.quit).not.toHaveBeenCalled();
    const notices = () => fake.Notification.instances.map((n) => n.options.body);
    expect(notices()).toEqual([
      expect.stringMatching(/no tray icons.*minimizes DevMesh.*quit from the menu or `devmesh down`/),
    ]);
    window.restore();
    window.close();
    expect(notices()).toHaveLength(1);
    await desktop.quit();
    expect(new AppStateStore(home.dir).noTrayNoticeShown).toBe(true);

    resetFake();
    const again = makeApp(noTray);
    again.run();
    await again.whenStarted();
    BrowserWindow.instances[0]!.close();
    expect(BrowserWindow.instances[0]!.minimized).toBe(true);
    expect(fake.Notification.instances).toHaveLength(0);
  });

  it('with a tray, closing the window still hides DevMesh to the tray, without a notice', async () => {
    const desktop = makeApp({ trayPresence: async () => ({ available: true, reason: 'watcher with a host' }) });
    desktop.run();
    await desktop.whenStarted();
    BrowserWindow.instances[0]!.close();
    expect(BrowserWindow.instances[0]!.isDestroyed()).toBe(true);
    expect(fake.Notification.instances).toHaveLength(0);
  });

  it('a launch at login where no tray shows opens the window instead of running unseen', async () => {
    const desktop = makeApp({
      loginItem: { set: () => null, reconcile: (w) => w, launchedHidden: () => true },
      trayPresence: async () => ({ available: false, reason: 'no org.kde.StatusNotifierWatcher' }),
    });
    desktop.run();
    await desktop.whenStarted();
    expect(visibleWindows()).toHaveLength(1);
  });

  it('sets its own application menu at start, whose Quit stops the services and exits', async () => {
    await started();
    const menu = fake.Menu.applicationMenu!;
    expect(menu.items.map((i) => i.label)).toEqual(expect.arrayContaining(['Edit', 'View', 'Window']));
    const quit = menu.items.flatMap((i) => i.submenu ?? []).find((i) => i.id === 'quit')!;
    quit.click!(quit);
    await vi.waitFor(() => expect(fake.app.exit).toHaveBeenCalledWith(0));
    expect(core.disposed).toBe(true);
  });

  it('"Start at login" passes on what the OS asks of the user (macOS: approve it in System Settings)', async () => {
    const note = 'macOS asks you to allow DevMesh to open at login: System Settings → General → Login Items.';
    const desktop = makeApp({ loginItem: { set: () => note, reconcile: (w) => w, launchedHidden: () => false } });
    desktop.run();
    await desktop.whenStarted();
    await vi.waitFor(() => expect(Tray.instances[0]!.menu).not.toBeNull());
    trayMenu().click('start-at-login');
    expect(fake.Notification.instances.map((n) => n.options.body)).toEqual([note]);
    expect(new AppStateStore(home.dir).startAtLogin).toBe(true);
  });

  it('at start, "Start at login" follows what the OS says (turned off in System Settings)', async () => {
    new AppStateStore(home.dir).setStartAtLogin(true);
    const desktop = makeApp({ loginItem: { set: () => null, reconcile: () => false, launchedHidden: () => false } });
    desktop.run();
    await desktop.whenStarted();
    expect(new AppStateStore(home.dir).startAtLogin).toBe(false);
    await vi.waitFor(() => expect(trayMenu().item('start-at-login').checked).toBe(false));
  });

  it('a launch at login starts in the tray without opening the window', async () => {
    const desktop = makeApp({ loginItem: { set: () => null, reconcile: (w) => w, launchedHidden: () => true } });
    desktop.run();
    await desktop.whenStarted();
    expect(Tray.instances).toHaveLength(1);
    expect(visibleWindows()).toHaveLength(0);
  });
});
