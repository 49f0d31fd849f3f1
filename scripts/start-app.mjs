// `npm start`: builds when dist/ is missing or older than the sources, then launches the desktop app with
// the Electron binary of node_modules/electron. Electron 45 downloads that binary on first use; where it
// is absent (offline machines, CI) this says so and points to the headless daemon, which serves the same
// UI in a browser, instead of trying a download that cannot work.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const require = createRequire(import.meta.url);
const OUTPUTS = ['dist/electron/main.js', 'dist/preload/preload.js', 'dist/renderer/index.html'];
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

const electron = findElectron();
if (!electron.binary) {
  console.error(
    [
      `start: the Electron binary is not installed on this machine (no ${electron.missing}).`,
      '  Electron downloads it on first use, which needs network access to GitHub; with access, run',
      '  `node node_modules/electron/install.js` once and then `npm start` again.',
      '  Without it, run the same DevMesh UI in your browser with the headless daemon:',
      '',
      '      npx devmesh up',
      '',
    ].join('\n'),
  );
  process.exit(1);
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

const child = spawn(electron.binary, [root, ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
