// Per-service proxy counters of the project on screen (requests/s, errors/s, latency), replaced by each
// snapshot the daemon pushes about once a second. Small: one entry per service, never per request.
import { createStore } from 'zustand/vanilla';
import type { ServiceTraffic } from '../../shared/proxy.js';

export interface TrafficState {
  projectId: string | null;
  byService: Record<string, ServiceTraffic>;
  /** Date.now() of the last snapshot; 0 before the first */
  receivedAt: number;
  showProject(projectId: string | null): void;
  /** A snapshot (pushed or fetched) of `projectId`'s services; services it leaves out keep their entry. */
  apply(projectId: string, snapshot: readonly ServiceTraffic[], now?: number): void;
}

const same = (a: ServiceTraffic, b: ServiceTraffic): boolean =>
  a.requests === b.requests &&
  a.errors === b.errors &&
  a.requestsPerSec === b.requestsPerSec &&
  a.errorsPerSec === b.errorsPerSec &&
  a.p50Ms === b.p50Ms &&
  a.p95Ms === b.p95Ms;

export const createTrafficStore = () =>
  createStore<TrafficState>()((set) => ({
    projectId: null,
    byService: {},
    receivedAt: 0,
    showProject: (projectId) =>
      set((s) => (s.projectId === projectId ? s : { projectId, byService: {}, receivedAt: 0 })),
    apply: (projectId, snapshot, now = Date.now()) =>
      set((s) => {
        if (s.projectId !== projectId) return s;
        let byService = s.byService;
        for (const t of snapshot) {
          if (t.project !== projectId) continue;
          const seen = byService[t.service];
          // An unchanged entry keeps its identity: its row does not re-render.
          if (seen && same(seen, t)) continue;
          if (byService === s.byService) byService = { ...s.byService };
          byService[t.service] = t;
        }
        return { byService, receivedAt: now };
      }),
  }));

export type TrafficStore = ReturnType<typeof createTrafficStore>;

/** Whether any service shows a rate above zero (a stale snapshot then needs refreshing). */
export const hasLiveRates = (byService: Record<string, ServiceTraffic>): boolean =>
  Object.values(byService).some((t) => t.requestsPerSec > 0 || t.errorsPerSec > 0);
