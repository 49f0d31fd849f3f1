// The one DevMesh window, hardened along Electron's security checklist: sandboxed, context-isolated renderer
// without Node, a strict CSP, no new windows, no navigation away from the app's own page, no permissions.
// Closing it destroys it (the tray and the services keep running); focus() brings it back, created anew.
import { BrowserWindow, session, shell, type Event, type WebContents } from 'electron';
import { pathToFileURL } from 'node:url';

export interface MainWindowOptions {
  /** dist/preload/preload.js */
  preloadPath: string;
  /** dist/renderer/index.html */
  indexHtmlPath: string;
  /** the window icon (Linux and Windows) */
  iconPath?: string;
  /** asked when the user closes the window: 'minimize' keeps it in the taskbar (see close-policy.ts) */
  onCloseRequested?: () => 'close' | 'minimize';
}

export class MainWindow {
  /** Same policy as the page's meta tag: scripts only from the app itself, no network from the page. */
  static readonly CONTENT_SECURITY_POLICY = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');

  private window: BrowserWindow | null = null;
  private readonly appUrl: URL;
  private sessionHardened = false;

  constructor(private readonly options: MainWindowOptions) {
    this.appUrl = pathToFileURL(options.indexHtmlPath);
  }

  /** The live window's webContents, or null when the window is closed. */
  get webContents(): WebContents | null {
    const w = this.window;
    return w && !w.isDestroyed() ? w.webContents : null;
  }

  /** True for the app's own page (any #route or ?query of it), false for everything else. */
  isAppUrl(url: string): boolean {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return false;
    }
    return parsed.protocol === 'file:' && parsed.host === this.appUrl.host && parsed.pathname === this.appUrl.pathname;
  }

  /** Shows the window: creates it when closed, restores it when minimised, and brings it to the front. */
  focus(): void {
    const w = this.window && !this.window.isDestroyed() ? this.window : this.create();
    if (w.isMinimized()) w.restore();
    w.show();
    w.focus();
  }

  dispose(): void {
    const w = this.window;
    this.window = null;
    if (w && !w.isDestroyed()) w.destroy();
  }

  private create(): BrowserWindow {
    this.hardenSession();
    const w = new BrowserWindow({
      width: 1200,
      height: 800,
      minWidth: 720,
      minHeight: 480,
      show: false,
      title: 'DevMesh',
      backgroundColor: '#111827',
      ...(this.options.iconPath ? { icon: this.options.iconPath } : {}),
      webPreferences: {
        preload: this.options.preloadPath,
        sandbox: true,
        contextIsolation: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        webviewTag: false,
        spellcheck: false,
      },
    });
    this.window = w;
    const contents = w.webContents;
    contents.setWindowOpenHandler(({ url }) => {
      this.openExternally(url);
      return { action: 'deny' };
    });
    contents.on('will-navigate', (event: Event, url: string) => {
      if (this.isAppUrl(url)) return;
      event.preventDefault();
      this.openExternally(url);
    });
    contents.on('will-attach-webview', (event: Event) => event.preventDefault());
    w.once('ready-to-show', () => w.show());
    // Only the user's close asks: destroy() (quit, dispose) emits no 'close'.
    w.on('close', (event: Event) => {
      if (this.options.onCloseRequested?.() !== 'minimize') return;
      event.preventDefault();
      w.minimize();
    });
    w.on('closed', () => {
      if (this.window === w) this.window = null;
    });
    void w.loadFile(this.options.indexHtmlPath).catch((err: Error) => {
      process.emitWarning(`devmesh: could not load ${this.options.indexHtmlPath}: ${err.message}`);
    });
    return w;
  }

  /** Links the user clicks (http and https only) open in their browser, never inside the app. */
  private openExternally(url: string): void {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return;
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return;
    shell.openExternal(parsed.href).catch((err: Error) => {
      process.emitWarning(`devmesh: could not open ${parsed.href}: ${err.message}`);
    });
  }

  /** Once per process: CSP on every response and no permission (camera, notifications, …) for the page. */
  private hardenSession(): void {
    if (this.sessionHardened) return;
    this.sessionHardened = true;
    const s = session.defaultSession;
    s.webRequest.onHeadersReceived((details, callback) => {
      callback({
        responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [MainWindow.CONTENT_SECURITY_POLICY] },
      });
    });
    s.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
    s.setPermissionCheckHandler(() => false);
  }
}
