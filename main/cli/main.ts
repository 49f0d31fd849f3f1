// Entry of the `devmesh` command (bundled to dist/cli/devmesh.js; bin/devmesh.js loads it under Node 22+).
// The composition root of the CLI: the home folder, the output streams and the command groups.
import { resolve } from 'node:path';
import packageJson from '../../package.json';
import { DevMeshHome } from '../core/home/devmesh-home.js';
import { Cli } from './cli.js';
import { CliContext } from './cli-context.js';
import { CaCommands } from './commands/ca-commands.js';
import { DaemonCommands } from './commands/daemon-commands.js';
import { DoctorCommands } from './commands/doctor-commands.js';
import { LogCommands } from './commands/log-commands.js';
import { MeshCommands } from './commands/mesh-commands.js';
import { TerminalCommands } from './commands/terminal-commands.js';
import { AgentCommands } from './commands/agent-commands.js';
import { LockCommands } from './commands/lock-commands.js';
import { AuditCommands } from './commands/audit-commands.js';
import { TaskCommands } from './commands/task-commands.js';
import { MessageCommands } from './commands/message-commands.js';
import { McpCommands } from './commands/mcp-commands.js';
import { ProjectCommands } from './commands/project-commands.js';
import { ProxyCommands } from './commands/proxy-commands.js';
import { ServiceCommands } from './commands/service-commands.js';
import { HookCommands } from './commands/hook-commands.js';

const ctx = new CliContext({
  home: new DevMeshHome(),
  version: packageJson.version,
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
  relaunch: { command: process.execPath, args: [...process.execArgv, process.argv[1] ?? __filename] },
  // dist/cli/devmesh.js → dist/renderer
  rendererDir: resolve(__dirname, '../renderer'),
});
const cli = new Cli(ctx, [
  ...new DaemonCommands().commands(),
  ...new ServiceCommands().commands(),
  ...new LogCommands().commands(),
  ...new ProjectCommands().commands(),
  ...new CaCommands().commands(),
  ...new ProxyCommands().commands(),
  ...new MeshCommands().commands(),
  ...new TerminalCommands().commands(),
  ...new AgentCommands().commands(),
  ...new HookCommands({ stdin: process.stdin, env: process.env }).commands(),
  ...new TaskCommands().commands(),
  ...new LockCommands().commands(),
  ...new MessageCommands().commands(),
  ...new AuditCommands().commands(),
  ...new McpCommands().commands(),
  ...new DoctorCommands().commands(),
]);

cli.run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`devmesh: internal error: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
