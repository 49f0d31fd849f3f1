// Entry of the `devmesh` command (bundled to dist/cli/devmesh.js; bin/devmesh.js loads it under Node 22+).
// The commands that are thin clients of the API (status, version, start, logs…) run from here, a small
// bundle without zod, the core or the other commands; any other command line loads the whole CLI
// (full-main.ts, its own bundle: dist/cli/devmesh-full.js), which answers it exactly as before.
import type { ClientCommandGroups } from './client-command-groups.js';
import { CONTEXT_HOOK_ARGS, clientCommandGroups, contextHookGroup } from './client-command-groups.js';
import { internalError, runCliProcess } from './cli-process.js';
import { execWithHeapFlags } from './daemon-heap-flags.js';

const argv = process.argv.slice(2);
const groups = clientCommandGroups();
const client = (Object.keys(groups) as Array<keyof ClientCommandGroups>).map((name) => groups[name]);
const first = argv[0] ?? '';
// `--version` is `version`; `help`, no command and an unknown one need every command's name.
if (first === '--version' || first === '-v' || client.some((group) => group.names.includes(first))) {
  runCliProcess(client, argv);
} else if (first === 'hook' && (CONTEXT_HOOK_ARGS as readonly string[]).includes(argv[1] ?? '')) {
  runCliProcess([contextHookGroup({ stdin: process.stdin, env: process.env })], argv);
} else {
  // `up` may become the daemon: V8's young generation is sized when Node starts (daemon-heap-flags.ts)
  if (first === 'up') execWithHeapFlags();
  // require, not import(): import() of a CommonJS file goes through the ES module loader, which scans the 1.9 MB
  // bundle for its exports and keeps a second copy of its source for the process's life (the daemon's too)
  try {
    require('./full-main.js');
  } catch (err) {
    internalError(err);
  }
}
