// Which main view the window shows: the services table (with its log), the proxy's request log, or the
// mesh's service graph (with its peers and version alerts), the embedded terminals, their recordings, the
// task command center (with the agents' messages), the file locks between agents, or the team (machines,
// humans and agents across the mesh), an agent's work to review and land, or the audit chain.
import { createStore } from 'zustand/vanilla';

export const MAIN_VIEWS = [
  'services',
  'requests',
  'graph',
  'terminals',
  'recordings',
  'tasks',
  'locks',
  'team',
  'review',
  'audit',
] as const;
export type MainView = (typeof MAIN_VIEWS)[number];

export interface ViewState {
  view: MainView;
  show(view: MainView): void;
}

export const createViewStore = (initial: MainView = 'services') =>
  createStore<ViewState>()((set) => ({
    view: initial,
    show: (view) => set((s) => (s.view === view ? s : { view })),
  }));

export type ViewStore = ReturnType<typeof createViewStore>;
