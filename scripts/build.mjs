// Builds every face: the CLI/daemon and the Electron main process (esbuild), the preload (esbuild, fully
// bundled: a sandboxed preload cannot load node_modules) and the renderer (vite).
//
// The CLI is three bundles in dist/cli, so that a command reads and compiles only what it runs:
//   devmesh.js          main/cli/main.ts: the thin clients of the API (status, version, start, logs…); no zod
//                       classic, no core
//   devmesh-full.js     main/cli/full-main.ts: every command and the daemon (`up`); devmesh.js loads it for
//                       any command it does not run itself
//   client-contract.js  the contract's schemas, which devmesh.js loads only to check a daemon built from
//                       another contract
// They inline their client-side packages (zod, ws) and leave the rest external: loading zod from
// node_modules resolves ~95 files (about twice the time of the bundled copy) and ws's top level requires
// https, tls and zlib (permessage-deflate), which a client of ws://127.0.0.1 without compression never uses,
// so they load on first use. Every bundle gets
// the contract fingerprint (a hash of shared/), which lets a CLI skip re-validating the answers of a
// daemon built from the same contract (main/api/contract-fingerprint.ts).
import { build } from 'esbuild';
import { build as viteBuild } from 'vite';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.slice(2).find((a) => !a.startsWith('--'));
const metafile = process.argv.includes('--metafile');

function contractFingerprint() {
  const hash = createHash('sha256');
  for (const name of readdirSync(`${root}shared`)
    .filter((n) => n.endsWith('.ts'))
    .sort()) {
    hash
      .update(`${name}\0`)
      .update(readFileSync(`${root}shared/${name}`))
      .update('\0');
  }
  return hash.digest('hex').slice(0, 24);
}

const define = { __DEVMESH_CONTRACT__: JSON.stringify(contractFingerprint()) };
const common = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  absWorkingDir: root,
  define,
};

/**
 * Packages stay external (node_modules) except those named; ws gets lazy https/tls/zlib and no optional add-ons.
 * `split`: main/cli modules (`full-main.js`) that stay out of this bundle, by the file they are built to.
 * `wsClientOnly`: `ws` is its client class alone (lib/websocket.js), without the server and the stream helper.
 */
function cliPackages(inline, split = {}, wsClientOnly = false) {
  return {
    name: 'cli-packages',
    setup(b) {
      if (wsClientOnly) {
        b.onResolve({ filter: /^ws$/ }, () => ({ path: 'ws', namespace: 'ws-client' }));
        b.onLoad({ filter: /.*/, namespace: 'ws-client' }, () => ({
          contents: `exports.WebSocket = require('ws/lib/websocket.js');`,
          resolveDir: `${root}node_modules/ws`,
          loader: 'js',
        }));
        // ws's exports map hides lib/; this one file is its client (a ws upgrade that moves it fails the build)
        const client = realpathSync(`${root}node_modules/ws/lib/websocket.js`);
        b.onResolve({ filter: /^ws\/lib\/websocket\.js$/ }, () => ({ path: client }));
      }
      b.onResolve({ filter: /^(https|tls|zlib)$/ }, (a) =>
        a.importer.includes('/node_modules/ws/') ? { path: a.path, namespace: 'lazy-builtin' } : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (a) => ({
        contents: `let m; module.exports = new Proxy({}, { get: (_, k) => (m ??= require('node:${a.path}'))[k] });`,
        loader: 'js',
      }));
      // ws tries these optional native add-ons in a try/catch; we ship neither
      b.onResolve({ filter: /^(bufferutil|utf-8-validate)$/ }, (a) => ({ path: a.path, namespace: 'absent' }));
      b.onLoad({ filter: /.*/, namespace: 'absent' }, (a) => ({
        contents: `throw new Error('${a.path} is not bundled');`,
        loader: 'js',
      }));
      // the modules that are bundles of their own: a require of that file at run time
      b.onResolve({ filter: /^\.\/[\w-]+\.js$/ }, (a) => {
        const file = split[a.path.slice(2)];
        return file && a.importer.startsWith(`${root}main/cli/`) ? { path: `./${file}`, external: true } : undefined;
      });
      b.onResolve({ filter: /^[^./]/ }, (a) => {
        if (a.path.startsWith('node:') || inline.some((p) => a.path === p || a.path.startsWith(`${p}/`)))
          return undefined;
        return { path: a.path, external: true };
      });
    },
  };
}

/** dist/cli/devmesh.js stays a thin client: zod in it would cost every command's start (see main/cli/main.ts). */
function checkThinClient(meta) {
  const heavy = Object.keys(meta.inputs).filter((p) => p.includes('node_modules/zod/'));
  if (heavy.length === 0) return;
  const importers = Object.entries(meta.inputs)
    .filter(
      ([p, input]) =>
        !p.includes('node_modules/') &&
        input.imports.some(
          (i) => heavy.includes(i.path) || /^shared\/(?!devmesh-error|wire-protocol|service-states)/.test(i.path),
        ),
    )
    .map(([p]) => p);
  throw new Error(
    `dist/cli/devmesh.js (the thin client) includes zod, through ${importers.join(', ') || heavy[0]}: import the zod-free modules (shared/devmesh-error.ts, shared/wire-protocol.ts, shared/service-states.ts) or load the module lazily`,
  );
}

const cliMinify = { minifyWhitespace: true, minifySyntax: true };
if (!only) rmSync(`${root}dist`, { recursive: true, force: true });
const jobs = [];
if (!only || only === 'main') {
  const thinSplit = { 'full-main.js': 'devmesh-full.js', 'client-contract.js': 'client-contract.js' };
  jobs.push(
    ...[
      ['main/cli/main.ts', 'devmesh', thinSplit, true],
      ['main/cli/full-main.ts', 'devmesh-full', {}, false],
      ['main/cli/client-contract.ts', 'client-contract', {}, false],
    ].map(([entry, name, split, wsClientOnly]) =>
      build({
        ...common,
        entryPoints: [entry],
        outfile: `dist/cli/${name}.js`,
        plugins: [cliPackages(['zod', 'ws'], split, wsClientOnly)],
        metafile: true,
        ...cliMinify,
      }).then((r) => {
        if (metafile) writeFileSync(`${root}dist/cli/${name}.meta.json`, JSON.stringify(r.metafile));
        if (name === 'devmesh') checkThinClient(r.metafile);
      }),
    ),
  );
  jobs.push(
    build({
      ...common,
      entryPoints: ['main/electron/main.ts'],
      outfile: 'dist/electron/main.js',
      packages: 'external',
      external: ['electron'],
    }),
  );
  jobs.push(
    build({
      ...common,
      entryPoints: ['preload/preload.ts'],
      outfile: 'dist/preload/preload.js',
      external: ['electron'],
    }),
  );
}
if (!only || only === 'renderer') {
  jobs.push(viteBuild({ configFile: `${root}renderer/vite.config.mts`, logLevel: 'warn' }));
}
await Promise.all(jobs);
console.log('build: ok');
