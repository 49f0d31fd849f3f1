// Wires the shell for as long as the window shows it: the commands each part contributes to the palette,
// the window's keyboard shortcuts, and the theme on <html>.
import { useEffect } from 'react';
import { agentCommands } from '../agents/agent-commands.js';
import { auditCommands } from '../audit/audit-commands.js';
import { installGlobalShortcuts } from '../commands/global-shortcuts.js';
import { serviceCommands } from '../services/service-commands.js';
import { applyTheme } from '../state/theme-store.js';
import { taskCommands } from '../tasks/task-commands.js';
import { terminalCommands } from '../terminals/terminal-commands.js';
import { useApp } from './app-context.js';
import { shellCommands } from './shell-commands.js';

export function useShell(): void {
  const app = useApp();
  useEffect(() => {
    const { client, stores, terminals, agents } = app;
    const { register } = stores.commands.getState();
    const disposers = [
      register('shell', shellCommands(stores)),
      register('services', serviceCommands(client, stores)),
      register('agents', agentCommands(agents, client, stores)),
      register('terminals', terminalCommands(terminals, stores)),
      register('tasks', taskCommands(stores)),
      register('audit', auditCommands(stores)),
      installGlobalShortcuts(window, stores),
      applyTheme(stores.theme, document.documentElement),
    ];
    return () => {
      for (const dispose of disposers.reverse()) dispose();
    };
  }, [app]);
}
