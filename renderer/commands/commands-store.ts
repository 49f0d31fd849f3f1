// The registry of commands the palette lists and the keyboard runs. Each part of the UI contributes a source:
// a function that lists its commands as things are now (a "Stop web" only while web runs), asked each time
// the palette draws or a shortcut is pressed, so a command never acts on a stale list. Also whether the
// palette is open.
import { createStore } from 'zustand/vanilla';

export interface Command {
  /** unique across sources: `view.services`, `service.stop:web` */
  id: string;
  /** what it does, as the palette shows it: "Stop web" */
  title: string;
  /** the palette's heading for it: "Views", "Services", "Terminals" */
  group: string;
  /** other words it is found by ("kill" for Stop) */
  keywords?: readonly string[];
  /** its keyboard shortcut, in shortcut-keys.ts's notation: "Mod+K", "G S" */
  shortcut?: string;
  /** run it; a rejected promise or a throw becomes a toast naming the command */
  run(): unknown;
}

/** lists a part's commands as things are now */
export type CommandSource = () => readonly Command[];

export interface CommandsState {
  sources: readonly { id: string; list: CommandSource }[];
  paletteOpen: boolean;
  /** Adds (or replaces) the source `id`; the returned function removes it. */
  register(id: string, list: CommandSource): () => void;
  setPaletteOpen(open: boolean): void;
}

export const createCommandsStore = () =>
  createStore<CommandsState>()((set, get) => ({
    sources: [],
    paletteOpen: false,
    register: (id, list) => {
      const entry = { id, list };
      set((s) => ({ sources: [...s.sources.filter((x) => x.id !== id), entry] }));
      return () => {
        if (get().sources.includes(entry)) set((s) => ({ sources: s.sources.filter((x) => x !== entry) }));
      };
    },
    setPaletteOpen: (paletteOpen) => set((s) => (s.paletteOpen === paletteOpen ? s : { paletteOpen })),
  }));

export type CommandsStore = ReturnType<typeof createCommandsStore>;

/**
 * Every source's commands, in registration order; the first of two commands with one id wins. A source
 * that throws is left out (and named in `failed`) rather than taking the palette down with it.
 */
export function listCommands(sources: CommandsState['sources']): { commands: Command[]; failed: string[] } {
  const commands: Command[] = [];
  const failed: string[] = [];
  const seen = new Set<string>();
  for (const { id, list } of sources) {
    let listed: readonly Command[];
    try {
      listed = list();
    } catch {
      failed.push(id);
      continue;
    }
    for (const command of listed) {
      if (seen.has(command.id)) continue;
      seen.add(command.id);
      commands.push(command);
    }
  }
  return { commands, failed };
}
