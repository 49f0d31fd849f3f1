// Builds every face: the CLI/daemon and the Electron main process (esbuild, dependencies left external),
// the preload (esbuild, fully bundled: a sandboxed preload cannot load node_modules) and the renderer (vite).
import { build } from 'esbuild';
import { build as viteBuild } from 'vite';
import { rmSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv[2];
const common = { bundle: true, platform: 'node', target: 'node22', format: 'cjs', sourcemap: true, logLevel: 'warning', absWorkingDir: root };

if (!only) rmSync(`${root}dist`, { recursive: true, force: true });
const jobs = [];
if (!only || only === 'main') {
  jobs.push(build({ ...common, entryPoints: ['main/cli/main.ts'], outfile: 'dist/cli/devmesh.js', packages: 'external' }));
  jobs.push(build({ ...common, entryPoints: ['main/electron/main.ts'], outfile: 'dist/electron/main.js', packages: 'external', external: ['electron'] }));
  jobs.push(build({ ...common, entryPoints: ['preload/preload.ts'], outfile: 'dist/preload/preload.js', external: ['electron'] }));
}
if (!only || only === 'renderer') {
  jobs.push(viteBuild({ configFile: `${root}renderer/vite.config.mts`, logLevel: 'warn' }));
}
await Promise.all(jobs);
console.log('build: ok');
