// The `devmesh` command for an installed app without a package manager (macOS: "Install the devmesh command",
// as editors install `code`): a small shell script on the PATH that runs the CLI packaged with the app on the
// app's own Node (its Electron binary with ELECTRON_RUN_AS_NODE=1), as the deb's /usr/bin/devmesh does
// (assets/linux/devmesh). Plain Node (no electron import): the menu item that calls it, and the
// administrator prompt /usr/local/bin may need, belong to the app menu.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The line that marks a script as ours: only such a file is replaced. */
const MARKER = '# devmesh-command-wrapper';

export interface CliCommandPaths {
  /** the app's executable (process.execPath in the packaged app) */
  executable: string;
  /** the app's resources path inside which app.asar lives (app.getAppPath() is <resources>/app.asar) */
  appPath: string;
}

export type CliInstallResult =
  | { ok: true; path: string; replaced: boolean }
  | { ok: false; path: string; reason: 'not-ours' | 'permission' | 'failed'; message: string };

/** The wrapper's text: POSIX sh, each path single-quoted, every argument passed on. */
export function cliWrapperScript(paths: CliCommandPaths): string {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return [
    '#!/bin/sh',
    MARKER,
    '# The `devmesh` command of the DevMesh app: its CLI, on the app\'s own Node.',
    'export ELECTRON_RUN_AS_NODE=1',
    `exec ${quote(paths.executable)} ${quote(join(paths.appPath, 'bin', 'devmesh.js'))} "$@"`,
    '',
  ].join('\n');
}

/** Writes the wrapper at `target` (default /usr/local/bin/devmesh), never over a file that is not ours. */
export function installCliCommand(paths: CliCommandPaths, target = '/usr/local/bin/devmesh'): CliInstallResult {
  let replaced = false;
  if (existsSync(target)) {
    let text = '';
    try {
      text = readFileSync(target, 'utf8');
    } catch (err) {
      return { ok: false, path: target, reason: 'failed', message: `cannot read ${target}: ${(err as Error).message}` };
    }
    if (!text.split('\n').includes(MARKER)) {
      return {
        ok: false,
        path: target,
        reason: 'not-ours',
        message: `${target} exists and is not DevMesh's command (another devmesh install?): remove it, then try again`,
      };
    }
    replaced = true;
  }
  const temp = `${target}.devmesh-${process.pid}`;
  try {
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(temp, cliWrapperScript(paths), { mode: 0o755 });
    chmodSync(temp, 0o755);
    renameSync(temp, target);
    return { ok: true, path: target, replaced };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const permission = code === 'EACCES' || code === 'EPERM';
    return {
      ok: false,
      path: target,
      reason: permission ? 'permission' : 'failed',
      message: permission
        ? `${dirname(target)} is not writable for this user: installing the command needs an administrator`
        : `cannot write ${target}: ${(err as Error).message}`,
    };
  }
}
