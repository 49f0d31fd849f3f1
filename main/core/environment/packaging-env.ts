// What the app's own packaging and runtime put into its environment, taken out before anything DevMesh
// starts (services, terminals, agents, the login shell that resolves the user's environment). Left in, an
// AppImage's LD_LIBRARY_PATH makes the user's programs load the app's bundled libraries, its PATH prefix
// puts the app's folder first, APPIMAGE/APPDIR/ARGV0/OWD make other tools think they run inside an AppImage,
// CHROME_DESKTOP makes an Electron or Chromium app started from a DevMesh terminal claim DevMesh's desktop
// entry, and ELECTRON_RUN_AS_NODE turns every Electron app started from a terminal (VS Code's `code`) into
// plain Node.
//
// Sources relied on:
// - AppImage's type-2 runtime sets APPIMAGE, APPDIR, OWD and ARGV0 (AppImage documentation, "Environment
//   variables"); electron-builder's AppRun prepends folders under $APPDIR to PATH, LD_LIBRARY_PATH and
//   XDG_DATA_DIRS. Every list entry under $APPDIR is removed, whichever variable carries it.
// - Electron sets CHROME_DESKTOP from the app's desktopName on Linux, and when it overrides
//   XDG_CURRENT_DESKTOP it keeps the value it started with in ORIGINAL_XDG_CURRENT_DESKTOP
//   (electronjs.org/docs/latest/api/environment-variables); the original is put back.
// - ELECTRON_RUN_AS_NODE / ELECTRON_NO_ATTACH_CONSOLE: the app's own `devmesh` wrapper and the resolver
//   set them for one process; children must not inherit them (VS Code drops both from the resolved env).
// Snap and Flatpak are not packaged (electron-builder.yml builds AppImage and deb), so their variables stay.

/** Variables that exist only because of how the app was packaged or launched. */
export const PACKAGING_VARIABLES = [
  'APPIMAGE',
  'APPDIR',
  'ARGV0',
  'OWD',
  'CHROME_DESKTOP',
  'ELECTRON_RUN_AS_NODE',
  'ELECTRON_NO_ATTACH_CONSOLE',
  /** set while the login shell resolves the env, so rc files can tell (VS Code's VSCODE_RESOLVING_ENVIRONMENT) */
  'DEVMESH_RESOLVING_ENVIRONMENT',
] as const;

export type EnvRecord = Record<string, string>;

/**
 * A copy of `env` without the packaging's variables and without list entries under $APPDIR (a variable left
 * empty by that is removed); XDG_CURRENT_DESKTOP as it was before Electron changed it. `env` is unchanged.
 */
export function stripPackagingEnv(env: NodeJS.ProcessEnv, delimiter = ':'): EnvRecord {
  const out: EnvRecord = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  const appDir = out.APPDIR;
  if (appDir && appDir.length > 1) {
    const root = appDir.replace(/\/+$/, '');
    const inside = (entry: string) => entry === root || entry.startsWith(`${root}/`);
    for (const [k, v] of Object.entries(out)) {
      if (k === 'APPDIR' || !v.includes(root)) continue;
      const entries = v.split(delimiter);
      const kept = entries.filter((e) => !inside(e));
      if (kept.length === entries.length) continue;
      // "…:" (an empty last entry, the current folder for PATH) is what AppRun's "$APPDIR/usr/lib:$LD_LIBRARY_PATH"
      // leaves when the variable was unset; it is dropped with the entries the packaging added.
      const meaningful = kept.filter((e) => e !== '');
      if (meaningful.length === 0) delete out[k];
      else out[k] = meaningful.join(delimiter);
    }
  }
  const original = out.ORIGINAL_XDG_CURRENT_DESKTOP;
  if (original !== undefined) {
    // Electron writes "undefined" when there was none
    if (original === '' || original === 'undefined') delete out.XDG_CURRENT_DESKTOP;
    else out.XDG_CURRENT_DESKTOP = original;
    delete out.ORIGINAL_XDG_CURRENT_DESKTOP;
  }
  for (const name of PACKAGING_VARIABLES) delete out[name];
  return out;
}
