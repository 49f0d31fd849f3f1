// Places in the shell that other parts fill without the shell knowing them: a section of the sidebar, an item
// of the status bar (a machine-load figure, a log-search shortcut). A part adds its component at start-up;
// the shell draws what is there, in the order added, and nothing when nothing is.
import type { ComponentType } from 'react';
import { createStore } from 'zustand/vanilla';

export type ShellSlot = 'sidebar' | 'statusBar';

export interface ShellSlotItem {
  /** unique within the slot; adding an id again replaces the item */
  id: string;
  Component: ComponentType;
}

export interface ShellSlotsState {
  sidebar: readonly ShellSlotItem[];
  statusBar: readonly ShellSlotItem[];
  /** Adds `item` to `slot`; the returned function takes it out again. */
  add(slot: ShellSlot, item: ShellSlotItem): () => void;
}

export const createShellSlotsStore = () =>
  createStore<ShellSlotsState>()((set) => ({
    sidebar: [],
    statusBar: [],
    add: (slot, item) => {
      set((s) => ({ [slot]: [...s[slot].filter((i) => i.id !== item.id), item] }));
      return () => set((s) => ({ [slot]: s[slot].filter((i) => i !== item) }));
    },
  }));

export type ShellSlotsStore = ReturnType<typeof createShellSlotsStore>;
