// "Install the devmesh command…" (macOS, as VS Code's "Install 'code' command in PATH"): writes
// /usr/local/bin/devmesh, a shell wrapper that runs the app's own CLI with the app's own Node
// (ELECTRON_RUN_AS_NODE=1 <the app's executable> <app>/bin/devmesh.js "$@"), so no separate Node install is
// needed. Where the folder is not writable by the user (or does not exist yet, as on a fresh Apple silicon
// Mac), the copy runs with administrator rights through `osascript … with administrator privileges`, which
// shows macOS's own password prompt. Plain Node: no electron here (the menu and dialogs are install-command.ts).
// On Linux the deb installs the same wrapper as /usr/bin/devmesh (assets/linux/devmesh).
import { execFile } from 'node:child_process';
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const DEFAULT_COMMAND_PATH = '/usr/local/bin/devmesh';
/** The line that marks a wrapper as DevMesh's own: one may be replaced without asking. */
export const WRAPPER_MARKER = '# devmesh command wrapper, written by the DevMesh app';

/** Quotes one word for sh: inside single quotes nothing is special but the single quote itself. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The wrapper script: the app's executable as Node runs the CLI bundled inside the app. */
export function wrapperScript(execPath: string, appPath: string): string {
  return [
    '#!/bin/sh',
    WRAPPER_MARKER,
    "# It runs the CLI inside the app with the app's own Node; delete this file to remove the command.",
    `ELECTRON_RUN_AS_NODE=1 exec ${shellQuote(execPath)} ${shellQuote(join(appPath, 'bin', 'devmesh.js'))} "$@"`,
    '',
  ].join('\n');
}

/** An AppleScript string literal escapes only backslash and double quote. */
export function adminAppleScript(shellCommand: string): string {
  const literal = shellCommand.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  return `do shell script "${literal}" with administrator privileges`;
}

/** Runs a shell command as an administrator on macOS: the system asks for the password. */
export function runAsAdminOnMac(shellCommand: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const script = adminAppleScript(shellCommand);
    execFile('/usr/bin/osascript', ['-e', script], { timeout: 5 * 60_000 }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      // osascript says "User canceled. (-128)" when the password prompt is dismissed.
      const canceled = /\(-128\)/.test(stderr);
      reject(Object.assign(new Error(canceled ? 'canceled' : stderr.trim() || err.message), { canceled }));
    });
  });
}

export type ExistingCommand = 'absent' | 'ours' | 'other';

export interface DevmeshCommandInstallerDeps {
  /** the app's executable (process.execPath) */
  execPath: string;
  /** the app's folder or app.asar (app.getAppPath()), holding bin/devmesh.js */
  appPath: string;
  /** default /usr/local/bin/devmesh */
  target?: string;
  /** runs a shell command with administrator rights (runAsAdminOnMac) */
  runAsAdmin(shellCommand: string): Promise<void>;
  /** whether this user may create files in the folder (or create the folder) */
  canWriteTo?(dir: string): boolean;
}

export interface InstallResult {
  path: string;
  /** true when administrator rights were asked for */
  elevated: boolean;
}

export class DevmeshCommandInstaller {
  readonly target: string;

  constructor(private readonly deps: DevmeshCommandInstallerDeps) {
    this.target = deps.target ?? DEFAULT_COMMAND_PATH;
  }

  /** What is at the target now: nothing, DevMesh's wrapper, or something else (another devmesh, from npm). */
  existing(): ExistingCommand {
    if (!existsSync(this.target)) return 'absent';
    try {
      return readFileSync(this.target, 'utf8').slice(0, 4096).includes(WRAPPER_MARKER) ? 'ours' : 'other';
    } catch {
      return 'other'; // a folder or unreadable file: not ours to overwrite silently
    }
  }

  /** Writes the wrapper (replacing what is there: ask first when existing() is 'other'). */
  async install(): Promise<InstallResult> {
    const script = wrapperScript(this.deps.execPath, this.deps.appPath);
    const dir = dirname(this.target);
    const canWrite = this.deps.canWriteTo ?? defaultCanWriteTo;
    if (canWrite(dir)) {
      mkdirSync(dir, { recursive: true });
      const tmp = `${this.target}.${process.pid}.tmp`;
      writeFileSync(tmp, script, { mode: 0o755 });
      renameSync(tmp, this.target);
      return { path: this.target, elevated: false };
    }
    const staging = mkdtempSync(join(tmpdir(), 'devmesh-command-'));
    try {
      const staged = join(staging, 'devmesh');
      writeFileSync(staged, script, { mode: 0o755 });
      await this.deps.runAsAdmin(DevmeshCommandInstaller.elevatedCopy(staged, this.target));
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
    return { path: this.target, elevated: true };
  }

  /** The one shell command run as administrator: create the folder, copy the staged wrapper, make it runnable. */
  static elevatedCopy(staged: string, target: string): string {
    const q = shellQuote;
    return `mkdir -p ${q(dirname(target))} && cp ${q(staged)} ${q(target)} && chmod 755 ${q(target)}`;
  }
}

/** A folder that does not exist yet can be made where its nearest existing parent is writable. */
function defaultCanWriteTo(dir: string): boolean {
  let probe = dir;
  while (!existsSync(probe) && dirname(probe) !== probe) probe = dirname(probe);
  try {
    accessSync(probe, constants.W_OK);
    return true;
  } catch {
    return false; // not ours to write: the caller asks for administrator rights
  }
}
