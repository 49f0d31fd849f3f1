// Whether the sidebar is collapsed to its rail (the views as icons, services and agents as dots) or shown in
// full, remembered in localStorage beside the split panes' sizes and the theme, so a reload keeps it.
import { createStore } from 'zustand/vanilla';

export const SIDEBAR_STORAGE_KEY = 'devmesh.sidebar';

/** what the store reads and writes; localStorage in the window (which may refuse: private mode, quota) */
export type SidebarStorage = Pick<Storage, 'getItem' | 'setItem'>;

export interface SidebarState {
  collapsed: boolean;
  setCollapsed(collapsed: boolean): void;
  toggle(): void;
}

const read = (storage: SidebarStorage | null): boolean => {
  try {
    return storage?.getItem(SIDEBAR_STORAGE_KEY) === 'collapsed';
  } catch {
    return false; // storage refused: shown in full, as at first
  }
};

export const createSidebarStore = (storage: SidebarStorage | null = null) =>
  createStore<SidebarState>()((set, get) => ({
    collapsed: read(storage),
    setCollapsed: (collapsed) => {
      try {
        storage?.setItem(SIDEBAR_STORAGE_KEY, collapsed ? 'collapsed' : 'expanded');
      } catch {
        // not remembered across reloads, but applied now: nothing the user can fix from here
      }
      if (get().collapsed !== collapsed) set({ collapsed });
    },
    toggle: () => get().setCollapsed(!get().collapsed),
  }));

export type SidebarStore = ReturnType<typeof createSidebarStore>;
