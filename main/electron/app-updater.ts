// The desktop app's self-update, on the Electron side: electron-updater (electron-builder's updater) behind
// the narrow UpdateEngine of update-policy.ts, the release feed it reads, and the notification and message
// boxes that ask the user. The feed is `publish:` in electron-builder.yml, which electron-builder writes into
// the package as resources/app-update.yml; DEVMESH_UPDATE_FEED overrides its URL (a generic feed: a folder of
// latest-linux.yml / latest-mac.yml / latest.yml and the files they name, served over HTTP(S)).
// No updater in development (electron-updater itself refuses an unpackaged app) or without a real feed.
import { app, dialog, Notification } from 'electron';
import type { AppUpdater as ElectronUpdater } from 'electron-updater';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ProjectInfo, ServiceInfo } from '../../shared/service.js';
import { RUNNING_STATES } from '../../shared/service.js';
import type { DesktopApi, DesktopLogger } from './desktop-app.js';
import {
  servicesSentence,
  UpdatePolicy,
  type UpdateEngine,
  type UpdatePrompt,
  type UpdateQuestion,
} from './update-policy.js';

export type UpdateFeed = { url: string | null; from: 'DEVMESH_UPDATE_FEED' | 'app-update.yml' } | { off: string };

/**
 * Where updates come from: DEVMESH_UPDATE_FEED, else the app-update.yml electron-builder wrote from
 * `publish:`. Off when neither exists or the URL is the placeholder of electron-builder.yml: a host under
 * `.invalid` (RFC 2606), which can never resolve, so a build nobody configured does not fail a check a day.
 */
export function resolveUpdateFeed(env: NodeJS.ProcessEnv, appUpdateYml: string): UpdateFeed {
  const override = env.DEVMESH_UPDATE_FEED?.trim();
  if (override) {
    const url = URL.canParse(override) ? new URL(override) : null;
    if (!url || !['http:', 'https:'].includes(url.protocol)) {
      return {
        off: `DEVMESH_UPDATE_FEED=${override} is not an http(s) URL: set it to the folder holding latest-*.yml`,
      };
    }
    return { url: url.href, from: 'DEVMESH_UPDATE_FEED' };
  }
  if (!existsSync(appUpdateYml)) {
    return { off: `${appUpdateYml} is missing: this build has no release feed (\`publish:\` in electron-builder.yml)` };
  }
  let config: { provider?: unknown; url?: unknown };
  try {
    config = (parseYaml(readFileSync(appUpdateYml, 'utf8')) ?? {}) as typeof config;
  } catch (err) {
    return { off: `${appUpdateYml} cannot be read: ${(err as Error).message}` };
  }
  if (typeof config.url === 'string') {
    const host = URL.canParse(config.url) ? new URL(config.url).hostname : '';
    if (host === '' || host.endsWith('.invalid')) {
      return { off: `the release feed ${config.url} is a placeholder: set \`publish.url\` in electron-builder.yml` };
    }
    return { url: config.url, from: 'app-update.yml' };
  }
  // github, s3 and the other providers name their feed without a url
  return typeof config.provider === 'string'
    ? { url: null, from: 'app-update.yml' }
    : { off: `${appUpdateYml} names no feed` };
}

/** electron-updater's updater as the policy uses it. */
export class ElectronUpdaterEngine implements UpdateEngine {
  constructor(
    private readonly updater: ElectronUpdater,
    logger: DesktopLogger,
  ) {
    // The policy downloads in the background itself, so that a failed download rejects where it is caught.
    updater.autoDownload = false;
    // Squirrel.Mac stages the update only with this on (MacUpdater.doDownloadUpdate); on Linux and Windows the
    // policy installs from DesktopApp's exit, and electron-updater's own quit handler then finds it done.
    updater.autoInstallOnAppQuit = true;
    updater.logger = {
      info: (message: unknown) => logger.debug?.({ domain: 'update' }, String(message)),
      warn: (message: unknown) => logger.warn({ domain: 'update' }, String(message)),
      // every failure also rejects the call the policy made, which logs it once per cause
      error: (message: unknown) => logger.debug?.({ domain: 'update' }, String(message)),
    };
  }

  async check(): Promise<string | null> {
    const result = await this.updater.checkForUpdates();
    return result?.isUpdateAvailable ? result.updateInfo.version : null;
  }

  async download(): Promise<void> {
    await this.updater.downloadUpdate();
  }

  installAndRestart(): void {
    // silent install, then start the new version (AppImage: the new file; deb: pkexec dpkg -i, then relaunch)
    this.failOnError(() => this.updater.quitAndInstall(true, true));
  }

  installOnQuit(): void {
    // BaseUpdater (AppImage, deb, rpm, NSIS) installs here, as its own quit handler would; Squirrel.Mac
    // installs by itself once the app has quit.
    const install = (this.updater as ElectronUpdater & { install?: (silent: boolean, runAfter: boolean) => boolean })
      .install;
    if (typeof install === 'function') this.failOnError(() => install.call(this.updater, true, false));
  }

  /** electron-updater reports a failed install as an 'error' event, not a throw. */
  private failOnError(fn: () => void): void {
    // `as`: the listener assigns it, which TypeScript's narrowing does not see (it would read `never` below).
    let failure = null as Error | null;
    const onError = (err: Error) => (failure ??= err);
    this.updater.on('error', onError);
    try {
      fn();
    } finally {
      this.updater.off('error', onError);
    }
    if (failure) throw failure;
  }
}

/** The running services of every open project: "api", or "shop/api" when several projects run some. */
export async function runningServiceNames(api: Pick<DesktopApi, 'call'>): Promise<string[]> {
  const projects = await api.call('projects.list', {});
  if (!projects.ok) throw new Error(projects.error.message);
  const running: Array<[string, string[]]> = [];
  for (const project of projects.value as ProjectInfo[]) {
    const services = await api.call('services.list', { project: project.id });
    if (!services.ok) throw new Error(services.error.message);
    const names = (services.value as ServiceInfo[]).filter((s) => RUNNING_STATES.includes(s.state)).map((s) => s.name);
    if (names.length) running.push([project.id, names]);
  }
  return running.length > 1 ? running.flatMap(([p, names]) => names.map((n) => `${p}/${n}`)) : (running[0]?.[1] ?? []);
}

/** A notification says the update is ready; the question and the answers are message boxes. */
export class ElectronUpdatePrompt implements UpdatePrompt {
  /** held so that it is not collected before the user clicks it */
  private notification: Notification | null = null;

  announce(version: string, restart: () => void): void {
    if (!Notification.isSupported()) return restart();
    const notification = new Notification({
      title: `DevMesh ${version} is ready`,
      body: 'Click to restart and update now, or it installs when you quit DevMesh.',
    });
    notification.on('click', restart);
    this.notification = notification;
    notification.show();
  }

  async ask({ version, services }: UpdateQuestion): Promise<boolean> {
    const n = services?.length ?? null;
    const { response } = await dialog.showMessageBox({
      type: 'question',
      title: 'Update DevMesh',
      message: `Restart DevMesh to update to ${version}?`,
      detail: `${servicesSentence(services)}\nChoose Later and the update installs when you quit DevMesh.`,
      buttons: [
        n === 0
          ? 'Restart and Update'
          : `Stop ${n === 1 ? 'the Service' : n ? `${n} Services` : 'Services'} and Restart`,
        'Later',
      ],
      defaultId: 0,
      cancelId: 1,
    });
    return response === 0;
  }

  inform(title: string, detail: string): void {
    void dialog.showMessageBox({ type: 'info', title: 'DevMesh', message: title, detail, buttons: ['OK'] });
  }
}

export interface AppUpdaterDeps {
  api: Pick<DesktopApi, 'call'>;
  /** DesktopApp.quit */
  quit(): Promise<void>;
  logger: DesktopLogger;
  version: string;
  env?: NodeJS.ProcessEnv;
  /** where app-update.yml is (process.resourcesPath once packaged) */
  resourcesPath?: string;
  isPackaged?: boolean;
  platform?: NodeJS.Platform;
  /** electron-updater's updater for this platform and package type (AppImage, deb, dmg/zip, NSIS) */
  loadUpdater?: () => ElectronUpdater;
  prompt?: UpdatePrompt;
}

/** The update policy of a packaged app with a feed; null (and a line in the log saying why) otherwise. */
export function createAppUpdater(deps: AppUpdaterDeps): UpdatePolicy | null {
  const { logger } = deps;
  if (!(deps.isPackaged ?? app.isPackaged)) {
    logger.info({ domain: 'update' }, 'updates are off: DevMesh is not packaged (development)');
    return null;
  }
  const env = deps.env ?? process.env;
  const resources = deps.resourcesPath ?? process.resourcesPath;
  const feed = resolveUpdateFeed(env, join(resources, 'app-update.yml'));
  if ('off' in feed) {
    logger.info({ domain: 'update', reason: feed.off }, 'updates are off');
    return null;
  }
  // On Linux electron-updater replaces an AppImage ($APPIMAGE, set by its runtime) or installs a package
  // (resources/package-type, written by the deb/rpm targets); an unpacked folder or tarball it cannot update.
  if (
    (deps.platform ?? process.platform) === 'linux' &&
    !env.APPIMAGE &&
    !existsSync(join(resources, 'package-type'))
  ) {
    logger.info({ domain: 'update' }, 'updates are off: DevMesh updates itself as an AppImage or a deb package only');
    return null;
  }
  let updater: ElectronUpdater;
  try {
    // loaded only here: development and the headless daemon never load the updater
    updater = deps.loadUpdater?.() ?? (require('electron-updater') as typeof import('electron-updater')).autoUpdater;
    if (feed.from === 'DEVMESH_UPDATE_FEED') updater.setFeedURL({ provider: 'generic', url: feed.url! });
  } catch (err) {
    logger.warn({ domain: 'update', err: (err as Error).message }, 'updates are off: electron-updater failed to load');
    return null;
  }
  logger.info({ domain: 'update', feed: feed.url, from: feed.from }, 'updates on');
  return new UpdatePolicy({
    engine: new ElectronUpdaterEngine(updater, logger),
    prompt: deps.prompt ?? new ElectronUpdatePrompt(),
    runningServices: () => runningServiceNames(deps.api),
    quit: deps.quit,
    logger,
    currentVersion: deps.version,
  });
}
