// "Start at login": macOS and Windows through app.setLoginItemSettings; Linux, where Electron does not
// implement it, through an XDG autostart entry (~/.config/autostart/dev.devmesh.app.desktop). A launch at
// login passes --hidden, so DevMesh starts in the tray without opening its window.
import { app } from 'electron';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface LoginItemOptions {
  platform?: NodeJS.Platform;
  /** the command that launches the app (packaged: the executable, or the AppImage when run from one) */
  command: string[];
  /** Linux: the XDG autostart folder; default $XDG_CONFIG_HOME/autostart */
  autostartDir?: string;
}

export class LoginItem {
  static readonly HIDDEN_ARG = '--hidden';
  private readonly platform: NodeJS.Platform;

  constructor(private readonly options: LoginItemOptions) {
    this.platform = options.platform ?? process.platform;
  }

  get desktopEntryPath(): string {
    const dir = this.options.autostartDir ?? join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'autostart');
    return join(dir, 'dev.devmesh.app.desktop');
  }

  /** Registers (or removes) the app as a login item. Throws with the reason when the OS refuses. */
  set(enabled: boolean): void {
    if (this.platform === 'linux') {
      this.setLinux(enabled);
      return;
    }
    const [path, ...args] = this.options.command;
    app.setLoginItemSettings({ openAtLogin: enabled, ...(path ? { path } : {}), args: [...args, LoginItem.HIDDEN_ARG] });
  }

  /** True when this launch came from the login item (start in the tray, window closed). */
  launchedHidden(argv: readonly string[] = process.argv): boolean {
    if (argv.includes(LoginItem.HIDDEN_ARG)) return true;
    return this.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin === true;
  }

  private setLinux(enabled: boolean): void {
    const path = this.desktopEntryPath;
    if (!enabled) {
      rmSync(path, { force: true });
      return;
    }
    const exec = [...this.options.command, LoginItem.HIDDEN_ARG].map(LoginItem.quoteExecArg).join(' ');
    const entry = [
      '[Desktop Entry]',
      'Type=Application',
      'Name=DevMesh',
      'Comment=Supervises your local services',
      `Exec=${exec}`,
      // the icon the deb and AppImage install (electron-builder.yml linux.executableName), and the window's
      // WM_CLASS (package.json desktopName without .desktop), as in the launcher's entry
      'Icon=devmesh-app',
      'StartupWMClass=dev.devmesh.app',
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
