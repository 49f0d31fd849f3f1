// The services of the project on screen, keyed by name, plus which one the log pane follows. Each
// service.state event carries the full ServiceInfo, so an event replaces one entry and nothing else.
import { createStore } from 'zustand/vanilla';
import type { DevMeshEvent } from '../../shared/events.js';
import type { ServiceInfo } from '../../shared/service.js';

export interface ServicesState {
  projectId: string | null;
  byName: Record<string, ServiceInfo>;
  /** display order: the daemon's list order, then services first seen in events */
  names: string[];
  selectedName: string | null;
  /** Switches to another project: empties the table until its list arrives. */
  showProject(projectId: string | null): void;
  /** A fresh services.list answer for `projectId`. */
  replace(projectId: string, list: ServiceInfo[]): void;
  applyEvent(event: DevMeshEvent): void;
  selectService(name: string): void;
}

const pickService = (names: string[], current: string | null): string | null =>
  current !== null && names.includes(current) ? current : (names[0] ?? null);

export const createServicesStore = () =>
  createStore<ServicesState>()((set) => ({
    projectId: null,
    byName: {},
    names: [],
    selectedName: null,
    showProject: (projectId) =>
      set((s) => (s.projectId === projectId ? s : { projectId, byName: {}, names: [], selectedName: null })),
    replace: (projectId, list) =>
      set((s) => {
        if (s.projectId !== projectId) return s;
        const byName: Record<string, ServiceInfo> = {};
        for (const info of list) {
          // An event that arrived while the list was in flight can be newer than the list: keep it.
          const seen = s.byName[info.name];
          byName[info.name] = seen && seen.since > info.since ? seen : info;
        }
        const names = list.map((i) => i.name);
        return { byName, names, selectedName: pickService(names, s.selectedName) };
      }),
    applyEvent: (event) =>
      set((s) => {
        if (event.type !== 'service.state' || event.project !== s.projectId) return s;
        const names = s.names.includes(event.service) ? s.names : [...s.names, event.service];
        return {
          byName: { ...s.byName, [event.service]: event.info },
          names,
          selectedName: s.selectedName ?? event.service,
        };
      }),
    selectService: (name) => set((s) => (s.names.includes(name) ? { selectedName: name } : s)),
  }));

export type ServicesStore = ReturnType<typeof createServicesStore>;
