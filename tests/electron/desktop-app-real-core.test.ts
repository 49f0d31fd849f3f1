// The desktop app over the real core: a temp DEVMESH_HOME, a tiny project whose service is a real Node HTTP
// server, the real DevMeshApi and ApiServer (on a free port). Only electron is faked. Checks what a user
// relies on: the window's IPC starts a real process and rejects bad input, the tray shows it running,
// closing the window leaves it running, and Quit stops it and removes the daemon record.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fake-electron.js'));

import * as fake from './fake-electron.js';
import { BrowserWindow, ipcMain, resetFake, Tray } from './fake-electron.js';
import { ApiServer } from '../../main/api/api-server.js';
import { DevMeshApi } from '../../main/api/devmesh-api.js';
import { DevMeshCore } from '../../main/core/devmesh-core.js';
import { DevMeshHome } from '../../main/core/home/devmesh-home.js';
import { HomeLock } from '../../main/core/home/home-lock.js';
import { AppStateStore } from '../../main/electron/app-state-store.js';
import { DesktopApp } from '../../main/electron/desktop-app.js';
import { IPC_STREAM, IPC_SUBSCRIBE, ipcCallChannel } from '../../shared/bridge.js';
import type { ServiceInfo } from '../../shared/service.js';

const logger = pino({ level: 'silent' });
let dir: string;
let home: DevMeshHome;
let core: DevMeshCore | null;
let desktop: DesktopApp<DevMeshCore, DevMeshApi>;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeEach(async () => {
  resetFake();
  dir = mkdtempSync(join(tmpdir(), 'devmesh-app-core-'));
  const project = join(dir, 'shop');
  mkdirSync(project);
  writeFileSync(
    join(project, 'server.js'),
    "require('http').createServer((q, r) => r.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');\n" +
      "process.on('SIGTERM', () => process.exit(0));\n",
  );
  writeFileSync(
    join(project, 'devmesh.yaml'),
    [
      'project: shop',
      'services:',
      '  web:',
      '    version: 1.4.0',
      `    command: ${JSON.stringify(`'${process.execPath}' server.js`)}`,
      '    autostart: false',
      '    health: { http: /, interval: 100ms }',
      '    stop_timeout: 3s',
      '',
    ].join('\n'),
  );
  home = new DevMeshHome(join(dir, 'home'));
  home.ensure();
  const state = new AppStateStore(home.dir);
  state.addRecentProject(project);
  core = null;
  desktop = new DesktopApp<DevMeshCore, DevMeshApi>({
    home,
    version: '0.1.0-test',
    logger,
    state,
    loginItem: { set: () => null, reconcile: (wanted) => wanted, launchedHidden: () => false },
    window: { preloadPath: join(dir, 'preload.js'), indexHtmlPath: join(dir, 'renderer', 'index.html') },
    trayIconPath: join(dir, 'tray.png'),
    lockHome: () => HomeLock.acquire(home, 'electron'),
    openCore: async () => (core = await DevMeshCore.open({ home, version: '0.1.0-test', logger })),
    createApi: (c, face) => new DevMeshApi(c, face),
    createServer: (api, token) => new ApiServer({ api, token, port: 0, host: '127.0.0.1', rendererDir: null, logger }),
  });
  desktop.run();
  await desktop.whenStarted();
});

afterEach(async () => {
  await desktop.quit();
  await core?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const contents = () => BrowserWindow.instances[0]!.webContents;
const invoke = (method: Parameters<typeof ipcCallChannel>[0], input: unknown) =>
  ipcMain.invoke(ipcCallChannel(method), { sender: contents() }, input);

describe('DesktopApp over the real core', () => {
  it('serves the window over IPC: bad input is BAD_REQUEST, a start runs a real process and streams its state', async () => {
    await vi.waitFor(async () => expect((await invoke('projects.list', {})).value).toHaveLength(1), {
      timeout: 10_000,
    });
    expect(await invoke('services.start', { name: 'web', wait: 'yes' })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    expect(await invoke('services.start', { name: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'SERVICE_NOT_FOUND' },
    });

    expect(await ipcMain.invoke(IPC_SUBSCRIBE, { sender: contents() }, 1, 'events', {})).toMatchObject({ ok: true });
    const started = await invoke('services.start', { name: 'web', wait: true });
    expect(started).toMatchObject({ ok: true, value: { name: 'web', state: 'healthy' } });
    const pid = (started.value as ServiceInfo).pid!;
    expect(alive(pid)).toBe(true);
    const states = contents()
      .sent.filter((m) => m.channel === IPC_STREAM && m.args[0] === 1)
      .map((m) => (m.args[1] as { type: string; to?: string }).to);
    expect(states).toContain('healthy');

    // the tray shows it running; closing the window leaves it running
    await vi.waitFor(() =>
      expect(Tray.instances[0]!.menu!.item('service:shop/web')).toMatchObject({
        checked: true,
        label: expect.stringContaining('web 1.4.0 — healthy'),
      }),
    );
    BrowserWindow.instances[0]!.close();
    expect(fake.app.quit).not.toHaveBeenCalled();
    expect(alive(pid)).toBe(true);

    // Quit stops the service, closes the API and removes the daemon record
    expect(home.readDaemonRecord()).toMatchObject({ face: 'electron', pid: process.pid });
    Tray.instances[0]!.menu!.click('quit');
    await vi.waitFor(() => expect(fake.app.exit).toHaveBeenCalledWith(0), { timeout: 10_000 });
    await vi.waitFor(() => expect(alive(pid)).toBe(false), { timeout: 5_000 });
    expect(home.readDaemonRecord()).toBeNull();
  });

  it('the tray toggles a real service through the API', async () => {
    await vi.waitFor(
      () => expect(Tray.instances[0]!.menu!.item('service:shop/web')).toMatchObject({ checked: false }),
      { timeout: 10_000 },
    );
    Tray.instances[0]!.menu!.click('service:shop/web');
    await vi.waitFor(() => expect(Tray.instances[0]!.menu!.item('service:shop/web').label).toContain('healthy'), {
      timeout: 10_000,
    });
    Tray.instances[0]!.menu!.click('service:shop/web');
    await vi.waitFor(() => expect(Tray.instances[0]!.menu!.item('service:shop/web').label).toContain('stopped'), {
      timeout: 10_000,
    });
  });
});
