// reminders.*: messages from `devmesh` on a schedule (create and cancel are audited decisions, answered once
// their entries are on disk).
import type { ReminderScheduler } from '../../core/reminders/reminder-scheduler.js';
import { aliveFor, type HandlersOf } from './handlers.js';

export interface ReminderHandlersDeps {
  reminders: Pick<ReminderScheduler, 'create' | 'list' | 'cancel'>;
  activity: (agentIdOrName: string) => void;
}

export function reminderHandlers({ reminders, activity }: ReminderHandlersDeps): HandlersOf<'reminders'> {
  const alive = aliveFor(activity);
  return {
    'reminders.create': (i) => alive(i.by, reminders.create(i)),
    'reminders.list': (i) => reminders.list(i),
    'reminders.cancel': (i) => alive(i.by, reminders.cancel(i)),
  };
}
