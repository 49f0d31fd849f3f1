// Messages between agents and to and from the user, newest first by seq, bounded: the panel shows the
// recent conversation, the daemon keeps the rest.
import { createStore } from 'zustand/vanilla';
import type { Message } from '../../shared/message.js';

/** how many messages the panel keeps (the listing asks for as many) */
export const MESSAGES_KEPT = 200;

export interface MessagesState {
  /** newest first */
  messages: Message[];
  loaded: boolean;
  error: string | null;
  replace(list: Message[]): void;
  /** A posted message; a seq already present is ignored (the event and the send's answer both bring it). */
  add(message: Message): void;
  /** A message changed (delivered to one more machine): replaced where it is, ignored when not kept. */
  update(message: Message): void;
  fail(message: string | null): void;
}

const newestFirst = (list: Message[]) => [...list].sort((a, b) => b.seq - a.seq).slice(0, MESSAGES_KEPT);

export const createMessagesStore = () =>
  createStore<MessagesState>()((set) => ({
    messages: [],
    loaded: false,
    error: null,
    replace: (list) =>
      set((s) => {
        // Messages posted while the list was in flight are newer than it: keep them.
        const newest = list.reduce((max, m) => Math.max(max, m.seq), 0);
        const newer = list.length === 0 ? [] : s.messages.filter((m) => m.seq > newest);
        return { messages: newestFirst([...newer, ...list]), loaded: true, error: null };
      }),
    add: (message) =>
      set((s) =>
        s.messages.some((m) => m.seq === message.seq) ? s : { messages: newestFirst([message, ...s.messages]) },
      ),
    update: (message) =>
      set((s) =>
        s.messages.some((m) => m.seq === message.seq)
          ? { messages: s.messages.map((m) => (m.seq === message.seq ? message : m)) }
          : s,
      ),
    fail: (message) => set((s) => (s.error === message ? s : { error: message })),
  }));

export type MessagesStore = ReturnType<typeof createMessagesStore>;
