// Which main view the window shows: the services table (with its log) or the proxy's request log.
import { createStore } from 'zustand/vanilla';

export type MainView = 'services' | 'requests';

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
