// "Start at login", and whether this launch came from it (then DevMesh starts in the tray, window closed).
// - Linux: Electron implements no login items, so an XDG autostart entry
//   (~/.config/autostart/dev.devmesh.app.desktop) that launches with --hidden.
// - Windows: app.setLoginItemSettings writes the Run key with our args: --hidden again.
// - macOS: args and --hidden do not exist there, nor (since macOS 13, and gone from Electron 45's API)
//   openAsHidden / wasOpenedAsHidden. app.getLoginItemSettings().wasOpenedAtLogin says the launch came from
//   the login item: on macOS 13+ from the launch's Apple event (keyAELaunchedAsLogInItem), on macOS 12 (the
//   oldest Electron 45 runs on) from LaunchServices. On macOS 13+ Electron registers the app with SMAppService
//   (type 'mainAppService'): the user may turn it off in System Settings → General → Login Items, or have to
//   approve it there ('requires-approval'), and each registration may notify "Background item added", so it is
//   registered when the user asks, never again at each start.
import { app } from 'electron';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, release } from 'node:os';
import { join } from 'node:path';

export interface LoginItemDeps {
  platform?: NodeJS.Platform;
  /** os.release(): on macOS the Darwin version, 22 being macOS 13 */
  osRelease?: string;
  /** the command that launches the app (packaged: the executable, or the AppImage when run from one) */
  command: string[];
  /** Linux: the XDG autostart folder; default $XDG_CONFIG_HOME/autostart */
  autostartDir?: string;
  /** Linux: the icon the package installs, named after linux.executableName in electron-builder.yml */
  iconName?: string;
  /** Linux: the window's WM_CLASS, as the launcher entry's StartupWMClass says (package.json desktopName) */
  wmClass?: string;
}

/** Darwin 22 = macOS 13 (Ventura), where login items moved to SMAppService. */
const DARWIN_MACOS_13 = 22;

export class LoginItem {
  static readonly HIDDEN_ARG = '--hidden';
  private readonly platform: NodeJS.Platform;

  constructor(private readonly deps: LoginItemDeps) {
    this.platform = deps.platform ?? process.platform;
  }

  get desktopEntryPath(): string {
    const dir = this.deps.autostartDir ?? join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'autostart');
    return join(dir, 'dev.devmesh.app.desktop');
  }

  /** Registers (or removes) the app as a login item. Throws with the reason when the OS refuses; returns a
   *  note for the user when the OS accepted it with a condition (macOS: approve it in System Settings). */
  set(enabled: boolean): string | null {
    if (this.platform === 'linux') {
      this.setLinux(enabled);
      return null;
    }
    if (this.platform !== 'darwin') {
      const [path, ...args] = this.deps.command;
      app.setLoginItemSettings({
        openAtLogin: enabled,
        ...(path ? { path } : {}),
        args: [...args, LoginItem.HIDDEN_ARG],
      });
      return null;
    }
    if (!this.smAppService) {
      app.setLoginItemSettings({ openAtLogin: enabled });
      return null;
    }
    app.setLoginItemSettings({ openAtLogin: enabled, type: 'mainAppService' });
    if (!enabled) return null;
    const status = app.getLoginItemSettings({ type: 'mainAppService' }).status;
    if (status === 'requires-approval') {
      return 'macOS asks you to allow DevMesh to open at login: System Settings → General → Login Items.';
    }
    if (status === 'not-found') {
      throw new Error('macOS could not find the app to open at login: move DevMesh.app to Applications and try again.');
    }
    return null;
  }

  /** At start: the login item as it really is. On macOS the OS holds the truth (the user may have changed it in
   *  System Settings), so nothing is registered again; elsewhere the chosen entry is written again, since the
   *  executable may have moved (an update, an AppImage in a new place). */
  reconcile(wanted: boolean): boolean {
    if (this.platform === 'darwin') {
      const settings = app.getLoginItemSettings(this.smAppService ? { type: 'mainAppService' } : undefined);
      return settings.openAtLogin || settings.status === 'requires-approval';
    }
    if (wanted) this.set(true);
    return wanted;
  }

  /** True when this launch came from the login item (start in the tray, window closed). */
  launchedHidden(argv: readonly string[] = process.argv): boolean {
    if (this.platform !== 'darwin') return argv.includes(LoginItem.HIDDEN_ARG);
    return (
      app.getLoginItemSettings(this.smAppService ? { type: 'mainAppService' } : undefined).wasOpenedAtLogin === true
    );
  }

  /** macOS 13+: login items through SMAppService. */
  private get smAppService(): boolean {
    const darwin = Number.parseInt(this.deps.osRelease ?? release(), 10);
    return this.platform === 'darwin' && Number.isFinite(darwin) && darwin >= DARWIN_MACOS_13;
  }

  private setLinux(enabled: boolean): void {
    const path = this.desktopEntryPath;
    if (!enabled) {
      rmSync(path, { force: true });
      return;
    }
    const exec = [...this.deps.command, LoginItem.HIDDEN_ARG].map(LoginItem.quoteExecArg).join(' ');
    const entry = [
      '[Desktop Entry]',
      'Type=Application',
      'Name=DevMesh',
      'Comment=Supervises your local services',
      `Exec=${exec}`,
      // the icon the deb and AppImage install (electron-builder.yml linux.executableName), and the window's
      // WM_CLASS (package.json desktopName without .desktop, as Electron 41+ derives it), as in the launcher's entry
      `Icon=${this.deps.iconName ?? 'devmesh-app'}`,
      `StartupWMClass=${this.deps.wmClass ?? 'dev.devmesh.app'}`,
      'Terminal=false',
      'X-GNOME-Autostart-enabled=true',
      '',
    ].join('\n');
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, entry, { mode: 0o644 });
  }

  /** Quoting of the Desktop Entry spec: reserved characters inside double quotes, with \ escapes. */
  private static quoteExecArg(arg: string): string {
    const escaped = arg.replace(/%/g, '%%');
    if (/^[A-Za-z0-9_\-./=:,+@%]+$/.test(escaped)) return escaped;
    return `"${escaped.replace(/(["`$\\])/g, '\\$1')}"`;
  }
}
