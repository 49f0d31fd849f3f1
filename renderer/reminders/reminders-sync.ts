// Keeps the reminders store in step with the daemon (list on connect, reminder.changed in between), and the
// panel's actions, as the human (`user`): create one, cancel one.
import type { Reminder } from '../../shared/reminder.js';
import type { DevMeshClient } from '../api/devmesh-client.js';
import { ListSync } from '../state/list-sync.js';
import { actionFailure, type ActionResult } from '../tasks/tasks-sync.js';
import type { RemindersStore } from './reminders-store.js';

export class RemindersSync {
  private readonly list: ListSync<Reminder[]>;

  constructor(
    private readonly client: DevMeshClient,
    private readonly store: RemindersStore,
  ) {
    this.list = new ListSync(client, {
      list: () => client.call('reminders.list', {}),
      store,
      what: 'reminders',
      onEvent: (event) => {
        if (event.type === 'reminder.changed') store.getState().update(event.reminder);
      },
    });
  }

  /** Schedules a reminder; the daemon parses `when` (`in 10m`, an ISO time, a cron expression) and says what is wrong. */
  async create(input: { to: string; when: string; body: string; timezone?: string }): Promise<ActionResult<Reminder>> {
    try {
      const reminder = await this.client.call('reminders.create', { ...input, by: 'user' });
      this.store.getState().update(reminder);
      return { ok: true, value: reminder };
    } catch (err) {
      return actionFailure(err);
    }
  }

  async cancel(id: string): Promise<ActionResult<Reminder>> {
    try {
      const reminder = await this.client.call('reminders.cancel', { id, by: 'user' });
      this.store.getState().update(reminder);
      return { ok: true, value: reminder };
    } catch (err) {
      return actionFailure(err);
    }
  }

  dispose(): void {
    this.list.dispose();
  }
}
