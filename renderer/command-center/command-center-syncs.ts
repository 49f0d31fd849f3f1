// The coordination syncs (locks, tasks, messages) the Locks view and the command center share. Created when
// the page starts (main.tsx) and kept for the page's life, like the syncs main.tsx starts: a view that
// is hidden and shown again finds its lists current instead of listing from scratch.
import type { DevMeshClient } from '../api/devmesh-client.js';
import type { AppStores } from '../state/app-stores.js';
import { LocksSync } from '../locks/locks-sync.js';
import { describeBypass } from '../locks/describe-bypass.js';
import { MessagesSync } from '../messages/messages-sync.js';
import { TasksSync } from '../tasks/tasks-sync.js';
import { useApp } from '../shell/app-context.js';

export interface CoordinationSyncs {
  locks: LocksSync;
  tasks: TasksSync;
  messages: MessagesSync;
}

/** one set per window's stores (a page has one; a test that renders twice gets its own) */
const created = new WeakMap<AppStores, CoordinationSyncs>();

/** The syncs of these stores, made on first call: main.tsx makes them at start, so messages to the human toast on any view. */
export function coordinationSyncs(client: DevMeshClient, stores: AppStores): CoordinationSyncs {
  let syncs = created.get(stores);
  if (!syncs) {
    syncs = {
      locks: new LocksSync(client, stores.locks, (e) =>
        stores.toasts.getState().notify('LOCK_BYPASSED', describeBypass(e)),
      ),
      tasks: new TasksSync(client, stores.tasks),
      messages: new MessagesSync(client, stores.messages, (m) => {
        const body = m.body.length > 140 ? `${m.body.slice(0, 139)}…` : m.body;
        stores.toasts
          .getState()
          .notify('MESSAGE', `${m.fromName} wrote to you${m.task ? ` about ${m.task}` : ''}: ${body}`);
      }),
    };
    created.set(stores, syncs);
  }
  return syncs;
}

export function useCoordination(): CoordinationSyncs {
  const { client, stores } = useApp();
  return coordinationSyncs(client, stores);
}
