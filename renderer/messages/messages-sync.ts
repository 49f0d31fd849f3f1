// Keeps the messages store in step with the daemon: the recent messages on every (re)connect, message.posted
// events in between (a message to the human also raises a toast). Also the panel's send box: the human writes as `user` to an agent or to everyone (`*`).
import type { Message } from '../../shared/message.js';
import type { DevMeshClient } from '../api/devmesh-client.js';
import { ListSync } from '../state/list-sync.js';
import { MESSAGES_KEPT, type MessagesStore } from './messages-store.js';
import { actionFailure, type ActionResult } from '../tasks/tasks-sync.js';

export class MessagesSync {
  private readonly list: ListSync<Message[]>;

  constructor(
    private readonly client: DevMeshClient,
    private readonly store: MessagesStore,
    /** an agent wrote to the human: say so wherever the human is in the UI */
    private readonly toUser: (message: Message) => void = () => undefined,
  ) {
    this.list = new ListSync(client, {
      list: () => client.call('messages.list', { limit: MESSAGES_KEPT }),
      store,
      what: 'messages',
      onEvent: (event) => {
        if (event.type === 'message.delivered') return store.getState().update(event.message);
        if (event.type !== 'message.posted') return;
        store.getState().add(event.message);
        if (event.message.to === 'user' && event.message.from !== 'user') this.toUser(event.message);
      },
    });
  }

  refresh(): Promise<void> {
    return this.list.refresh();
  }

  async send(to: string, body: string, task?: string): Promise<ActionResult<Message>> {
    try {
      const message = await this.client.call('messages.send', { from: 'user', to, body, ...(task ? { task } : {}) });
      this.store.getState().add(message);
      return { ok: true, value: message };
    } catch (err) {
      return actionFailure(err);
    }
  }

  dispose(): void {
    this.list.dispose();
  }
}
