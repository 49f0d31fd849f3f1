// Runs `devmesh` in this process: the home folder, the output streams (a reader that goes away ends the
// command quietly) and the given command groups; exits with the command's code.
import { resolve } from 'node:path';
import packageJson from '../../package.json';
import { DevMeshHome } from '../core/home/devmesh-home.js';
import { BrokenPipeGuard } from './broken-pipe-guard.js';
import { Cli } from './cli.js';
import type { CommandGroup } from './cli-command.js';
import { CliContext } from './cli-context.js';

export function runCliProcess(groups: readonly CommandGroup[], argv: readonly string[]): void {
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
  new Cli(ctx, groups).run(argv).then(
    (code) => process.exit(code),
    (err: unknown) => internalError(err),
  );
}

export function internalError(err: unknown): never {
  process.stderr.write(`devmesh: internal error: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
}
