// The command groups of `devmesh`, each loaded on demand: `devmesh status` loads the service commands, not
// the daemon, the MCP SDK, the CA or the task board. The names are listed here so that dispatch, `help
// <command>` and "did you mean" work without loading a group. The thin clients of the API come from
// client-command-groups.ts (main.ts runs those without this table); the order here is `devmesh help`'s.
import { commandGroup, type CommandGroup } from './cli-command.js';
import { clientCommandGroups } from './client-command-groups.js';
import type { HookIo } from './commands/hook-commands.js';

export function commandGroups(io: HookIo): CommandGroup[] {
  const client = clientCommandGroups();
  return [
    commandGroup(['up', 'down'], async () => new (await import('./commands/daemon-commands.js')).DaemonCommands()),
    client.version,
    client.services,
    client.logs,
    client.projects,
    commandGroup(['ca'], async () => new (await import('./commands/ca-commands.js')).CaCommands()),
    client.proxy,
    commandGroup(
      ['mesh', 'peers', 'graph', 'alerts'],
      async () => new (await import('./commands/mesh-commands.js')).MeshCommands(),
    ),
    commandGroup(['term', 'rec'], async () => new (await import('./commands/terminal-commands.js')).TerminalCommands()),
    commandGroup(['agent'], async () => new (await import('./commands/agent-commands.js')).AgentCommands()),
    commandGroup(['team'], async () => new (await import('./commands/team-commands.js')).TeamCommands()),
    commandGroup(['hook'], async () => new (await import('./commands/hook-commands.js')).HookCommands(io)),
    commandGroup(['task'], async () => new (await import('./commands/task-commands.js')).TaskCommands()),
    commandGroup(['locks'], async () => new (await import('./commands/lock-commands.js')).LockCommands()),
    commandGroup(['msg', 'state'], async () => new (await import('./commands/message-commands.js')).MessageCommands()),
    commandGroup(['audit'], async () => new (await import('./commands/audit-commands.js')).AuditCommands()),
    commandGroup(['remind'], async () => new (await import('./commands/remind-commands.js')).RemindCommands()),
    commandGroup(['mcp'], async () => new (await import('./commands/mcp-commands.js')).McpCommands()),
    commandGroup(['doctor'], async () => new (await import('./commands/doctor-commands.js')).DoctorCommands()),
    commandGroup(['usage'], async () => new (await import('./commands/usage-commands.js')).UsageCommands()),
    commandGroup(['db'], async () => new (await import('./commands/db-commands.js')).DbCommands()),
    commandGroup(['top'], async () => new (await import('./commands/top-command.js')).TopCommand()),
  ];
}
