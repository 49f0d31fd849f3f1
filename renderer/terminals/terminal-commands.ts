// What the Terminals view offers the palette: a new shell, split the view in two (or back to one), and for
// each open terminal what its tab offers: show it, Kill while it runs, Close.
import type { Command, CommandSource } from '../commands/commands-store.js';
import type { AppStores } from '../state/app-stores.js';
import type { TerminalsSync } from './terminals-sync.js';

export const terminalCommands =
  (terminals: TerminalsSync, stores: Pick<AppStores, 'terminals' | 'view'>): CommandSource =>
  (): Command[] => {
    const { ids, byId, split } = stores.terminals.getState();
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
      {
        id: 'terminal.split',
        title: split ? 'Show one terminal (unsplit)' : 'Split the terminals in two',
        group: 'Terminals',
        keywords: ['pane', 'side by side', 'layout'],
        run: () => {
          stores.view.getState().show('terminals');
          stores.terminals.getState().setSplit(!split);
        },
      },
    ];
    for (const id of ids) {
      const info = byId[id];
      if (!info) continue;
      commands.push({
        id: `terminal.show:${id}`,
        title: `Show terminal ${info.name}`,
        group: 'Terminals',
        run: () => {
          stores.terminals.getState().show(id);
          stores.view.getState().show('terminals');
        },
      });
      if (info.state === 'running') {
        commands.push({
          id: `terminal.kill:${id}`,
          title: `Kill terminal ${info.name}`,
          group: 'Terminals',
          keywords: ['stop', 'end', 'sighup'],
          run: () => terminals.kill(id),
        });
      }
      commands.push({
        id: `terminal.close:${id}`,
        title: info.state === 'running' ? `Kill and close terminal ${info.name}` : `Close terminal ${info.name}`,
        group: 'Terminals',
        keywords: ['remove', 'tab'],
        run: () => terminals.close(id),
      });
    }
    return commands;
  };
