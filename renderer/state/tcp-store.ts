// The stable local addresses of the project on screen's TCP services (`protocol: tcp`, proxy.tcp), keyed by
// service: who serves each, open and total connections, bytes each way. Polled while the project has one.
import { createStore } from 'zustand/vanilla';
import type { TcpRoute } from '../../shared/proxy.js';

export interface TcpState {
  projectId: string | null;
  byService: Record<string, TcpRoute>;
  /** why the last proxy.tcp call failed (an older daemon); null when it answered */
  error: string | null;
  /** Switches to another project: forgets the addresses of the previous one. */
  showProject(projectId: string | null): void;
  /** A fresh proxy.tcp answer for `projectId`. */
  replace(projectId: string, routes: readonly TcpRoute[]): void;
  fail(projectId: string, message: string): void;
}

const same = (a: TcpRoute, b: TcpRoute): boolean => JSON.stringify(a) === JSON.stringify(b);

export const createTcpStore = () =>
  createStore<TcpState>()((set) => ({
    projectId: null,
    byService: {},
    error: null,
    showProject: (projectId) => set((s) => (s.projectId === projectId ? s : { projectId, byService: {}, error: null })),
    replace: (projectId, routes) =>
      set((s) => {
        if (s.projectId !== projectId) return s;
        const byService: Record<string, TcpRoute> = {};
        let changed = Object.keys(s.byService).length !== routes.length || s.error !== null;
        for (const route of routes) {
          if (route.project !== projectId) continue;
          // An unchanged entry keeps its identity: a poll that found nothing new re-renders nothing.
          const seen = s.byService[route.service];
          byService[route.service] = seen && same(seen, route) ? seen : route;
          if (byService[route.service] !== seen) changed = true;
        }
        return changed ? { byService, error: null } : s;
      }),
    fail: (projectId, message) => set((s) => (s.projectId === projectId ? { error: message } : s)),
  }));

export type TcpStore = ReturnType<typeof createTcpStore>;
