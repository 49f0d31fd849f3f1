// `npm run dist`: builds every face, then packages the desktop app with electron-builder for this OS
// (electron-builder.yml: AppImage + deb on Linux, dmg on macOS) into release/. There is no Windows build:
// the supervisor runs services through /bin/sh in POSIX process groups, so none would start (README).
//
// DEVMESH_ELECTRON_DIST=<dir>  package against a local Electron (a folder holding the `electron` executable)
//                              instead of downloading one, and only lay out the unpacked app (--dir). Offline
//                              machines use this with a stub executable: the result is inspectable, not runnable.
// --targets=dir,deb            with DEVMESH_ELECTRON_DIST: these electron-builder targets instead of --dir (the
//                              deb also needs fpm: CUSTOM_FPM_PATH, as tests/packaging/asar.test.ts gives it).
// --skip-build                 package the dist/ that is already there.
// Any other argument goes to electron-builder (e.g. -c.directories.output=/tmp/out, --x64).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const skipBuild = args.includes('--skip-build');
const targets = args
  .find((a) => a.startsWith('--targets='))
  ?.slice('--targets='.length)
  .split(',')
  .filter(Boolean);
const passthrough = args.filter((a) => a !== '--skip-build' && !a.startsWith('--targets='));

function fail(message) {
  console.error(`dist: ${message}`);
  process.exit(1);
}

const WINDOWS =
  'DevMesh has no Windows build: its supervisor starts services through /bin/sh and stops them by POSIX process ' +
  'group, so on Windows no service would start. Build and use DevMesh on Linux or macOS.';
if (process.platform === 'win32' || args.some((a) => /^--win(dows|32)?$/.test(a) || a === '-w')) fail(WINDOWS);

if (!skipBuild) {
  const built = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit', cwd: root });
  if (built.status !== 0) fail('the build failed; nothing was packaged');
}
for (const file of ['dist/electron/main.js', 'dist/preload/preload.js', 'dist/renderer/index.html']) {
  if (!existsSync(join(root, file))) fail(`${file} is missing: run \`npm run build\` first (or drop --skip-build)`);
}

const hostFlag = { linux: '--linux', darwin: '--mac' }[process.platform];
if (!hostFlag) fail(`cannot package on ${process.platform}: DevMesh is built for Linux and macOS`);
const builderArgs = [hostFlag, '--publish', 'never'];

const localElectron = process.env.DEVMESH_ELECTRON_DIST;
if (localElectron) {
  const exe = join(localElectron, process.platform === 'win32' ? 'electron.exe' : 'electron');
  if (!existsSync(exe) || !statSync(exe).isFile()) fail(`DEVMESH_ELECTRON_DIST=${localElectron} holds no ${exe}`);
  const electronVersion = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;
  builderArgs.push(`-c.electronDist=${localElectron}`, `-c.electronVersion=${electronVersion}`, '-c.npmRebuild=false');
  if (targets) builderArgs.splice(0, 1, hostFlag, ...targets);
  else builderArgs.push('--dir');
}
builderArgs.push(...passthrough);

const cli = require.resolve('electron-builder/cli.js');
console.log(`dist: electron-builder ${builderArgs.join(' ')}`);
const packed = spawnSync(process.execPath, [cli, ...builderArgs], { stdio: 'inherit', cwd: root });
if (packed.status !== 0) fail(`electron-builder exited with ${packed.status ?? packed.signal}`);
console.log('dist: ok');
