import { describe, expect, it } from 'vitest';
import { createThemeStore, THEME_STORAGE_KEY, type ThemeStorage } from '../../../renderer/state/theme-store.js';

const memory = (initial: Record<string, string> = {}): ThemeStorage & { data: Record<string, string> } => {
  const data = { ...initial };
  return { data, getItem: (k) => data[k] ?? null, setItem: (k, v) => void (data[k] = v) };
};

describe('the theme preference', () => {
  it('follows the system until one is picked, and remembers the pick', () => {
    const storage = memory();
    const store = createThemeStore(storage);
    expect(store.getState().preference).toBe('system');
    store.getState().cycle();
    expect(store.getState().preference).toBe('light');
    store.getState().cycle();
    expect(store.getState().preference).toBe('dark');
    expect(storage.data[THEME_STORAGE_KEY]).toBe('dark');
    expect(createThemeStore(storage).getState().preference).toBe('dark'); // the next window (a reload)
    store.getState().cycle();
    expect(store.getState().preference).toBe('system');
  });

  it('follows the system when what is stored is not a theme, or the storage refuses', () => {
    expect(createThemeStore(memory({ [THEME_STORAGE_KEY]: 'purple' })).getState().preference).toBe('system');
    const refusing: ThemeStorage = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    const store = createThemeStore(refusing);
    expect(store.getState().preference).toBe('system');
    store.getState().set('dark'); // applied now, only not remembered
    expect(store.getState().preference).toBe('dark');
  });
});
