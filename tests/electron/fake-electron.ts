// A hand-made fake of the electron APIs DevMesh's main process and preload use, for
// `vi.mock('electron', () => import('./fake-electron.js'))`. It records what the code under test asked for
// (windows and their options, IPC handlers, tray menus, notifications) and lets a test play the user or
// the OS (close a window, click a menu item, send an IPC message from some frame). `resetFake()` between tests.
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';
import { FakeEvent, FakeFrame, FakeWebContents, MessageChannelMain } from './fake-web-contents.js';

export * from './fake-web-contents.js';

type Listener = (...args: any[]) => unknown;

export class BrowserWindow extends EventEmitter {
  static readonly instances: BrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  loadedFile: string | null = null;
  loadedUrl: string | null = null;
  visible = false;
  focused = false;
  minimized = false;
  private destroyed = false;
  constructor(public readonly options: Record<string, any>) {
    super();
    BrowserWindow.instances.push(this);
  }
  static getAllWindows(): BrowserWindow[] {
    return BrowserWindow.instances.filter((w) => !w.isDestroyed());
  }
  async loadFile(path: string): Promise<void> {
    this.loadedFile = path;
    this.webContents.mainFrame = new FakeFrame(new URL(`file://${path}`).href);
  }
  async loadURL(url: string): Promise<void> {
    this.loadedUrl = url;
    this.webContents.mainFrame = new FakeFrame(url);
  }
  show(): void {
    this.visible = true;
  }
  focus(): void {
    this.focused = true;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  restore(): void {
    this.minimized = false;
  }
  /** To the taskbar (or dock): the window lives on and a click on its entry restores it. */
  minimize(): void {
    this.minimized = true;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** Plays the user closing the window (the default close destroys it, as in Electron). */
  close(): void {
    const event = new FakeEvent();
    this.emit('close', event);
    if (!event.defaultPrevented) this.destroy();
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.visible = false;
    this.webContents.destroy();
    this.emit('closed');
    // Electron quits when the last window closes, unless the app listens to 'window-all-closed'.
    if (BrowserWindow.getAllWindows().length === 0) {
      if (app.listenerCount('window-all-closed') > 0) app.emit('window-all-closed');
      else app.quit();
    }
  }
}

class FakeApp extends EventEmitter {
  gotLock = true;
  ready = Promise.resolve();
  isPackaged = false;
  /** what getLoginItemSettings answers (a test plays the OS by changing it) */
  loginItem = {
    openAtLogin: false,
    wasOpenedAtLogin: false,
    args: [] as string[],
    status: 'not-registered' as string,
  };
  /** the settings the app last passed to setLoginItemSettings */
  loginItemSet: Record<string, unknown> | null = null;
  readonly quit = vi.fn();
  readonly exit = vi.fn();
  readonly enableSandbox = vi.fn();
  readonly setAppUserModelId = vi.fn();
  requestSingleInstanceLock(): boolean {
    return this.gotLock;
  }
  whenReady(): Promise<void> {
    return this.ready;
  }
  getVersion(): string {
    return '0.1.0';
  }
  getAppPath(): string {
    return '/app';
  }
  setLoginItemSettings(settings: { openAtLogin: boolean; args?: string[] }): void {
    this.loginItemSet = { ...settings };
    this.loginItem = {
      ...this.loginItem,
      openAtLogin: settings.openAtLogin,
      args: settings.args ?? [],
      status: settings.openAtLogin ? 'enabled' : 'not-registered',
    };
  }
  getLoginItemSettings(_options?: unknown): FakeApp['loginItem'] {
    return this.loginItem;
  }
}
export let app = new FakeApp();

export interface FakeMenuItem {
  id?: string;
  label?: string;
  type?: string;
  role?: string;
  accelerator?: string;
  checked?: boolean;
  enabled?: boolean;
  submenu?: FakeMenuItem[];
  click?: (item: FakeMenuItem) => void;
}
export class FakeMenu {
  constructor(readonly items: FakeMenuItem[]) {}
  item(id: string): FakeMenuItem {
    const found = this.items.find((i) => i.id === id);
    if (!found) throw new Error(`no menu item ${id} in ${this.items.map((i) => i.id ?? i.label).join(', ')}`);
    return found;
  }
  /** Plays a click: like Electron, a checkbox flips before its handler runs. */
  click(id: string): void {
    const item = this.item(id);
    if (item.type === 'checkbox') item.checked = !item.checked;
    item.click?.(item);
  }
}
export const Menu = {
  buildFromTemplate: (template: FakeMenuItem[]) => new FakeMenu(template.map((i) => ({ ...i }))),
  /** what the app set as its application menu (null: none; Electron's default is never set here) */
  applicationMenu: null as FakeMenu | null,
  setApplicationMenu(menu: FakeMenu | null): void {
    Menu.applicationMenu = menu;
  },
};

export class Tray extends EventEmitter {
  static readonly instances: Tray[] = [];
  menu: FakeMenu | null = null;
  tooltip = '';
  destroyed = false;
  constructor(readonly image: unknown) {
    super();
    Tray.instances.push(this);
  }
  setContextMenu(menu: FakeMenu): void {
    this.menu = menu;
  }
  setToolTip(text: string): void {
    this.tooltip = text;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

/** Electron's protocol module (the default session's): privileged schemes and the handlers that serve them. */
class FakeProtocol {
  readonly privileged: Array<{ scheme: string; privileges?: Record<string, boolean> }> = [];
  readonly handlers = new Map<string, (request: Request) => Response | Promise<Response>>();
  registerSchemesAsPrivileged(schemes: Array<{ scheme: string; privileges?: Record<string, boolean> }>): void {
    // Electron: once, before 'ready'
    if (this.privileged.length > 0) throw new Error('registerSchemesAsPrivileged can only be called once');
    this.privileged.push(...schemes);
  }
  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void {
    if (this.handlers.has(scheme)) throw new Error(`The scheme ${scheme} is already handled`);
    this.handlers.set(scheme, handler);
  }
  unhandle(scheme: string): void {
    this.handlers.delete(scheme);
  }
  isProtocolHandled(scheme: string): boolean {
    return this.handlers.has(scheme);
  }
  /** Plays the renderer fetching `url` (a page load, a script, an image). */
  async fetch(url: string, init?: RequestInit): Promise<Response> {
    const scheme = new URL(url).protocol.slice(0, -1);
    const handler = this.handlers.get(scheme);
    if (!handler) throw new Error(`net::ERR_UNKNOWN_URL_SCHEME: ${url}`);
    return handler(new Request(url, init));
  }
}
export let protocol = new FakeProtocol();

export const nativeImage = { createFromPath: (path: string) => ({ path, isEmpty: () => false }) };

export const shell = { openExternal: vi.fn(async (_url: string) => {}) };

export class Notification extends EventEmitter {
  static readonly instances: Notification[] = [];
  static supported = true;
  shown = false;
  constructor(readonly options: { title: string; body: string }) {
    super();
    Notification.instances.push(this);
  }
  static isSupported(): boolean {
    return Notification.supported;
  }
  show(): void {
    this.shown = true;
  }
  close(): void {
    this.emit('close');
  }
}

export const dialog = {
  showOpenDialog: vi.fn(async (_options: unknown) => ({ canceled: true, filePaths: [] as string[] })),
  showErrorBox: vi.fn((_title: string, _content: string) => {}),
  showMessageBox: vi.fn(async (_options: unknown) => ({ response: 0 })),
};

interface PermissionDetails {
  requestingUrl: string;
  isMainFrame: boolean;
}
class FakeSession {
  headersListener: ((details: any, callback: (response: any) => void) => void) | null = null;
  permissionRequestHandler:
    | ((wc: unknown, permission: string, callback: (granted: boolean) => void, details: PermissionDetails) => void)
    | null = null;
  permissionCheckHandler:
    | ((wc: unknown, permission: string, requestingOrigin: string, details: Partial<PermissionDetails>) => boolean)
    | null = null;
  readonly webRequest = {
    onHeadersReceived: (listener: (details: any, callback: (response: any) => void) => void) => {
      this.headersListener = listener;
    },
  };
  setPermissionRequestHandler(handler: FakeSession['permissionRequestHandler']): void {
    this.permissionRequestHandler = handler;
  }
  setPermissionCheckHandler(handler: FakeSession['permissionCheckHandler']): void {
    this.permissionCheckHandler = handler;
  }
}
export const session = { defaultSession: new FakeSession() };

class FakeIpcMain {
  readonly handlers = new Map<string, Listener>();
  handle(channel: string, handler: Listener): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  /** Plays ipcRenderer.invoke from a frame of some webContents. */
  async invoke(
    channel: string,
    from: { sender: FakeWebContents; senderFrame?: FakeFrame | null },
    ...args: unknown[]
  ): Promise<any> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    const senderFrame = from.senderFrame === undefined ? from.sender.mainFrame : from.senderFrame;
    return handler({ sender: from.sender, senderFrame }, ...args);
  }
}
export let ipcMain = new FakeIpcMain();

export const contextBridge = {
  exposed: new Map<string, any>(),
  exposeInMainWorld: vi.fn((key: string, api: unknown) => contextBridge.exposed.set(key, api)),
};

class FakeIpcRenderer extends EventEmitter {
  readonly invoke = vi.fn(async (_channel: string, ..._args: unknown[]): Promise<unknown> => ({
    ok: true,
    value: null,
  }));
  readonly send = vi.fn();
}
export const ipcRenderer = new FakeIpcRenderer();

/** Fresh state for the next test. */
export function resetFake(): void {
  app = new FakeApp();
  ipcMain = new FakeIpcMain();
  BrowserWindow.instances.length = 0;
  MessageChannelMain.instances.length = 0;
  Tray.instances.length = 0;
  Menu.applicationMenu = null;
  Notification.instances.length = 0;
  Notification.supported = true;
  session.defaultSession = new FakeSession();
  protocol = new FakeProtocol();
  shell.openExternal.mockClear();
  dialog.showOpenDialog.mockReset();
  dialog.showOpenDialog.mockResolvedValue({ canceled: true, filePaths: [] });
  dialog.showErrorBox.mockClear();
  dialog.showMessageBox.mockClear();
}
