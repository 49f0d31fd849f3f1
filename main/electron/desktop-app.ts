// The life of the desktop app: one instance per user, the core and its API (over IPC for the window and
// over the loopback WebSocket for the CLI), the window, the tray, crash and version-mismatch notifications.
// Closing the window leaves DevMesh in the tray with its services running; only Quit (tray, OS, `devmesh down`)
// stops the services, closes the API and removes the daemon record, in that order.
import { app, dialog, Notification } from 'electron';
import type { ApiFace, DevMeshApi } from '../api/devmesh-api.js';
import type { DevMeshHome } from '../core/home/devmesh-home.js';
import type { Disposable } from '../core/base/disposable.js';
import type { DevMeshEvent } from '../../shared/events.js';
import type { ProjectInfo } from '../../shared/service.js';
import { setAppMenu } from './app-menu.js';
import type { AppStateStore } from './app-state-store.js';
import { ClosePolicy } from './close-policy.js';
import { CrashNotifier } from './crash-notifier.js';
import { installDevmeshCommand, type CommandInstaller } from './install-command.js';
import { VersionAlertNotifier } from './version-alert-notifier.js';
import { AgentWaitingNotifier } from './agent-waiting-notifier.js';
import { MessageNotifier } from './message-notifier.js';
import { IpcRouter } from './ipc-router.js';
import type { LoginItem } from './login-item.js';
import { registerAppScheme } from './app-protocol.js';
import { MainWindow, type MainWindowFiles } from './main-window.js';
import { PageLifetime } from './page-lifetime.js';
import { TerminalStreamBroker } from './terminal-stream-broker.js';
import { TrayMenu } from './tray-menu.js';
import type { TrayPresence } from './tray-presence.js';
import type { UpdatePolicy } from './update-policy.js';

/** `terminals` (DevMeshApi has it) gives the window its terminal streams; without it the app has none. */
export type DesktopApi = Pick<DevMeshApi, 'call' | 'subscribe'> & Partial<Pick<DevMeshApi, 'terminals'>>;
export interface DesktopCore {
  dispose(): Promise<void>;
}
export interface DesktopServer {
  listen(): Promise<{ port: number; url: string }>;
  close(): Promise<void>;
}
/** The home's exclusive hold (HomeLock): one DevMesh per DEVMESH_HOME. */
export interface DesktopHomeLock {
  announce(url: string): void;
  release(): void;
}
export interface DesktopLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug?(obj: object, msg?: string): void;
}

export interface DesktopAppDeps<C extends DesktopCore = DesktopCore, A extends DesktopApi = DesktopApi> {
  home: Pick<DevMeshHome, 'dir' | 'readOrCreateToken' | 'writeDaemonRecord' | 'readDaemonRecord' | 'clearDaemonRecord'>;
  version: string;
  logger: DesktopLogger;
  state: AppStateStore;
  loginItem: Pick<LoginItem, 'set' | 'reconcile' | 'launchedHidden'>;
  window: MainWindowFiles;
  trayIconPath: string;
  /** whether the desktop shows tray icons (tray-presence.ts); without it, a tray is assumed */
  trayPresence?: () => Promise<TrayPresence>;
  /** macOS: "Install the devmesh command…" in the app menu */
  commandInstaller?: CommandInstaller;
  /** takes the home's hold, or rejects (DAEMON_ALREADY_RUNNING) naming the DevMesh that has it */
  lockHome(): Promise<DesktopHomeLock>;
  /**
   * Loads the native modules (main/core/native/native-modules.ts) once Electron is ready, where a failure can be
   * explained in a dialog and app.log rather than Electron's crash box: null when they load.
   */
  loadNativeModules?(): { title: string; message: string } | null;
  openCore(): Promise<C>;
  createApi(core: C, face: ApiFace): A;
  createServer(api: A, token: string): DesktopServer;
  /** the self-update (app-updater.ts), started once the window is up; null when updates are off */
  createUpdater?(api: DesktopApi, quit: () => Promise<void>): DesktopUpdater | null;
}
export type DesktopUpdater = Pick<
  UpdatePolicy,
  'start' | 'beforeExit' | 'dispose' | 'checkNow' | 'restartToUpdate' | 'readyVersion' | 'onDidBecomeReady'
>;

export class DesktopApp<C extends DesktopCore = DesktopCore, A extends DesktopApi = DesktopApi> {
  private core: C | null = null;
  private lock: DesktopHomeLock | null = null;
  private server: DesktopServer | null = null;
  private apiUrl: string | null = null;
  private window: MainWindow | null = null;
  private updater: DesktopUpdater | null = null;
  private readonly ui: Disposable[] = [];
  private readonly rootsById = new Map<string, string>();
  private quitting: Promise<void> | null = null;
  private exiting = false;
  /** a second launch asked for the window before it existed */
  private windowWanted = false;
  private started: Promise<void> = Promise.resolve();
  /** the step of the start in progress (home lock, core, API server): a quit waits for it, then closes it */
  private opening: Promise<unknown> = Promise.resolve();

  private readonly onSignal = () => void this.quit();

  constructor(private readonly deps: DesktopAppDeps<C, A>) {}

  /** Claims the single-instance lock and starts once Electron is ready. False when another instance runs. */
  run(): boolean {
    if (!app.requestSingleInstanceLock()) {
      // The first instance gets 'second-instance' and shows its window; this one has nothing to do.
      app.quit();
      return false;
    }
    registerAppScheme(); // the window's app:// origin: before 'ready', as Electron requires
    app.on('second-instance', () => this.showWindow());
    app.on('activate', () => this.showWindow());
    // Closing the window keeps DevMesh in the tray: the services it supervises keep running.
    app.on('window-all-closed', () => {});
    app.on('before-quit', (event) => {
      if (this.exiting) return;
      event.preventDefault();
      void this.quit();
    });
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, this.onSignal);
    this.started = app
      .whenReady()
      .then(() => this.start())
      .catch((err: Error) => this.refuseToStart('DevMesh could not start', err.stack ?? err.message));
    return true;
  }

  /** Stops the services, closes the API and the daemon record, then exits. Idempotent. */
  quit(exitCode = 0): Promise<void> {
    this.quitting ??= this.shutdown(exitCode);
    return this.quitting;
  }

  /** Settles once the start that run() scheduled has finished (or refused to start). */
  whenStarted(): Promise<void> {
    return this.started;
  }

  private step<T>(opening: Promise<T>): Promise<T> {
    this.opening = opening.catch(() => undefined);
    return opening;
  }

  private async start(): Promise<void> {
    const { home, logger } = this.deps;
    const native = this.deps.loadNativeModules?.() ?? null;
    if (native) return this.refuseToStart(native.title, native.message);
    // Asked of the session bus while the core opens; the window's close behaviour depends on it.
    const presence = (this.deps.trayPresence?.() ?? Promise.resolve({ available: true, reason: 'not checked' })).catch(
      (err: Error): TrayPresence => ({ available: false, reason: `the check failed: ${err.message}` }),
    );
    // Opening the core would reconcile (stop) another DevMesh's services: take the home's hold first.
    try {
      this.lock = await this.step(this.deps.lockHome());
    } catch (err) {
      const running = (err as { code?: string }).code === 'DAEMON_ALREADY_RUNNING';
      return this.refuseToStart(
        running ? 'DevMesh is already running' : 'DevMesh could not start',
        running
          ? `${(err as Error).message}\nYou can keep using it from a browser.`
          : `Opening ${home.dir} failed: ${(err as Error).message}`,
      );
    }
    if (this.quitting) return; // a quit during a step of the start: shutdown closes what it opened
    let core: C;
    try {
      core = await this.step(this.deps.openCore());
      this.core = core;
    } catch (err) {
      return this.refuseToStart('DevMesh could not start', `Opening ${home.dir} failed: ${(err as Error).message}`);
    }
    if (this.quitting) return;
    const api = this.deps.createApi(core, {
      face: 'electron',
      apiUrl: () => this.apiUrl,
      requestShutdown: () => void this.quit(),
    });
    try {
      this.server = this.deps.createServer(api, home.readOrCreateToken());
      const { port, url } = await this.step(this.server.listen());
      if (this.quitting) return;
      this.apiUrl = url;
      home.writeDaemonRecord({
        pid: process.pid,
        port,
        url,
        version: this.deps.version,
        face: 'electron',
        startedAt: Date.now(),
      });
      this.lock?.announce(url);
      logger.info({ domain: 'app', url }, 'API listening');
    } catch (err) {
      this.server = null;
      const code = (err as { code?: string }).code;
      const busy = code === 'EADDRINUSE' || code === 'PORT_BUSY' || code === 'DAEMON_ALREADY_RUNNING';
      return this.refuseToStart(
        busy ? 'DevMesh is already running' : 'DevMesh could not start',
        busy
          ? `The DevMesh API port is taken (${(err as Error).message}).\nAnother DevMesh (the \`devmesh up\` daemon or another app) is probably running: stop it with \`devmesh down\`, or set DEVMESH_PORT to another port.`
          : `The API server failed: ${(err as Error).message}`,
      );
    }
    const tray = await presence;
    logger.info({ domain: 'app', tray: tray.available, reason: tray.reason }, 'tray presence');
    this.startUi(api, tray.available);
    await this.openRecentProjects(api);
  }

  private startUi(api: DesktopApi, trayAvailable: boolean): void {
    if (this.quitting) return; // a quit while the core opened: no window or tray may appear now
    const tell = (title: string, message: string) => this.reportError(title, message);
    // before the menus, which offer "Check for Updates…" (checkNow)
    this.updater = this.deps.createUpdater?.(api, () => this.quit()) ?? null;
    const updater = this.updater;
    if (updater) this.ui.push(updater);
    const installer = this.deps.commandInstaller;
    const installCommand = (i: CommandInstaller) => () =>
      void installDevmeshCommand(i).catch((err: Error) => this.reportError('Install the devmesh command', err.message));
    setAppMenu({
      quit: () => void this.quit(),
      ...(installer ? { installCommand: installCommand(installer) } : {}),
      ...(updater ? { checkForUpdates: () => void updater.checkNow() } : {}),
    });
    const closing = new ClosePolicy({ trayAvailable, state: this.deps.state, tell });
    const window = new MainWindow({
      ...this.deps.window,
      onCloseRequested: () => closing.onCloseRequested(),
      logger: this.deps.logger,
      tell,
    });
    this.window = window;
    this.ui.push({ dispose: () => window.dispose() });
    // One watch on the window's page for both: its event streams and its terminal views end with it.
    const pages = new PageLifetime({ logger: this.deps.logger });
    this.ui.push(pages);
    this.ui.push(new IpcRouter(api, window, pages));
    if (api.terminals) {
      const logger = this.deps.logger;
      const streamLogger = { debug: (obj: object, msg?: string) => logger.debug?.(obj, msg) };
      this.ui.push(new TerminalStreamBroker(api.terminals, window, streamLogger, pages));
    }
    const tray = new TrayMenu(
      api,
      {
        openWindow: () => window.focus(),
        openProject: () => void this.openProject(api),
        quit: () => void this.quit(),
        startAtLogin: () => this.deps.state.startAtLogin,
        setStartAtLogin: (enabled) => this.setStartAtLogin(enabled),
        reportError: (title, message) => this.reportError(title, message),
        ...(updater
          ? { updateReady: () => updater.readyVersion, restartToUpdate: () => void updater.restartToUpdate() }
          : {}),
      },
      { iconPath: this.deps.trayIconPath },
    );
    tray.start();
    this.ui.push(tray);
    if (updater) this.ui.push(updater.onDidBecomeReady(() => void tray.refresh()));
    this.ui.push(new CrashNotifier(api, { onClick: () => window.focus() }));
    this.ui.push(new VersionAlertNotifier(api, { onClick: () => window.focus() }));
    this.ui.push(new AgentWaitingNotifier(api, { onClick: () => window.focus() }));
    this.ui.push(new MessageNotifier(api, { onClick: () => window.focus() }));
    this.ui.push(this.trackRecentProjects(api));
    this.reconcileStartAtLogin();
    if (this.windowWanted || !closing.mayStartHidden || !this.deps.loginItem.launchedHidden()) window.focus();
    this.updater?.start();
  }

  /** Reopens last session's projects; a project whose folder or devmesh.yaml is gone leaves the list. */
  private async openRecentProjects(api: DesktopApi): Promise<void> {
    for (const root of [...this.deps.state.recentProjects].reverse()) {
      if (this.quitting) return;
      const result = await api.call('projects.open', { root });
      if (result.ok) continue;
      this.deps.logger.warn(
        { domain: 'app', root, code: result.error.code, err: result.error.message },
        'could not reopen project',
      );
      if (result.error.code === 'CONFIG_NOT_FOUND') this.deps.state.removeRecentProject(root);
    }
  }

  /**
   * The recent list follows projects opened and closed from any face (window, tray, CLI). A worktree's copy is
   * left out: it lives with its agent, whose terminal ends with the app (reopened, it would be refused).
   */
  private trackRecentProjects(api: DesktopApi): Disposable {
    const sub = api.subscribe('events', {}, (data) => {
      const event = data as DevMeshEvent;
      if ((event.type === 'project.opened' || event.type === 'project.reloaded') && event.project.worktree) return;
      if (event.type === 'project.opened' || event.type === 'project.reloaded') {
        this.rootsById.set(event.project.id, event.project.root);
        if (event.type === 'project.opened') this.deps.state.addRecentProject(event.project.root);
      } else if (event.type === 'project.closed') {
        const root = this.rootsById.get(event.projectId);
        this.rootsById.delete(event.projectId);
        if (root) this.deps.state.removeRecentProject(root);
      }
    });
    return sub.ok ? sub.value : { dispose() {} };
  }

  private showWindow(): void {
    if (this.quitting) return;
    if (this.window) this.window.focus();
    else this.windowWanted = true;
  }

  private async openProject(api: DesktopApi): Promise<void> {
    const choice = await dialog.showOpenDialog({
      title: 'Open a DevMesh project',
      message: 'Choose the folder that holds devmesh.yaml',
      buttonLabel: 'Open Project',
      properties: ['openDirectory'],
    });
    const root = choice.filePaths[0];
    if (choice.canceled || !root) return;
    const result = await api.call('projects.open', { root });
    if (!result.ok) {
      this.reportError('Could not open the project', result.error.message);
      return;
    }
    const project = result.value as ProjectInfo;
    this.rootsById.set(project.id, project.root);
    this.deps.state.addRecentProject(project.root);
    this.window?.focus();
  }

  private setStartAtLogin(enabled: boolean): void {
    try {
      const note = this.deps.loginItem.set(enabled);
      this.deps.state.setStartAtLogin(enabled);
      if (note) this.reportError('Start at login', note);
    } catch (err) {
      this.reportError('Could not change "Start at login"', (err as Error).message);
    }
  }

  /** The OS may know better (macOS: turned off in System Settings); elsewhere the entry is written again. */
  private reconcileStartAtLogin(): void {
    try {
      const actual = this.deps.loginItem.reconcile(this.deps.state.startAtLogin);
      if (actual !== this.deps.state.startAtLogin) this.deps.state.setStartAtLogin(actual);
    } catch (err) {
      this.reportError('Could not renew "Start at login"', (err as Error).message);
    }
  }

  private reportError(title: string, message: string): void {
    this.deps.logger.warn({ domain: 'app', err: message }, title);
    if (Notification.isSupported()) new Notification({ title, body: message }).show();
    else void dialog.showMessageBox({ type: 'error', title, message: title, detail: message });
  }

  private async refuseToStart(title: string, message: string): Promise<void> {
    this.deps.logger.error({ domain: 'app', err: message }, title);
    dialog.showErrorBox(title, message);
    await this.quit(1);
  }

  private async shutdown(exitCode: number): Promise<void> {
    const { logger, home } = this.deps;
    await this.opening; // a core or server still opening is closed below, in order, not left half-open
    const step = async (what: string, fn: () => unknown) => {
      try {
        await fn();
      } catch (err) {
        logger.error({ domain: 'app', err: (err as Error).message }, `quit: ${what} failed`);
      }
    };
    // The UI goes first: no event of the closing projects may reach the recent list or the tray.
    for (const d of this.ui.splice(0).reverse()) await step('closing the window and tray', () => d.dispose());
    if (this.core) {
      logger.info({ domain: 'app' }, 'quit: stopping services');
      const core = this.core;
      await step('stopping the services', () => core.dispose());
    }
    if (this.server) {
      const server = this.server;
      await step('closing the API server', () => server.close());
      await step('removing the daemon record', () => home.clearDaemonRecord(process.pid));
    }
    if (this.lock) {
      const lock = this.lock;
      this.lock = null;
      await step('releasing the home', () => lock.release());
    }
    // after the services stopped: a downloaded update installs (and restarts if the user said so)
    if (this.updater) await step('installing the update', () => this.updater?.beforeExit(exitCode));
    process.removeListener('SIGINT', this.onSignal);
    process.removeListener('SIGTERM', this.onSignal);
    this.exiting = true;
    app.exit(exitCode);
  }
}
