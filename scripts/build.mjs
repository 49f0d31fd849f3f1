// Builds every face: the CLI/daemon and the Electron main process (esbuild), the preload (esbuild, fully
// bundled: a sandboxed preload cannot load node_modules) and the renderer (vite).
//
// The CLI bundle inlines its client-side packages (zod, ws) and leaves the rest external: loading zod from
// node_modules resolves ~95 files (about twice the time of the bundled copy) and ws's top level requires
// https and tls, which a client of ws://127.0.0.1 never uses, so they load on first use. Every bundle gets
// the contract fingerprint (a hash of shared/), which lets a CLI skip re-validating the answers of a
// daemon built from the same contract (main/api/contract-fingerprint.ts).
import { build } from 'esbuild';
import { build as viteBuild } from 'vite';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.slice(2).find((a) => !a.startsWith('--'));
const metafile = process.argv.includes('--metafile');

function contractFingerprint() {
  const hash = createHash('sha256');
  for (const name of readdirSync(`${root}shared`).filter((n) => n.endsWith('.ts')).sort()) {
    hash.update(`${name}\0`).update(readFileSync(`${root}shared/${name}`)).update('\0');
  }
  return hash.digest('hex').slice(0, 24);
}

const define = { __DEVMESH_CONTRACT__: JSON.stringify(contractFingerprint()) };
const common = { bundle: true, platform: 'node', target: 'node22', format: 'cjs', sourcemap: true, logLevel: 'warning', absWorkingDir: root, define };

/** Packages stay external (node_modules) except those named; ws gets lazy https/tls and no optional add-ons. */
function cliPackages(inline) {
  return {
    name: 'cli-packages',
    setup(b) {
      b.onResolve({ filter: /^(https|tls)$/ }, (a) => (a.importer.includes('/node_modules/ws/') ? { path: a.path, namespace: 'lazy-builtin' } : undefined));
      b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (a) => ({
        contents: `let m; module.exports = new Proxy({}, { get: (_, k) => (m ??= require('node:${a.path}'))[k] });`,
        loader: 'js',
      }));
      // ws tries these optional native add-ons in a try/catch; we ship neither
      b.onResolve({ filter: /^(bufferutil|utf-8-validate)$/ }, (a) => ({ path: a.path, namespace: 'absent' }));
      b.onLoad({ filter: /.*/, namespace: 'absent' }, (a) => ({ contents: `throw new Error('${a.path} is not bundled');`, loader: 'js' }));
      b.onResolve({ filter: /^[^./]/ }, (a) => {
        if (a.path.startsWith('node:') || inline.some((p) => a.path === p || a.path.startsWith(`${p}/`))) return undefined;
        return { path: a.path, external: true };
      });
    },
  };
}

if (!only) rmSync(`${root}dist`, { recursive: true, force: true });
const jobs = [];
if (!only || only === 'main') {
  jobs.push(
    build({ ...common, entryPoints: ['main/cli/main.ts'], outfile: 'dist/cli/devmesh.js', plugins: [cliPackages(['zod', 'ws'])], metafile, minifyWhitespace: true, minifySyntax: true }).then((r) => {
      if (metafile) writeFileSync(`${root}dist/cli/meta.json`, JSON.stringify(r.metafile));
    }),
  );
  jobs.push(build({ ...common, entryPoints: ['main/electron/main.ts'], outfile: 'dist/electron/main.js', packages: 'external', external: ['electron'] }));
  jobs.push(build({ ...common, entryPoints: ['preload/preload.ts'], outfile: 'dist/preload/preload.js', external: ['electron'] }));
}
if (!only || only === 'renderer') {
  jobs.push(viteBuild({ configFile: `${root}renderer/vite.config.mts`, logLevel: 'warn' }));
}
await Promise.all(jobs);
console.log('build: ok');
