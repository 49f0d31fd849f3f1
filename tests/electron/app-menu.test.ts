// The application menu a user sees: Edit with the roles that make copy and paste work on macOS, Quit through
// the app's shutdown, and nothing of Electron's default menu (Toggle Developer Tools, electronjs.org links)
// in a release build.
import { beforeEach, describe, expect, it, vi, type Mock } from 'vitest';

vi.mock('electron', () => import('./fake-electron.js'));

import { dialog, Menu, resetFake, type FakeMenuItem } from './fake-electron.js';
import { appMenuTemplate, setAppMenu, type AppMenuActions } from '../../main/electron/app-menu.js';
import { installDevmeshCommand } from '../../main/electron/install-command.js';

let actions: { quit: Mock<() => void>; installCommand: Mock<() => void> };
beforeEach(() => {
  resetFake();
  actions = { quit: vi.fn<() => void>(), installCommand: vi.fn<() => void>() };
});

/** Every item, depth first, with the path of menu labels leading to it. */
function flatten(items: FakeMenuItem[], path: string[] = []): Array<FakeMenuItem & { path: string }> {
  return items.flatMap((item) => [
    { ...item, path: [...path, item.label ?? item.role ?? ''].join(' > ') },
    ...flatten(item.submenu ?? [], [...path, item.label ?? item.role ?? '']),
  ]);
}
const menu = (options: Parameters<typeof appMenuTemplate>[1], a: AppMenuActions = actions) =>
  appMenuTemplate(a, options) as FakeMenuItem[];
const submenu = (items: FakeMenuItem[], label: string) =>
  items.find((i) => i.label === label || i.role === label)?.submenu;
const roles = (items: FakeMenuItem[] | undefined) => (items ?? []).map((i) => i.role ?? i.type ?? i.id);

describe('the application menu', () => {
  for (const platform of ['darwin', 'linux', 'win32'] as const) {
    it(`on ${platform}, a release build: Edit roles for copy and paste, no developer tools, no electronjs.org`, () => {
      const items = menu({ platform, isPackaged: true });
      expect(roles(submenu(items, 'Edit'))).toEqual(['undo', 'redo', 'separator', 'cut', 'copy', 'paste', 'selectAll']);
      const all = flatten(items);
      expect(all.filter((i) => ['toggleDevTools', 'reload', 'forceReload'].includes(i.role ?? ''))).toEqual([]);
      // Electron's default Help menu: Learn More, Documentation, Community Discussions, Search Issues
      expect(
        all.filter((i) => /learn more|documentation|community|search issues|electron/i.test(i.label ?? '')),
      ).toEqual([]);
      const quit = all.find((i) => i.id === 'quit')!;
      expect(quit.accelerator).toBe('CmdOrCtrl+Q');
      quit.click!(quit);
      expect(actions.quit).toHaveBeenCalledTimes(1);
    });
  }

  it('in development, View offers reload and the developer tools', () => {
    expect(roles(submenu(menu({ platform: 'linux', isPackaged: false }), 'View'))).toEqual(
      expect.arrayContaining(['reload', 'forceReload', 'toggleDevTools']),
    );
  });

  it('on macOS, an app-name menu with About, "Install the devmesh command…" and Quit DevMesh', () => {
    const items = menu({ platform: 'darwin', isPackaged: true, appName: 'DevMesh' });
    expect(items[0]!.label).toBe('DevMesh');
    const app = items[0]!.submenu!;
    expect(app.map((i) => i.role ?? i.label ?? i.type)).toEqual(
      expect.arrayContaining(['about', 'Install the devmesh command…', 'Quit DevMesh']),
    );
    const install = app.find((i) => i.id === 'install-command')!;
    install.click!(install);
    expect(actions.installCommand).toHaveBeenCalledTimes(1);
    // and Linux / Windows have no such item: the deb installs the command there
    expect(flatten(menu({ platform: 'linux', isPackaged: true })).some((i) => i.id === 'install-command')).toBe(false);
  });

  it('offers "Check for Updates…" only when the updater gives its hook', () => {
    for (const platform of ['darwin', 'linux'] as const) {
      expect(flatten(menu({ platform, isPackaged: true })).some((i) => i.id === 'check-for-updates')).toBe(false);
      const check = vi.fn();
      const item = flatten(menu({ platform, isPackaged: true }, { ...actions, checkForUpdates: check })).find(
        (i) => i.id === 'check-for-updates',
      )!;
      expect(item.label).toBe('Check for Updates…');
      item.click!(item);
      expect(check).toHaveBeenCalledTimes(1);
    }
  });

  it('setAppMenu makes it the application menu', () => {
    setAppMenu(actions, { platform: 'linux', isPackaged: true });
    expect(Menu.applicationMenu!.items.map((i) => i.label)).toEqual(['File', 'Edit', 'View', 'Window', undefined]);
  });
});

describe('Install the devmesh command…', () => {
  const installer = (
    existing: 'absent' | 'ours' | 'other',
    install = vi.fn(async () => ({ path: '/usr/local/bin/devmesh', elevated: true })),
  ) => ({
    target: '/usr/local/bin/devmesh',
    existing: () => existing,
    install,
  });

  it('installs and says where, and how to try it', async () => {
    const i = installer('absent');
    await installDevmeshCommand(i);
    expect(i.install).toHaveBeenCalled();
    expect(dialog.showMessageBox).toHaveBeenCalledWith(
      expect.objectContaining({ detail: expect.stringContaining('devmesh status') }),
    );
  });

  it('asks before replacing a devmesh it did not write, and leaves it on Cancel', async () => {
    dialog.showMessageBox.mockResolvedValueOnce({ response: 1 });
    const i = installer('other');
    await installDevmeshCommand(i);
    expect(dialog.showMessageBox).toHaveBeenCalledWith(
      expect.objectContaining({ message: 'Replace /usr/local/bin/devmesh?' }),
    );
    expect(i.install).not.toHaveBeenCalled();
  });

  it('says nothing when the password prompt is dismissed, and why when the copy fails', async () => {
    await installDevmeshCommand(
      installer(
        'ours',
        vi.fn(async () => Promise.reject(Object.assign(new Error('canceled'), { canceled: true }))),
      ),
    );
    expect(dialog.showErrorBox).not.toHaveBeenCalled();
    await installDevmeshCommand(
      installer(
        'ours',
        vi.fn(async () => Promise.reject(new Error('Read-only file system'))),
      ),
    );
    expect(dialog.showErrorBox).toHaveBeenCalledWith(
      'Could not install the devmesh command',
      expect.stringContaining('Read-only file system'),
    );
  });
});
