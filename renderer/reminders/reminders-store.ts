// The scheduled reminders, soonest first: the whole list on (re)connect, reminder.changed events in between
// (a reminder that is done or cancelled leaves the list).
import { createStore } from 'zustand/vanilla';
import type { Reminder } from '../../shared/reminder.js';

export interface RemindersState {
  reminders: Reminder[];
  loaded: boolean;
  error: string | null;
  replace(list: Reminder[]): void;
  /** a reminder created, fired or cancelled: kept while it is scheduled, dropped once it is not */
  update(reminder: Reminder): void;
  fail(message: string | null): void;
}

const soonestFirst = (list: Reminder[]) =>
  list.filter((r) => r.state === 'scheduled').sort((a, b) => (a.nextAt ?? 0) - (b.nextAt ?? 0));

export const createRemindersStore = () =>
  createStore<RemindersState>()((set) => ({
    reminders: [],
    loaded: false,
    error: null,
    replace: (list) => set({ reminders: soonestFirst(list), loaded: true, error: null }),
    update: (reminder) =>
      set((s) => ({ reminders: soonestFirst([reminder, ...s.reminders.filter((r) => r.id !== reminder.id)]) })),
    fail: (message) => set((s) => (s.error === message ? s : { error: message })),
  }));

export type RemindersStore = ReturnType<typeof createRemindersStore>;
