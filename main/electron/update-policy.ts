// When the desktop app updates itself, as plain logic: it checks the release feed once the window is up and
// every 24 hours, downloads a newer version in the background, then tells the user it is ready and asks
// before restarting, naming the services that the restart stops ("3 services will stop: api, web, worker").
// Yes quits through DesktopApp.quit (services stop cleanly first) and installs as the app exits; Later
// installs when the user next quits. A failed check or download is logged once per cause and never
// thrown. No electron here: app-updater.ts wraps electron-updater and the dialogs behind these interfaces.
import type { Disposable } from '../core/base/disposable.js';
import { Emitter } from '../core/base/emitter.js';

/** electron-updater, as the policy uses it (app-updater.ts: ElectronUpdaterEngine). */
export interface UpdateEngine {
  /** asks the feed: the newer version it offers, or null (none newer, or the updater is inactive) */
  check(): Promise<string | null>;
  /** downloads the version check() found and verifies its sha512; rejects when either fails */
  download(): Promise<void>;
  /** installs the downloaded update and starts the new version; called as the app exits */
  installAndRestart(): void;
  /** installs the downloaded update without starting it: the user quit */
  installOnQuit(): void;
}

export interface UpdateQuestion {
  version: string;
  /** the running services the restart stops, as "project/service" when several projects run some; null
   *  when they could not be listed */
  services: string[] | null;
}

/** The user's side (app-updater.ts: a notification and message boxes). */
export interface UpdatePrompt {
  /** says an update is ready; `restart` asks the question (a click on the notification) */
  announce(version: string, restart: () => void): void;
  /** asks whether to restart now; true: yes */
  ask(question: UpdateQuestion): Promise<boolean>;
  /** the answer to a check the user asked for (the menu's "Check for Updates…") */
  inform(title: string, detail: string): void;
}

export interface UpdateLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  debug?(obj: object, msg?: string): void;
}

export interface UpdatePolicyDeps {
  engine: UpdateEngine;
  prompt: UpdatePrompt;
  /** the services running now (they stop when the app restarts) */
  runningServices(): Promise<string[]>;
  /** DesktopApp.quit: stops the services, closes the API, then exits (calling beforeExit) */
  quit(): Promise<void> | void;
  logger: UpdateLogger;
  currentVersion: string;
  /** between checks; 24 hours */
  intervalMs?: number;
}

export const DAILY_MS = 24 * 60 * 60_000;

/** "3 services will stop: api, web, worker." / "No services are running." */
export function servicesSentence(services: string[] | null): string {
  if (services === null) return 'Any running services will stop (DevMesh could not list them).';
  if (services.length === 0) return 'No services are running.';
  const n = services.length;
  return `${n} service${n === 1 ? '' : 's'} will stop: ${services.join(', ')}.`;
}

export class UpdatePolicy implements Disposable {
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<string | null> | null = null;
  /** the downloaded version, ready to install */
  private downloaded: string | null = null;
  private announced: string | null = null;
  private consent = false;
  private asking = false;
  /** the cause of the last failure (its code, else its message) */
  private lastError: string | null = null;
  private disposed = false;
  private readonly ready: Emitter<string>;

  constructor(private readonly deps: UpdatePolicyDeps) {
    // a throwing listener (a tray being rebuilt) must not fail the check nor keep the prompt from showing
    this.ready = new Emitter({
      onListenerError: (err) =>
        deps.logger.warn({ domain: 'update', err: (err as Error)?.message }, 'an update listener threw'),
    });
  }

  /** The first check now (call it once the window is up), then one a day. */
  start(): void {
    if (this.disposed || this.timer) return;
    void this.run('start');
    this.timer = setInterval(() => void this.run('daily'), this.deps.intervalMs ?? DAILY_MS);
    // a pending check never keeps the process alive
    this.timer.unref();
  }

  /** The version downloaded and waiting for a restart, or null. */
  get readyVersion(): string | null {
    return this.downloaded;
  }

  /** Fires when a downloaded update becomes ready (a tray or menu item "Restart to Update…" appears). */
  onDidBecomeReady(listener: (version: string) => void): Disposable {
    return this.ready.event(listener);
  }

  /** The menu's "Check for Updates…": checks now and tells the user what it found; asks if one is ready. */
  async checkNow(): Promise<void> {
    const { prompt, currentVersion } = this.deps;
    // the user said Later and now asks again: the question, with its list of services
    if (this.downloaded) return this.restartToUpdate();
    try {
      const version = await this.checkAndDownload('menu');
      if (version)
        prompt.inform(`DevMesh ${version} is available`, 'It is downloading; DevMesh asks before it restarts.');
      else prompt.inform('DevMesh is up to date', `You have the latest version, ${currentVersion}.`);
    } catch (err) {
      prompt.inform('Could not check for updates', `${(err as Error).message}\nDevMesh tries again tomorrow.`);
    }
  }

  /** Asks, naming the services that will stop; yes quits (services stop cleanly) and installs on exit. */
  async restartToUpdate(): Promise<void> {
    const version = this.downloaded;
    // one question at a time: the notification and the menu may both ask
    if (!version || this.consent || this.asking) return;
    this.asking = true;
    try {
      await this.ask(version);
    } finally {
      this.asking = false;
    }
  }

  private async ask(version: string): Promise<void> {
    let services: string[] | null;
    try {
      services = await this.deps.runningServices();
    } catch (err) {
      // the question must still say that services may stop: a general line rather than none
      this.deps.logger.warn({ domain: 'update', err: (err as Error).message }, 'could not list the running services');
      services = null;
    }
    const yes = await this.deps.prompt.ask({ version, services });
    if (!yes) {
      this.deps.logger.info({ domain: 'update', version }, 'update postponed: it installs when DevMesh quits');
      return;
    }
    this.consent = true;
    this.deps.logger.info({ domain: 'update', version, services }, 'restarting to update');
    await this.deps.quit();
  }

  /**
   * Called by DesktopApp as it exits, after the services stopped: installs a downloaded update, and starts
   * the new version when the user said yes. A failed quit (exit code other than 0) installs nothing.
   */
  beforeExit(exitCode: number): void {
    const version = this.downloaded;
    if (!version) return;
    try {
      if (this.consent) this.deps.engine.installAndRestart();
      else if (exitCode === 0) this.deps.engine.installOnQuit();
      else return;
      this.deps.logger.info({ domain: 'update', version, restart: this.consent }, 'installing the update');
    } catch (err) {
      this.deps.logger.warn(
        { domain: 'update', version, err: (err as Error).message },
        'the update could not be installed',
      );
    }
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.ready.dispose();
  }

  /** A background check: every failure is contained and logged once per cause. */
  private async run(why: 'start' | 'daily'): Promise<void> {
    try {
      await this.checkAndDownload(why);
    } catch {
      // logged by checkAndDownload; the next daily check tries again
    }
  }

  /** One check (and download) at a time: a second caller shares the one in flight. */
  private checkAndDownload(why: string): Promise<string | null> {
    this.inFlight ??= this.checkOnce(why).finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  private async checkOnce(why: string): Promise<string | null> {
    const { engine, logger } = this.deps;
    let version: string | null;
    try {
      version = await engine.check();
      if (version && version !== this.downloaded) await engine.download();
    } catch (err) {
      const message = (err as Error).message ?? String(err);
      // offline for a week is one line in the log, not seven. The cause is the error's code where it has one:
      // electron-updater's messages carry the URL with a random ?noCache= query, new on every check.
      const cause = (err as { code?: unknown }).code ?? message;
      if (cause !== this.lastError) logger.warn({ domain: 'update', why, err: message }, 'update check failed');
      else logger.debug?.({ domain: 'update', why, err: message }, 'update check failed again');
      this.lastError = typeof cause === 'string' ? cause : String(cause);
      throw err;
    }
    this.lastError = null;
    if (!version) {
      logger.debug?.({ domain: 'update', why }, 'no update');
      return null;
    }
    this.downloaded = version;
    if (!this.disposed && this.announced !== version) {
      this.announced = version;
      logger.info({ domain: 'update', version }, 'update downloaded');
      this.ready.fire(version);
      this.deps.prompt.announce(
        version,
        () =>
          void this.restartToUpdate().catch((err: Error) => {
            logger.warn({ domain: 'update', err: err.message }, 'restart to update failed');
          }),
      );
    }
    return version;
  }
}
