// What the command center offers the palette: post a new task (the New task form over the board).
import type { Command, CommandSource } from '../commands/commands-store.js';
import type { AppStores } from '../state/app-stores.js';

export const taskCommands =
  (stores: Pick<AppStores, 'tasks' | 'view'>): CommandSource =>
  (): Command[] => [
    {
      id: 'task.new',
      title: 'New task…',
      group: 'Tasks',
      keywords: ['post', 'create', 'add', 'work', 'assign'],
      run: () => {
        stores.view.getState().show('tasks');
        stores.tasks.getState().setComposing(true);
      },
    },
  ];
