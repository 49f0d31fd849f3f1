// Light or dark: by default the OS's choice (prefers-color-scheme), which the CSS follows by itself; the
// user may pin one, remembered in localStorage. The pinned choice goes on <html data-theme>, where the
// stylesheet's `color-scheme` picks it up (see styles/app.css: every colour is a light-dark() pair).
import { createStore } from 'zustand/vanilla';
import { keepSetting, readSetting, type SettingStorage } from './kept-setting.js';

export const THEME_PREFERENCES = ['system', 'light', 'dark'] as const;
export type ThemePreference = (typeof THEME_PREFERENCES)[number];

export const THEME_STORAGE_KEY = 'devmesh.theme';

/** what the store reads and writes; localStorage in the window (which may refuse: private mode, quota) */
export type ThemeStorage = SettingStorage;

export interface ThemeState {
  preference: ThemePreference;
  set(preference: ThemePreference): void;
  /** system → light → dark → system */
  cycle(): void;
}

/** what was picked; the OS's choice when nothing was, or the storage refuses */
const read = (storage: ThemeStorage | null): ThemePreference => {
  const saved = readSetting(storage, THEME_STORAGE_KEY);
  return THEME_PREFERENCES.find((p) => p === saved) ?? 'system';
};

export const createThemeStore = (storage: ThemeStorage | null = null) =>
  createStore<ThemeState>()((set, get) => ({
    preference: read(storage),
    set: (preference) => {
      keepSetting(storage, THEME_STORAGE_KEY, preference);
      set({ preference });
    },
    cycle: () => {
      const i = THEME_PREFERENCES.indexOf(get().preference);
      get().set(THEME_PREFERENCES[(i + 1) % THEME_PREFERENCES.length]!);
    },
  }));

export type ThemeStore = ReturnType<typeof createThemeStore>;

/** Puts the preference on the root element (none for `system`) and keeps it there. */
export function applyTheme(store: ThemeStore, root: HTMLElement): () => void {
  const apply = (p: ThemePreference) => {
    if (p === 'system') delete root.dataset.theme;
    else root.dataset.theme = p;
  };
  apply(store.getState().preference);
  return store.subscribe((s) => apply(s.preference));
}
