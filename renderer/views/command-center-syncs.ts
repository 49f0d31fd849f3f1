// The coordination syncs (locks, tasks, messages) the Locks view and the command center share. Created the
// first time either view is shown and kept for the page's life, like the syncs main.tsx starts: a view that
// is hidden and shown again finds its lists current instead of listing from scratch.
import type { AppStores } from '../state/app-stores.js';
import { LocksSync } from '../state/locks-sync.js';
import { MessagesSync } from '../state/messages-sync.js';
import { TasksSync } from '../state/tasks-sync.js';
import { useApp } from './app-context.js';

export interface CoordinationSyncs {
  locks: LocksSync;
  tasks: TasksSync;
  messages: MessagesSync;
}

/** one set per window's stores (a page has one; a test that renders twice gets its own) */
const created = new WeakMap<AppStores, CoordinationSyncs>();

export function useCoordination(): CoordinationSyncs {
  const { client, stores } = useApp();
  let syncs = created.get(stores);
  if (!syncs) {
    syncs = {
      locks: new LocksSync(client, stores.locks),
      tasks: new TasksSync(client, stores.tasks),
      messages: new MessagesSync(client, stores.messages),
    };
    created.set(stores, syncs);
  }
  return syncs;
}
