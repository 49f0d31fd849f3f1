// The proxy routes of the project on screen, keyed by service: the URLs each service row links to.
// Refetched whole (a handful of entries) whenever a service's state changes, since target and state follow it.
import { createStore } from 'zustand/vanilla';
import type { RouteInfo } from '../../shared/proxy.js';

export interface RoutesState {
  projectId: string | null;
  byService: Record<string, RouteInfo>;
  /** why the last proxy.routes call failed (proxy off, an older daemon); null when it answered */
  error: string | null;
  /** Switches to another project: forgets the routes of the previous one. */
  showProject(projectId: string | null): void;
  /** A fresh proxy.routes answer for `projectId`. */
  replace(projectId: string, routes: RouteInfo[]): void;
  fail(projectId: string, message: string): void;
}

export const createRoutesStore = () =>
  createStore<RoutesState>()((set) => ({
    projectId: null,
    byService: {},
    error: null,
    showProject: (projectId) => set((s) => (s.projectId === projectId ? s : { projectId, byService: {}, error: null })),
    replace: (projectId, routes) =>
      set((s) => {
        if (s.projectId !== projectId) return s;
        const byService: Record<string, RouteInfo> = {};
        for (const route of routes) {
          if (route.project !== projectId) continue;
          // Same content keeps the same object, so rows whose route did not change do not re-render.
          const seen = s.byService[route.service];
          byService[route.service] = seen && JSON.stringify(seen) === JSON.stringify(route) ? seen : route;
        }
        return { byService, error: null };
      }),
    fail: (projectId, message) => set((s) => (s.projectId === projectId ? { error: message } : s)),
  }));

export type RoutesStore = ReturnType<typeof createRoutesStore>;
