// The one DevMesh window, hardened along Electron's security checklist: sandboxed, context-isolated renderer
// without Node, its page from the app's own app:// origin with the app's one CSP (app-protocol.ts), no new
// windows, no navigation away from that page, and no permission but clipboard writes for that page.
// Closing it destroys it (the tray and the services keep running); focus() brings it back, created anew,
// until dispose() (the app is quitting): then nothing brings it back. A page that crashes or hangs is
// reloaded (renderer-recovery.ts).
import { BrowserWindow, session, shell } from 'electron';
import type { Event, WebContents, WebContentsWillNavigateEventParams } from 'electron';
import { dirname } from 'node:path';
import { APP_HOST, APP_PAGE_URL, APP_SCHEME, AppProtocol } from './app-protocol.js';
import { RendererRecovery, type RendererRecoveryDeps, type RendererRecoveryLimits } from './renderer-recovery.js';
import type { Disposable } from '../core/base/disposable.js';

/** The files the window shows (the app gives them; tests point them anywhere). */
export interface MainWindowFiles {
  /** dist/preload/preload.js */
  preloadPath: string;
  /** dist/renderer/index.html: its folder is what app://devmesh/ serves */
  indexHtmlPath: string;
  /** the window icon (Linux and Windows) */
  iconPath?: string;
}

/**
 * What the window is built from: its files, the close policy, and where its notes go (the log, and the user
 * through the app's notification; silent when left out).
 */
export interface MainWindowDeps extends MainWindowFiles {
  /** asked when the user closes the window: 'minimize' keeps it in the taskbar (see close-policy.ts) */
  onCloseRequested?: () => 'close' | 'minimize';
  logger?: RendererRecoveryDeps['logger'];
  tell?(title: string, message: string): void;
  recoveryLimits?: Partial<RendererRecoveryLimits>;
}

/**
 * What the page may use: navigator.clipboard.writeText, the terminals' copy (on select and Ctrl-Shift-C,
 * renderer/terminals/terminal-registry.ts), asks Chromium for 'clipboard-sanitized-write'. Paste needs no
 * permission (the browser's own paste event, which xterm.js turns into input).
 */
const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

const SILENT_LOGGER: RendererRecoveryDeps['logger'] = { info: () => {}, warn: () => {}, error: () => {} };

export class MainWindow {
  private window: BrowserWindow | null = null;
  private watching: Disposable | null = null;
  private sessionHardened = false;
  private disposed = false;
  private readonly recovery: RendererRecovery;
  private readonly logger: RendererRecoveryDeps['logger'];

  constructor(private readonly deps: MainWindowDeps) {
    this.logger = deps.logger ?? SILENT_LOGGER;
    this.recovery = new RendererRecovery(
      { logger: this.logger, tell: (title, message) => deps.tell?.(title, message), giveUp: () => this.closeWindow() },
      deps.recoveryLimits,
    );
  }

  /** The live window's webContents, or null when the window is closed. */
  get webContents(): WebContents | null {
    const w = this.window;
    return w && !w.isDestroyed() ? w.webContents : null;
  }

  /** True for the app's own page, app://devmesh/index.html (any #view or ?query of it), false for everything else. */
  isAppUrl(url: string): boolean {
    const parsed = MainWindow.parse(url);
    if (parsed === null || !MainWindow.isAppOrigin(parsed)) return false;
    return parsed.pathname === '/index.html' || parsed.pathname === '/';
  }

  /** Shows the window: creates it when closed, restores it when minimised, and brings it to the front.
   *  Does nothing once disposed: no window may come back while the app quits. */
  focus(): void {
    if (this.disposed) return;
    const w = this.window && !this.window.isDestroyed() ? this.window : this.create();
    if (w.isMinimized()) w.restore();
    w.show();
    w.focus();
  }

  dispose(): void {
    this.disposed = true;
    this.closeWindow();
  }

  private closeWindow(): void {
    const w = this.window;
    this.window = null;
    this.watching?.dispose();
    this.watching = null;
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
      ...(this.deps.iconPath ? { icon: this.deps.iconPath } : {}),
      webPreferences: {
        preload: this.deps.preloadPath,
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
    // Electron 45 passes the target as the event's `url`; the positional url argument is deprecated.
    contents.on('will-navigate', (details: Event<WebContentsWillNavigateEventParams>) => {
      if (this.isAppUrl(details.url)) return;
      details.preventDefault();
      this.openExternally(details.url);
    });
    contents.on('will-attach-webview', (event: Event) => event.preventDefault());
    const watching = this.recovery.watch(contents);
    this.watching = watching;
    w.once('ready-to-show', () => w.show());
    // Only the user's close asks: destroy() (quit, dispose) emits no 'close'.
    w.on('close', (event: Event) => {
      if (this.deps.onCloseRequested?.() !== 'minimize') return;
      event.preventDefault();
      w.minimize();
    });
    w.on('closed', () => {
      watching.dispose();
      if (this.window === w) this.window = null;
    });
    void w.loadURL(APP_PAGE_URL).catch((err: Error) => {
      const fields = { domain: 'app', url: APP_PAGE_URL, err: err.message };
      this.logger.error(fields, 'the window could not load its page');
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

  /** Once per process: app:// served from dist/renderer, and no permission but the page's own clipboard writes. */
  private hardenSession(): void {
    if (this.sessionHardened) return;
    this.sessionHardened = true;
    new AppProtocol(dirname(this.deps.indexHtmlPath), this.logger).register();
    const s = session.defaultSession;
    s.setPermissionRequestHandler((contents, permission, callback, details) =>
      callback(this.allows(contents, permission, details.requestingUrl, details.isMainFrame)),
    );
    s.setPermissionCheckHandler((contents, permission, requestingOrigin, details) => {
      const origin = MainWindow.parse(requestingOrigin);
      if (origin === null || !MainWindow.isAppOrigin(origin)) return false;
      return this.allows(contents, permission, details.requestingUrl, details.isMainFrame);
    });
  }

  /** Only the live window's own top page, and only for what the app uses. */
  private allows(
    contents: WebContents | null,
    permission: string,
    requestingUrl: string | undefined,
    isMainFrame: boolean,
  ): boolean {
    const own = this.webContents;
    if (!ALLOWED_PERMISSIONS.has(permission) || own === null || contents !== own || !isMainFrame) return false;
    return requestingUrl !== undefined && this.isAppUrl(requestingUrl);
  }

  private static parse(url: string): URL | null {
    try {
      return new URL(url);
    } catch {
      return null;
    }
  }

  /** app://devmesh (Chromium reports an origin with or without the trailing slash) */
  private static isAppOrigin(url: URL): boolean {
    return url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST && url.username === '' && url.port === '';
  }
}
