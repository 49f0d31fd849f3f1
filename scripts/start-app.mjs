// `npm start`: builds when dist/ is missing or older than the sources, then launches the desktop app with
// the Electron binary of node_modules/electron. Where there is no display, or no Electron binary (Electron
// 45 downloads it on first use, which offline machines and CI cannot), it runs the headless daemon instead
// on the devmesh.yaml of the folder `npm start` ran in (else the demo project) and prints the UI's address:
// the same core and UI, in a browser. It never tries a download that cannot work.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const require = createRequire(import.meta.url);
const OUTPUTS = ['dist/electron/main.js', 'dist/preload/preload.js', 'dist/renderer/index.html', 'dist/cli/devmesh.js'];
const SOURCES = ['main', 'preload', 'renderer', 'shared'];

function newestMtime(dir) {
  let newest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function buildIsStale() {
  const outputs = OUTPUTS.map((f) => join(root, f));
  if (!outputs.every((f) => existsSync(f))) return 'dist/ is missing';
  const oldestOutput = Math.min(...outputs.map((f) => statSync(f).mtimeMs));
  const newestSource = Math.max(...SOURCES.map((d) => newestMtime(join(root, d))));
  return newestSource > oldestOutput ? 'the sources changed since the last build' : null;
}

/** { binary } when Electron's executable is there, else { missing: where it was looked for }. Never downloads. */
function findElectron() {
  let pkgDir;
  try {
    pkgDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return { missing: 'node_modules/electron (not installed: run `npm run setup`)' };
  }
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const pathFile = join(pkgDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : 'electron';
  const candidate = override ? join(override, relative) : join(pkgDir, 'dist', relative);
  if (!existsSync(candidate) || (!override && !existsSync(pathFile))) return { missing: candidate };
  // Installed: electron's own resolution gives the path (it would try a download if we had not checked).
  return { binary: require('electron') };
}

/** Why the desktop app cannot open a window here, or null when it can. */
function noDisplay() {
  if (process.platform !== 'linux') return null; // macOS and Windows always have a desktop session
  if (process.env.DISPLAY || process.env.WAYLAND_DISPLAY) return null;
  return 'there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)';
}

/** The project the headless daemon opens: the devmesh.yaml of the folder `npm start` ran in, else the demo. */
function headlessProject() {
  const from = process.env.INIT_CWD ?? process.cwd(); // npm runs scripts in the package root; INIT_CWD is the user's
  if (existsSync(join(from, 'devmesh.yaml'))) return from;
  return join(root, 'examples', 'shop');
}

const stale = buildIsStale();
if (stale) {
  console.log(`start: ${stale}; building...`);
  const built = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit', cwd: root });
  if (built.status !== 0) {
    console.error('start: the build failed; fix the errors above and run `npm start` again');
    process.exit(1);
  }
}

const electron = findElectron();
const why = electron.binary ? noDisplay() : `the Electron binary is not installed (no ${electron.missing})`;
let child;
if (why === null) {
  child = spawn(electron.binary, [root, ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });
} else {
  // The same core and UI without a window: the daemon prints the address to open in a browser.
  const project = headlessProject();
  console.log(`start: ${why}; running DevMesh headless with ${project} (open the address below in your browser)`);
  if (!electron.binary)
    console.log(
      'start: to get the desktop app, run `node node_modules/electron/install.js` once (needs GitHub access)',
    );
  const args = [join(root, 'bin', 'devmesh.js'), 'up', '--project', project, ...process.argv.slice(2)];
  child = spawn(process.execPath, args, { stdio: 'inherit', cwd: process.env.INIT_CWD ?? root });
}
// Ctrl-C reaches the child from the terminal itself (same process group); forwarding it as well would be a
// second Ctrl-C, which forces the daemon out without stopping its services. So wait for the child instead.
process.on('SIGINT', () => {});
for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.exitCode === null && child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
