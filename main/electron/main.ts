// The Electron composition root: builds the app's objects by hand and hands them to DesktopApp, which runs
// their life (single instance, core + API + window + tray, quit). Bundled by scripts/build.mjs into
// dist/electron/main.js; paths below are relative to that file, inside app.asar once packaged.
import { app } from 'electron';
import { join } from 'node:path';
import { isatty } from 'node:tty';
import { ApiServer, DEFAULT_API_PORT } from '../api/api-server.js';
import { DevMeshApi } from '../api/devmesh-api.js';
import { DevMeshCore } from '../core/devmesh-core.js';
import { DevMeshHome } from '../core/home/devmesh-home.js';
import * as loginShellEnv from '../core/environment/login-shell-env.js';
import { HomeLock } from '../core/home/home-lock.js';
import { backupSettingsFromEnv } from '../core/store/home-store.js';
import { createLogger } from '../core/logging/create-logger.js';
import { FatalErrorLog } from '../core/logging/fatal-error-log.js';
import { loadNativeModules } from '../core/native/native-modules.js';
import { AppStateStore } from './app-state-store.js';
import { createAppUpdater } from './app-updater.js';
import { DesktopApp } from './desktop-app.js';
import { DevmeshCommandInstaller, runAsAdminOnMac } from './devmesh-command-installer.js';
import { LoginItem } from './login-item.js';
import { detectTrayPresence } from './tray-presence.js';

function apiPort(logger: { warn(obj: object, msg?: string): void }): number {
  const raw = process.env.DEVMESH_PORT;
  if (!raw) return DEFAULT_API_PORT;
  const port = Number(raw);
  if (Number.isInteger(port) && port >= 0 && port < 65536) return port; // 0: any free port
  logger.warn({ domain: 'app', DEVMESH_PORT: raw }, `DEVMESH_PORT is not a port number; using ${DEFAULT_API_PORT}`);
  return DEFAULT_API_PORT;
}

// The user's login-shell environment, read once while the app gets ready: launched from the Dock or a desktop
// menu, this process has a minimal PATH (no nvm, Homebrew…). The shell runs this very binary as Node
// (ELECTRON_RUN_AS_NODE=1, as VS Code does: the RunAsNode fuse stays on). Started from a terminal (stdin is
// a TTY) the environment is already the user's and is kept. This process keeps its own env; the core gives
// the resolved one to services, terminals, agents and CLI detection, and reports a timeout or failure.
const userEnvironment = loginShellEnv.resolve({ node: process.execPath, fromTerminal: isatty(0) });

// Every renderer sandboxed, whatever a BrowserWindow's options say.
app.enableSandbox();
app.setAppUserModelId('dev.devmesh.app');

const home = new DevMeshHome();
home.ensure();
const appLog = join(home.logDir, 'app.log');
const logger = createLogger({ name: 'devmesh-app', ...(app.isPackaged ? { destination: appLog } : {}) });
// An error no seam caught: written to app.log (and stderr) before the app exits, whatever the logger's target.
new FatalErrorLog({ logger, logPath: appLog, loggerWritesLogPath: app.isPackaged, what: 'the DevMesh app' });
const version = app.getVersion();
const distDir = join(__dirname, '..');
const rendererDir = join(distDir, 'renderer');

const desktop = new DesktopApp({
  home,
  version,
  logger,
  state: new AppStateStore(home.dir, (message) => logger.warn({ domain: 'app' }, message)),
  // Linux's autostart entry looks like the launcher's: linux.executableName's icon, desktopName's WM_CLASS.
  loginItem: new LoginItem({
    command: app.isPackaged ? [process.env.APPIMAGE ?? process.execPath] : [process.execPath, app.getAppPath()],
    iconName: 'devmesh-app',
    wmClass: 'dev.devmesh.app',
  }),
  window: {
    preloadPath: join(distDir, 'preload', 'preload.js'),
    indexHtmlPath: join(rendererDir, 'index.html'),
    iconPath: join(distDir, '..', 'assets', 'icon.png'),
  },
  // macOS tints a template image (black + alpha, the name ending in "Template") for light and dark menu bars
  trayIconPath: join(distDir, '..', 'assets', process.platform === 'darwin' ? 'trayTemplate.png' : 'tray.png'),
  trayPresence: () => detectTrayPresence(),
  ...(process.platform === 'darwin'
    ? {
        commandInstaller: new DevmeshCommandInstaller({
          execPath: process.execPath,
          appPath: app.getAppPath(),
          runAsAdmin: runAsAdminOnMac,
        }),
      }
    : {}),
  // After ready: a binary that will not load (old glibc, another architecture, a damaged install) gets a dialog.
  loadNativeModules,
  lockHome: () => HomeLock.acquire(home, 'electron', { hint: 'open its address in a browser' }),
  // Agents' hooks and MCP server run the CLI with the app's own Node (ELECTRON_RUN_AS_NODE).
  openCore: async () =>
    DevMeshCore.open({
      home,
      version,
      logger,
      environment: await userEnvironment,
      backups: backupSettingsFromEnv(process.env),
      devmeshCommand: {
        command: process.execPath,
        args: [join(app.getAppPath(), 'bin', 'devmesh.js')],
        env: { ELECTRON_RUN_AS_NODE: '1' },
      },
    }),
  createApi: (core, face) => new DevMeshApi(core, face),
  createServer: (api, token) =>
    new ApiServer({
      api,
      token,
      tokenFile: home.tokenPath,
      port: apiPort(logger),
      host: '127.0.0.1',
      rendererDir,
      logger,
    }),
  // electron-builder.yml `publish:` (or DEVMESH_UPDATE_FEED); off in development
  createUpdater: (api, quit) => createAppUpdater({ api, quit, logger, version }),
});
desktop.run();
