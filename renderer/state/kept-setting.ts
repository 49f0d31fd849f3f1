// A setting of the window's that survives a reload (the theme, the sidebar collapsed), kept in localStorage
// beside the split panes' sizes. The storage may refuse (private mode, a full quota, a sandbox): reading then
// gives null and the setting its default; writing fails quietly, the setting applied now but not remembered,
// which is nothing the user can fix from here.

/** what is read and written; the window's localStorage, or null where there is none */
export type SettingStorage = Pick<Storage, 'getItem' | 'setItem'>;

export function readSetting(storage: SettingStorage | null, key: string): string | null {
  try {
    return storage?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

export function keepSetting(storage: SettingStorage | null, key: string, value: string): void {
  try {
    storage?.setItem(key, value);
  } catch {
    // applied now, not remembered: see above
  }
}
