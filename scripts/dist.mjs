// `npm run dist`: builds every face, then packages the desktop app with electron-builder for this OS
// (electron-builder.yml: AppImage + deb on Linux, dmg on macOS, nsis on Windows) into release/.
//
// DEVMESH_ELECTRON_DIST=<dir>  package against a local Electron (a folder holding the `electron` executable)
//                              instead of downloading one, and only lay out the unpacked app (--dir). Offline
//                              machines use this with a stub executable: the result is inspectable, not runnable.
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
const passthrough = args.filter((a) => a !== '--skip-build');

function fail(message) {
  console.error(`dist: ${message}`);
  process.exit(1);
}

if (!skipBuild) {
  const built = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit', cwd: root });
  if (built.status !== 0) fail('the build failed; nothing was packaged');
}
for (const file of ['dist/electron/main.js', 'dist/preload/preload.js', 'dist/renderer/index.html']) {
  if (!existsSync(join(root, file))) fail(`${file} is missing: run \`npm run build\` first (or drop --skip-build)`);
}

const hostFlag = { linux: '--linux', darwin: '--mac', win32: '--win' }[process.platform];
if (!hostFlag) fail(`cannot package on ${process.platform}: electron-builder targets linux, darwin and win32`);
const builderArgs = [hostFlag, '--publish', 'never'];

const localElectron = process.env.DEVMESH_ELECTRON_DIST;
if (localElectron) {
  const exe = join(localElectron, process.platform === 'win32' ? 'electron.exe' : 'electron');
  if (!existsSync(exe) || !statSync(exe).isFile()) fail(`DEVMESH_ELECTRON_DIST=${localElectron} holds no ${exe}`);
  const electronVersion = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;
  builderArgs.push(`-c.electronDist=${localElectron}`, `-c.electronVersion=${electronVersion}`, '-c.npmRebuild=false', '--dir');
}
builderArgs.push(...passthrough);

const cli = require.resolve('electron-builder/cli.js');
console.log(`dist: electron-builder ${builderArgs.join(' ')}`);
const packed = spawnSync(process.execPath, [cli, ...builderArgs], { stdio: 'inherit', cwd: root });
if (packed.status !== 0) fail(`electron-builder exited with ${packed.status ?? packed.signal}`);
console.log('dist: ok');
