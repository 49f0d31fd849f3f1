// The agents the daemon runs (AgentRecord only: their output goes to their terminal, never to a store), kept
// newest-first by updatedAt so an answer or event that arrives late never rolls an agent's status back.
import { createStore } from 'zustand/vanilla';
import type { AgentRecord } from '../../shared/agent.js';

export interface AgentsState {
  byId: Record<string, AgentRecord>;
  /** strip order: oldest agent first, as the daemon's list gives them, then agents first seen in events */
  ids: string[];
  /** why the list could not be read, shown in place of the strip */
  error: string | null;
  /** whether the New agent dialog is open (its button, or the palette's "Start an agent…") */
  startFormOpen: boolean;
  /** A fresh agents.list answer. */
  replace(list: AgentRecord[]): void;
  /** A record from an event or a call's answer: replaces its entry unless it is older, or adds it. */
  upsert(record: AgentRecord): void;
  remove(id: string): void;
  fail(message: string | null): void;
  setStartFormOpen(open: boolean): void;
}

/** The record the store keeps when both are known: the later updatedAt; on a tie, the one just received. */
export function isOlder(incoming: AgentRecord, seen: AgentRecord | undefined): boolean {
  return seen !== undefined && incoming.updatedAt < seen.updatedAt;
}

/** The agent running in (or that last ran in) a terminal session, if any. */
export function agentForTerminal(byId: Record<string, AgentRecord>, terminalId: string): AgentRecord | undefined {
  for (const record of Object.values(byId)) if (record.terminalId === terminalId) return record;
  return undefined;
}

export const createAgentsStore = () =>
  createStore<AgentsState>()((set) => ({
    byId: {},
    ids: [],
    error: null,
    startFormOpen: false,
    replace: (list) =>
      set((s) => {
        const byId: Record<string, AgentRecord> = {};
        // An event that arrived while the list was in flight can be newer than the list: keep it.
        for (const record of list) byId[record.id] = isOlder(record, s.byId[record.id]) ? s.byId[record.id]! : record;
        return { byId, ids: list.map((r) => r.id), error: null };
      }),
    upsert: (record) =>
      set((s) => {
        if (isOlder(record, s.byId[record.id])) return s;
        const ids = s.ids.includes(record.id) ? s.ids : [...s.ids, record.id];
        return { byId: { ...s.byId, [record.id]: record }, ids };
      }),
    remove: (id) =>
      set((s) => {
        if (!(id in s.byId)) return s;
        const { [id]: _gone, ...byId } = s.byId;
        return { byId, ids: s.ids.filter((i) => i !== id) };
      }),
    fail: (message) => set((s) => (s.error === message ? s : { error: message })),
    setStartFormOpen: (open) => set((s) => (s.startFormOpen === open ? s : { startFormOpen: open })),
  }));

export type AgentsStore = ReturnType<typeof createAgentsStore>;
