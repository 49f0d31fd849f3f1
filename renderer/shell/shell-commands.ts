// The shell's own commands: open the palette, collapse or expand the sidebar, go to each view, pick the theme.
import type { Command, CommandSource } from '../commands/commands-store.js';
import type { AppStores } from '../state/app-stores.js';
import { VIEWS } from './views.js';

/** VS Code's: Ctrl/⌘+B shows or hides the side bar (in a terminal it stays bash's backward-char) */
export const SIDEBAR_SHORTCUT = 'Mod+B';

const THEMES = [
  { preference: 'system', title: 'Theme: follow the system' },
  { preference: 'light', title: 'Theme: light' },
  { preference: 'dark', title: 'Theme: dark' },
] as const;

export const shellCommands =
  (stores: Pick<AppStores, 'commands' | 'view' | 'theme' | 'sidebar'>): CommandSource =>
  (): Command[] => [
    {
      id: 'palette.toggle',
      title: 'Command palette',
      group: 'General',
      keywords: ['commands', 'search', 'actions'],
      shortcut: 'Mod+K',
      run: () => stores.commands.getState().setPaletteOpen(!stores.commands.getState().paletteOpen),
    },
    {
      id: 'sidebar.toggle',
      title: stores.sidebar.getState().collapsed ? 'Expand the sidebar' : 'Collapse the sidebar',
      group: 'General',
      keywords: ['toggle', 'side bar', 'hide', 'show', 'rail', 'layout'],
      shortcut: SIDEBAR_SHORTCUT,
      run: () => stores.sidebar.getState().toggle(),
    },
    ...VIEWS.map((v): Command => ({
      id: `view.${v.view}`,
      title: `Go to ${v.label}`,
      group: 'Views',
      keywords: v.keywords,
      shortcut: v.shortcut,
      run: () => stores.view.getState().show(v.view),
    })),
    ...THEMES.map((t): Command => ({
      id: `theme.${t.preference}`,
      title: t.title,
      group: 'Appearance',
      keywords: ['colours', 'colors', 'appearance', 'mode'],
      run: () => stores.theme.getState().set(t.preference),
    })),
    {
      id: 'theme.cycle',
      title: 'Theme: switch (system, light, dark)',
      group: 'Appearance',
      keywords: ['toggle', 'dark mode', 'light mode'],
      shortcut: 'Shift+T',
      run: () => stores.theme.getState().cycle(),
    },
  ];
