// The commands that are thin clients of the API (status, version, start, stop, logs…): their modules import
// no zod, no core and no daemon, so main.ts runs them from the small bundle without loading the whole CLI.
// A command whose module needs more belongs in command-groups.ts only.
import { commandGroup, type CommandGroup } from './cli-command.js';
import type { HookIo } from './commands/context-hook-command.js';

export interface ClientCommandGroups {
  version: CommandGroup;
  services: CommandGroup;
  logs: CommandGroup;
  projects: CommandGroup;
  proxy: CommandGroup;
}

/**
 * `devmesh hook claude-user-prompt-submit | claude-post-tool-use` alone (main.ts routes only those here): the
 * context hooks run after many of Claude Code's tool calls, so they start from the small bundle. The full CLI's
 * `hook` (command-groups.ts) answers them too, with the same code.
 */
export const CONTEXT_HOOK_ARGS = ['claude-user-prompt-submit', 'claude-post-tool-use'] as const;

export function contextHookGroup(io: HookIo): CommandGroup {
  return commandGroup(
    ['hook'],
    async () => new (await import('./commands/context-hook-command.js')).ContextHookCommands(io),
  );
}

export function clientCommandGroups(): ClientCommandGroups {
  return {
    version: commandGroup(
      ['version'],
      async () => new (await import('./commands/version-command.js')).VersionCommand(),
    ),
    services: commandGroup(
      ['status', 'start', 'stop', 'restart', 'run'],
      async () => new (await import('./commands/service-commands.js')).ServiceCommands(),
    ),
    logs: commandGroup(['logs'], async () => new (await import('./commands/log-commands.js')).LogCommands()),
    projects: commandGroup(
      ['projects', 'open', 'close'],
      async () => new (await import('./commands/project-commands.js')).ProjectCommands(),
    ),
    proxy: commandGroup(
      ['routes', 'requests'],
      async () => new (await import('./commands/proxy-commands.js')).ProxyCommands(),
    ),
  };
}
