// The command groups of `devmesh`, each loaded on demand: `devmesh status` loads the service commands, not
// the daemon, the MCP SDK, the CA or the task board. The names are listed here so that dispatch, `help
// <command>` and "did you mean" work without loading a group.
import type { CliCommand, CommandGroup } from './cli-command.js';
import type { HookIo } from './commands/hook-commands.js';

export function commandGroups(io: HookIo): CommandGroup[] {
  const group = (names: string[], load: () => Promise<{ commands(): CliCommand[] }>): CommandGroup => ({
    names,
    load: async () => (await load()).commands(),
  });
  return [
    group(['up', 'down', 'version'], async () => new (await import('./commands/daemon-commands.js')).DaemonCommands()),
    group(['status', 'start', 'stop', 'restart', 'run'], async () => new (await import('./commands/service-commands.js')).ServiceCommands()),
    group(['logs'], async () => new (await import('./commands/log-commands.js')).LogCommands()),
    group(['projects', 'open', 'close'], async () => new (await import('./commands/project-commands.js')).ProjectCommands()),
    group(['ca'], async () => new (await import('./commands/ca-commands.js')).CaCommands()),
    group(['routes', 'requests'], async () => new (await import('./commands/proxy-commands.js')).ProxyCommands()),
    group(['mesh', 'peers', 'graph', 'alerts'], async () => new (await import('./commands/mesh-commands.js')).MeshCommands()),
    group(['term', 'rec'], async () => new (await import('./commands/terminal-commands.js')).TerminalCommands()),
    group(['agent'], async () => new (await import('./commands/agent-commands.js')).AgentCommands()),
    group(['hook'], async () => new (await import('./commands/hook-commands.js')).HookCommands(io)),
    group(['task'], async () => new (await import('./commands/task-commands.js')).TaskCommands()),
    group(['locks'], async () => new (await import('./commands/lock-commands.js')).LockCommands()),
    group(['msg', 'state'], async () => new (await import('./commands/message-commands.js')).MessageCommands()),
    group(['audit'], async () => new (await import('./commands/audit-commands.js')).AuditCommands()),
    group(['mcp'], async () => new (await import('./commands/mcp-commands.js')).McpCommands()),
    group(['doctor'], async () => new (await import('./commands/doctor-commands.js')).DoctorCommands()),
  ];
}
