// Every agent's token and cost figures with its budget (AgentUsage), from usage.agents on connect and
// agent.usage events in between; a figure never goes back, so a late answer keeps the newer one.
import { createStore } from 'zustand/vanilla';
import type { AgentUsage } from '../../shared/usage.js';

export interface UsageState {
  byAgent: Record<string, AgentUsage>;
  error: string | null;
  replace(list: AgentUsage[]): void;
  upsert(usage: AgentUsage): void;
  fail(message: string | null): void;
}

const older = (incoming: AgentUsage, seen: AgentUsage | undefined): boolean =>
  seen !== undefined && incoming.figures.updatedAt < seen.figures.updatedAt;

export const createUsageStore = () =>
  createStore<UsageState>()((set) => ({
    byAgent: {},
    error: null,
    replace: (list) =>
      set((s) => {
        const byAgent: Record<string, AgentUsage> = {};
        for (const u of list) byAgent[u.agentId] = older(u, s.byAgent[u.agentId]) ? s.byAgent[u.agentId]! : u;
        return { byAgent, error: null };
      }),
    upsert: (usage) =>
      set((s) => (older(usage, s.byAgent[usage.agentId]) ? s : { byAgent: { ...s.byAgent, [usage.agentId]: usage } })),
    fail: (message) => set((s) => (s.error === message ? s : { error: message })),
  }));

export type UsageStore = ReturnType<typeof createUsageStore>;
