// Whether the desktop shows tray icons at all. macOS and Windows always do. On Linux, Electron's tray
// (shell/browser/ui/tray_icon_linux.cc) first tries Chromium's StatusNotifierItem over D-Bus
// (ui/linux/status_icon_linux_dbus.cc): it asks the session bus NameHasOwner("org.kde.StatusNotifierWatcher"),
// then reads the watcher's IsStatusNotifierHostRegistered property, and gives up for good on `false` from
// either. It then falls back to GTK's status icon, the XEmbed system tray, which shows only where an X11
// client owns the `_NET_SYSTEM_TRAY_S<screen>` selection. Vanilla GNOME has neither (its AppIndicator
// extension is what provides the watcher), so there a Tray is created without error and never seen.
// Plain Node (no electron): the bus is asked with `dbus-send`, or `gdbus` where dbus-send is missing; the X11
// display in its own protocol (xembed-tray.ts).
import { execFile } from 'node:child_process';
import { xembedTrayOwned } from './xembed-tray.js';

export interface TrayPresence {
  /** true when a tray icon will be seen */
  available: boolean;
  /** how that was decided, for the log */
  reason: string;
}

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** the command could not be started (not installed) */
  missing: boolean;
}
export type RunCommand = (
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
) => Promise<CommandResult>;

export interface TrayPresenceOptions {
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  /** per bus call; a bus that does not answer in time counts as no tray */
  timeoutMs?: number;
  run?: RunCommand;
  /** the app's command line: --ozone-platform=x11 keeps it on X11 in a Wayland session */
  argv?: readonly string[];
  /** the XEmbed check where DISPLAY is set: does a system tray own the selection (xembed-tray.ts) */
  xembedTrayOwned?: (env: NodeJS.ProcessEnv) => Promise<boolean | null>;
}

const WATCHER = 'org.kde.StatusNotifierWatcher';
const WATCHER_PATH = '/StatusNotifierWatcher';

/** What the session bus says about the StatusNotifierWatcher: true / false, or null when it could not be asked. */
type Answer = { value: boolean | null; detail: string };

export async function detectTrayPresence(options: TrayPresenceOptions = {}): Promise<TrayPresence> {
  const platform = options.platform ?? process.platform;
  if (platform !== 'linux') return { available: true, reason: `${platform} always has a tray` };
  const env = options.env ?? process.env;
  const bus = new SessionBus(options.run ?? runCommand, env, options.timeoutMs ?? 3000);

  const owned = await bus.nameHasOwner(WATCHER);
  let sni: string;
  if (owned.value === true) {
    const host = await bus.booleanProperty(WATCHER, WATCHER_PATH, WATCHER, 'IsStatusNotifierHostRegistered');
    if (host.value === true)
      return { available: true, reason: `${WATCHER} has a host registered (StatusNotifierItem)` };
    sni = `${WATCHER} has no host registered (${host.detail})`;
  } else {
    sni =
      owned.value === false ? `no ${WATCHER} on the session bus` : `could not ask the session bus (${owned.detail})`;
  }
  // Since Electron 38 the app runs as a native Wayland client where XDG_SESSION_TYPE=wayland (electron#48301):
  // GTK's status icon, an X11 window, cannot show there even if XWayland has a tray.
  const argv = options.argv ?? process.argv;
  const nativeWayland = env.XDG_SESSION_TYPE === 'wayland' && !argv.includes('--ozone-platform=x11');
  if (nativeWayland) return { available: false, reason: `${sni}; a Wayland session has no XEmbed tray` };
  if (env.DISPLAY) {
    const ask = options.xembedTrayOwned ?? ((e: NodeJS.ProcessEnv) => xembedTrayOwned({ env: e }));
    const xembed = await ask(env).catch(() => null);
    if (xembed === true) return { available: true, reason: `${sni}; an XEmbed system tray owns the X11 selection` };
    sni += xembed === false ? '; no XEmbed system tray on the X11 display' : '; the X11 display could not be asked';
  }
  return { available: false, reason: sni };
}

/** Two calls on the session bus through the client tools every Linux desktop has (dbus-bin, libglib2.0-bin). */
class SessionBus {
  constructor(
    private readonly run: RunCommand,
    private readonly env: NodeJS.ProcessEnv,
    private readonly timeoutMs: number,
  ) {}

  nameHasOwner(name: string): Promise<Answer> {
    return this.ask(
      [
        '--session',
        '--print-reply',
        `--reply-timeout=${this.timeoutMs}`,
        '--dest=org.freedesktop.DBus',
        '/org/freedesktop/DBus',
        'org.freedesktop.DBus.NameHasOwner',
        `string:${name}`,
      ],
      [
        'call',
        '--session',
        '--timeout',
        String(Math.ceil(this.timeoutMs / 1000)),
        '--dest',
        'org.freedesktop.DBus',
        '--object-path',
        '/org/freedesktop/DBus',
        '--method',
        'org.freedesktop.DBus.NameHasOwner',
        name,
      ],
    );
  }

  booleanProperty(dest: string, path: string, iface: string, property: string): Promise<Answer> {
    return this.ask(
      [
        '--session',
        '--print-reply',
        `--reply-timeout=${this.timeoutMs}`,
        `--dest=${dest}`,
        path,
        'org.freedesktop.DBus.Properties.Get',
        `string:${iface}`,
        `string:${property}`,
      ],
      [
        'call',
        '--session',
        '--timeout',
        String(Math.ceil(this.timeoutMs / 1000)),
        '--dest',
        dest,
        '--object-path',
        path,
        '--method',
        'org.freedesktop.DBus.Properties.Get',
        iface,
        property,
      ],
    );
  }

  private async ask(dbusSendArgs: string[], gdbusArgs: string[]): Promise<Answer> {
    // A hung bus must not hold the start: the child gets the timeout too, with a margin for its start-up.
    const limit = this.timeoutMs + 2000;
    const viaDbusSend = await this.run('dbus-send', dbusSendArgs, this.env, limit);
    if (!viaDbusSend.missing) return parseReply(viaDbusSend, /\bboolean (true|false)\b/);
    const viaGdbus = await this.run('gdbus', gdbusArgs, this.env, limit);
    if (!viaGdbus.missing) return parseReply(viaGdbus, /\(<?(true|false)>?,\)/);
    return { value: null, detail: 'neither dbus-send nor gdbus is installed' };
  }
}

function parseReply(result: CommandResult, pattern: RegExp): Answer {
  const match = result.code === 0 ? pattern.exec(result.stdout) : null;
  if (match) return { value: match[1] === 'true', detail: 'answered' };
  const why = (result.stderr.trim() || result.stdout.trim() || `exit code ${result.code}`)
    .split('\n')[0]!
    .slice(0, 200);
  return { value: null, detail: why };
}

export const runCommand: RunCommand = (file, args, env, timeoutMs) =>
  new Promise((resolve) => {
    execFile(file, args, { env, timeout: timeoutMs, maxBuffer: 64 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ code, stdout, stderr: stderr || (err && !stderr ? err.message : ''), missing: err?.code === 'ENOENT' });
    });
  });
