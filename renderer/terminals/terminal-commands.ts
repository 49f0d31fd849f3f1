// What the Terminals view offers the palette: a new shell, each open terminal, and each agent's terminal
// (and Stop while the agent runs).
import type { AgentsSync } from '../agents/agents-sync.js';
import type { Command, CommandSource } from '../commands/commands-store.js';
import type { AppStores } from '../state/app-stores.js';
import type { TerminalsSync } from './terminals-sync.js';

export const terminalCommands =
  (
    terminals: TerminalsSync,
    agents: AgentsSync,
    stores: Pick<AppStores, 'terminals' | 'agents' | 'view'>,
  ): CommandSource =>
  (): Command[] => {
    const showTerminal = (id: string) => {
      stores.terminals.getState().show(id);
      stores.view.getState().show('terminals');
    };
    const { ids, byId } = stores.terminals.getState();
    const agentList = stores.agents.getState();
    const commands: Command[] = [
      {
        id: 'terminal.new',
        title: 'Open a new terminal',
        group: 'Terminals',
        keywords: ['shell', 'console', 'bash'],
        shortcut: 'N T',
        run: async () => {
          stores.view.getState().show('terminals');
          await terminals.createShell();
        },
      },
    ];
    for (const id of ids) {
      const info = byId[id];
      if (info)
        commands.push({
          id: `terminal.show:${id}`,
          title: `Show terminal ${info.name}`,
          group: 'Terminals',
          run: () => showTerminal(id),
        });
    }
    for (const id of agentList.ids) {
      const record = agentList.byId[id];
      if (!record) continue;
      const terminalId = record.terminalId;
      if (terminalId !== null && ids.includes(terminalId)) {
        commands.push({
          id: `agent.show:${id}`,
          title: `Show agent ${record.name}`,
          group: 'Agents',
          keywords: [record.status],
          run: () => showTerminal(terminalId),
        });
      }
      if (record.status !== 'exited') {
        commands.push({
          id: `agent.stop:${id}`,
          title: `Stop agent ${record.name}`,
          group: 'Agents',
          keywords: ['kill', 'halt'],
          run: () => agents.stop(id),
        });
      }
    }
    return commands;
  };
