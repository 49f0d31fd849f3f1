// What the Audit view offers the palette: verify the chain now (the view shows the answer).
import type { Command, CommandSource } from '../commands/commands-store.js';
import type { AppStores } from '../state/app-stores.js';

export const auditCommands =
  (stores: Pick<AppStores, 'audit' | 'view'>): CommandSource =>
  (): Command[] => [
    {
      id: 'audit.verify',
      title: 'Verify the audit chain',
      group: 'Audit',
      keywords: ['check', 'integrity', 'tamper', 'hash'],
      run: () => {
        stores.audit.getState().requestVerify();
        stores.view.getState().show('audit');
      },
    },
  ];
