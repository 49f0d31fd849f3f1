// "Start at login", as each OS does it: an XDG autostart entry on Linux (Electron has no login items there),
// the Run key on Windows, the login item on macOS, where 13 (Ventura) and later register through SMAppService
// and ignore openAsHidden and args: there the launch's Apple event (app.getLoginItemSettings().wasOpenedAtLogin)
// is what says DevMesh was started at login and should start in the tray.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fake-electron.js'));

import * as fake from './fake-electron.js';
import { resetFake } from './fake-electron.js';
import { LoginItem } from '../../main/electron/login-item.js';

let dir: string;
beforeEach(() => {
  resetFake();
  dir = mkdtempSync(join(tmpdir(), 'devmesh-login-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

// os.release() on macOS is the Darwin version: Darwin 21 is macOS 12 (Monterey), Darwin 22 is macOS 13 (Ventura).
const monterey = () =>
  new LoginItem({
    platform: 'darwin',
    osRelease: '21.6.0',
    command: ['/Applications/DevMesh.app/Contents/MacOS/DevMesh'],
  });
const sonoma = () =>
  new LoginItem({
    platform: 'darwin',
    osRelease: '23.4.0',
    command: ['/Applications/DevMesh.app/Contents/MacOS/DevMesh'],
  });

describe('LoginItem on Linux', () => {
  it('writes and removes an autostart entry whose Exec survives spaces and quotes in the path', () => {
    const item = new LoginItem({
      platform: 'linux',
      command: ['/home/ada/My Apps/DevMesh "beta".AppImage'],
      autostartDir: join(dir, 'autostart'),
    });
    expect(item.set(true)).toBeNull();
    const entry = readFileSync(item.desktopEntryPath, 'utf8');
    expect(entry).toContain('[Desktop Entry]');
    expect(entry).toContain('Exec="/home/ada/My Apps/DevMesh \\"beta\\".AppImage" --hidden\n');
    item.set(false);
    expect(existsSync(item.desktopEntryPath)).toBe(false);
    expect(() => item.set(false)).not.toThrow();
  });

  it('on Linux names the icon the packages install and the window class of the app, as the launcher entry does', () => {
    // the deb and AppImage install the icon as <linux.executableName>; Electron's WM_CLASS is desktopName's stem
    const builder = parse(readFileSync(join(__dirname, '..', '..', 'electron-builder.yml'), 'utf8'));
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));
    const item = new LoginItem({
      platform: 'linux',
      command: ['/opt/DevMesh/devmesh-app'],
      autostartDir: join(dir, 'autostart'),
    });
    item.set(true);
    const entry = readFileSync(item.desktopEntryPath, 'utf8');
    expect(entry).toContain(`\nIcon=${builder.linux.executableName}\n`);
    expect(entry).toContain(`\nStartupWMClass=${pkg.desktopName.replace(/\.desktop$/, '')}\n`);
  });

  it('names the app as its launcher entry does: the installed icon and the window class', () => {
    const item = new LoginItem({
      platform: 'linux',
      command: ['/opt/DevMesh/devmesh-app'],
      autostartDir: join(dir, 'autostart'),
    });
    item.set(true);
    const entry = readFileSync(item.desktopEntryPath, 'utf8');
    expect(entry).toMatch(/^Name=DevMesh$/m);
    // electron-builder installs the icon under the executable's name (linux.executableName) and the
    // launcher entry has StartupWMClass=dev.devmesh.app: the autostart entry must say the same to look like the app
    expect(entry).toMatch(/^Icon=devmesh-app$/m);
    expect(entry).toMatch(/^StartupWMClass=dev\.devmesh\.app$/m);
  });

  it('knows a launch from the autostart entry by --hidden', () => {
    const linux = new LoginItem({ platform: 'linux', command: ['/opt/devmesh'] });
    expect(linux.launchedHidden(['/opt/devmesh', '--hidden'])).toBe(true);
    expect(linux.launchedHidden(['/opt/devmesh'])).toBe(false);
  });
});

describe('LoginItem on Windows', () => {
  it('registers the executable with --hidden, and knows a launch from it', () => {
    const item = new LoginItem({ platform: 'win32', command: ['C:\\Program Files\\DevMesh\\DevMesh.exe'] });
    item.set(true);
    expect(fake.app.loginItemSet).toEqual({
      openAtLogin: true,
      path: 'C:\\Program Files\\DevMesh\\DevMesh.exe',
      args: ['--hidden'],
    });
    expect(item.launchedHidden(['DevMesh.exe', '--hidden'])).toBe(true);
    expect(item.launchedHidden(['DevMesh.exe'])).toBe(false);
    item.set(false);
    expect(fake.app.loginItem.openAtLogin).toBe(false);
  });
});

describe('LoginItem on macOS 12', () => {
  it('registers a LaunchServices login item and starts in the tray when launched from it', () => {
    monterey().set(true);
    expect(fake.app.loginItemSet).toEqual({ openAtLogin: true });
    fake.app.loginItem.wasOpenedAtLogin = true;
    expect(monterey().launchedHidden(['DevMesh'])).toBe(true);
    fake.app.loginItem.wasOpenedAtLogin = false;
    expect(monterey().launchedHidden(['DevMesh'])).toBe(false);
  });
});

describe('LoginItem on macOS 13 and later', () => {
  it('registers the app through SMAppService (mainAppService), without the options macOS 13 ignores', () => {
    expect(sonoma().set(true)).toBeNull();
    expect(fake.app.loginItemSet).toEqual({ openAtLogin: true, type: 'mainAppService' });
    sonoma().set(false);
    expect(fake.app.loginItemSet).toEqual({ openAtLogin: false, type: 'mainAppService' });
  });

  it('starts in the tray when the launch came from the login item (wasOpenedAtLogin), not otherwise', () => {
    fake.app.loginItem.wasOpenedAtLogin = true; // from the launch's Apple event
    expect(sonoma().launchedHidden(['DevMesh'])).toBe(true);
    fake.app.loginItem.wasOpenedAtLogin = false;
    expect(sonoma().launchedHidden(['DevMesh'])).toBe(false);
  });

  it('tells the user when macOS wants the login item approved in System Settings', () => {
    const item = sonoma();
    vi.spyOn(fake.app, 'getLoginItemSettings').mockReturnValue({ ...fake.app.loginItem, status: 'requires-approval' });
    expect(item.set(true)).toMatch(/System Settings.*Login Items/);
  });

  it('follows the user turning DevMesh off in System Settings instead of registering it again at start', () => {
    const item = sonoma();
    fake.app.loginItem.openAtLogin = false;
    fake.app.loginItem.status = 'not-registered';
    expect(item.reconcile(true)).toBe(false);
    expect(fake.app.loginItemSet).toBeNull();
    fake.app.loginItem.status = 'enabled';
    fake.app.loginItem.openAtLogin = true;
    expect(item.reconcile(false)).toBe(true);
  });
});

describe('LoginItem at start on Linux and Windows', () => {
  it('registers again what was chosen (the executable may have moved with an update)', () => {
    const item = new LoginItem({
      platform: 'linux',
      command: ['/opt/DevMesh/devmesh-app'],
      autostartDir: join(dir, 'autostart'),
    });
    expect(item.reconcile(true)).toBe(true);
    expect(existsSync(item.desktopEntryPath)).toBe(true);
    expect(item.reconcile(false)).toBe(false);
  });
});
