// Whether the sidebar is collapsed to its rail (the views as icons, services and agents as dots) or shown in
// full, kept across reloads like the theme and the split panes' sizes.
import { createStore } from 'zustand/vanilla';
import { keepSetting, readSetting, type SettingStorage } from './kept-setting.js';

export const SIDEBAR_STORAGE_KEY = 'devmesh.sidebar';

export interface SidebarState {
  collapsed: boolean;
  setCollapsed(collapsed: boolean): void;
  toggle(): void;
}

/** `storage`: the window's localStorage; shown in full when nothing (or something else) is kept there */
export const createSidebarStore = (storage: SettingStorage | null = null) =>
  createStore<SidebarState>()((set, get) => ({
    collapsed: readSetting(storage, SIDEBAR_STORAGE_KEY) === 'collapsed',
    setCollapsed: (collapsed) => {
      keepSetting(storage, SIDEBAR_STORAGE_KEY, collapsed ? 'collapsed' : 'expanded');
      if (get().collapsed !== collapsed) set({ collapsed });
    },
    toggle: () => get().setCollapsed(!get().collapsed),
  }));

export type SidebarStore = ReturnType<typeof createSidebarStore>;
