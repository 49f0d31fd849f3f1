// The whole `devmesh` command: every command group (bundled to dist/cli/devmesh-full.js, which main.ts
// loads for any command that is not a thin API client).
import { runCliProcess } from './cli-process.js';
import { commandGroups } from './command-groups.js';

runCliProcess(commandGroups({ stdin: process.stdin, env: process.env }), process.argv.slice(2));
