// Entry of the `devmesh` command (bundled to dist/cli/devmesh.js; bin/devmesh.js loads it under Node 22+).
// The composition root of the CLI: the home folder, the output streams and the command groups, each
// loaded only when one of its commands runs (see command-groups.ts).
import { resolve } from 'node:path';
import packageJson from '../../package.json';
import { DevMeshHome } from '../core/home/devmesh-home.js';
import { BrokenPipeGuard } from './broken-pipe-guard.js';
import { Cli } from './cli.js';
import { CliContext } from './cli-context.js';
import { commandGroups } from './command-groups.js';

const output = new BrokenPipeGuard((code) => process.exit(code));
output.watch(process.stdout, 'stdout');
output.watch(process.stderr, 'stderr');

const ctx = new CliContext({
  home: new DevMeshHome(),
  version: packageJson.version,
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
  relaunch: { command: process.execPath, args: [...process.execArgv, process.argv[1] ?? __filename] },
  // dist/cli/devmesh.js → dist/renderer
  rendererDir: resolve(__dirname, '../renderer'),
  outliveOutput: () => output.outliveReader(),
});
const cli = new Cli(ctx, commandGroups({ stdin: process.stdin, env: process.env }));

cli.run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`devmesh: internal error: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
