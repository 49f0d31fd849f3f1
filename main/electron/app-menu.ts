// The application menu, DevMesh's own instead of Electron's default (which links to electronjs.org and
// offers Toggle Developer Tools in every build). Edit holds the standard roles, so Cmd+C / Cmd+V reach the
// page on macOS (there, copy and paste are menu commands: without an Edit menu they do nothing); View offers
// reload and the developer tools only in development (`app.isPackaged` false); Quit goes through the app's
// shutdown. On macOS the app menu also offers "Install the devmesh command…".
// Roles: https://www.electronjs.org/docs/latest/api/menu-item#roles
import { app, Menu, type MenuItemConstructorOptions } from 'electron';

export interface AppMenuActions {
  quit(): void;
  /** macOS: writes /usr/local/bin/devmesh (install-command.ts) */
  installCommand?(): void;
  /** the updater's hook: when given, "Check for Updates…" appears (macOS: app menu, elsewhere: Help) */
  checkForUpdates?(): void;
}

export interface AppMenuOptions {
  platform?: NodeJS.Platform;
  /** a release build: no reload, no developer tools */
  isPackaged?: boolean;
  appName?: string;
}

const SEPARATOR: MenuItemConstructorOptions = { type: 'separator' };

export function appMenuTemplate(actions: AppMenuActions, options: AppMenuOptions = {}): MenuItemConstructorOptions[] {
  const mac = (options.platform ?? process.platform) === 'darwin';
  const name = options.appName ?? 'DevMesh';
  const development = !(options.isPackaged ?? app.isPackaged);
  const quit: MenuItemConstructorOptions = {
    id: 'quit',
    label: mac ? `Quit ${name}` : 'Quit',
    accelerator: 'CmdOrCtrl+Q',
    click: () => actions.quit(),
  };
  const updates: MenuItemConstructorOptions[] = actions.checkForUpdates
    ? [{ id: 'check-for-updates', label: 'Check for Updates…', click: () => actions.checkForUpdates?.() }]
    : [];

  const menus: MenuItemConstructorOptions[] = [];
  if (mac) {
    menus.push({
      label: name,
      submenu: [
        { role: 'about' },
        ...updates,
        SEPARATOR,
        ...(actions.installCommand
          ? [{ id: 'install-command', label: 'Install the devmesh command…', click: () => actions.installCommand?.() }]
          : []),
        SEPARATOR,
        { role: 'services' },
        SEPARATOR,
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        SEPARATOR,
        quit,
      ],
    });
  } else {
    menus.push({ label: 'File', submenu: [quit] });
  }
  menus.push({
    label: 'Edit',
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      SEPARATOR,
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      { role: 'selectAll' },
    ],
  });
  menus.push({
    label: 'View',
    submenu: [
      ...(development ? [{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, SEPARATOR] : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      SEPARATOR,
      { role: 'togglefullscreen' },
    ] as MenuItemConstructorOptions[],
  });
  menus.push({
    label: 'Window',
    submenu: mac
      ? [{ role: 'minimize' }, { role: 'zoom' }, SEPARATOR, { role: 'front' }]
      : [{ role: 'minimize' }, { role: 'close' }],
  });
  // macOS keeps "Help" for its own search field; elsewhere Help holds About (and the updater's item).
  if (!mac) menus.push({ role: 'help', submenu: [...updates, { role: 'about' }] });
  return menus;
}

/** Sets the menu for the whole app (every window on Linux and Windows, the menu bar on macOS). */
export function setAppMenu(actions: AppMenuActions, options: AppMenuOptions = {}): void {
  Menu.setApplicationMenu(Menu.buildFromTemplate(appMenuTemplate(actions, options)));
}
