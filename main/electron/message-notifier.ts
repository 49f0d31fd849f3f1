// A desktop notification when an agent writes to the human (`user`): a question about a task, a hand-off,
// a request for review. One per message; clicking opens the window (the command center shows the thread).
import type { DevMeshApi } from '../api/devmesh-api.js';
import { EventNotifier, type NotifierDeps } from './event-notifier.js';

const MAX_BODY = 160;

export class MessageNotifier extends EventNotifier {
  constructor(api: Pick<DevMeshApi, 'subscribe'>, deps: NotifierDeps) {
    super(api, deps, 0, (event) => {
      if (event.type !== 'message.posted' || event.message.to !== 'user' || event.message.from === 'user') return null;
      const m = event.message;
      const body = m.body.length > MAX_BODY ? `${m.body.slice(0, MAX_BODY - 1)}…` : m.body;
      return { key: `message#${m.seq}`, title: `${m.fromName} wrote to you${m.task ? ` about ${m.task}` : ''}`, body };
    });
  }
}
