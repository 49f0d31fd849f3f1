// "Start at login": an XDG autostart entry on Linux (Electron has no login items there), the OS login item
// on macOS and Windows; a launch from it passes --hidden so DevMesh starts in the tray.
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

describe('LoginItem', () => {
  it('on Linux writes and removes an autostart entry whose Exec survives spaces and quotes in the path', () => {
    const item = new LoginItem({ platform: 'linux', command: ['/home/ada/My Apps/DevMesh "beta".AppImage'], autostartDir: join(dir, 'autostart') });
    item.set(true);
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
    const item = new LoginItem({ platform: 'linux', command: ['/opt/DevMesh/devmesh-app'], autostartDir: join(dir, 'autostart') });
    item.set(true);
    const entry = readFileSync(item.desktopEntryPath, 'utf8');
    expect(entry).toContain(`\nIcon=${builder.linux.executableName}\n`);
    expect(entry).toContain(`\nStartupWMClass=${pkg.desktopName.replace(/\.desktop$/, '')}\n`);
  });

  it('on macOS and Windows registers the OS login item with --hidden', () => {
    const item = new LoginItem({ platform: 'win32', command: ['C:\\DevMesh\\DevMesh.exe'] });
    item.set(true);
    expect(fake.app.loginItem).toMatchObject({ openAtLogin: true, args: ['--hidden'] });
    item.set(false);
    expect(fake.app.loginItem.openAtLogin).toBe(false);
  });

  it('knows a launch from the login item', () => {
    const linux = new LoginItem({ platform: 'linux', command: ['/opt/devmesh'] });
    expect(linux.launchedHidden(['/opt/devmesh', '--hidden'])).toBe(true);
    expect(linux.launchedHidden(['/opt/devmesh'])).toBe(false);
    fake.app.loginItem.wasOpenedAtLogin = true;
    expect(new LoginItem({ platform: 'darwin', command: ['/Applications/DevMesh.app'] }).launchedHidden(['x'])).toBe(true);
  });
});
