// The main views as the sidebar lists them and the palette goes to them, each with its "go to" shortcut: G
// then a letter, as GitHub and Gmail do (Ctrl/Alt+digit belong to the browser's tabs).
import type { MainView } from '../state/view-store.js';

export interface ViewEntry {
  view: MainView;
  label: string;
  shortcut: string;
  /** what the palette also finds it by */
  keywords: readonly string[];
}

export const VIEWS: readonly ViewEntry[] = [
  { view: 'services', label: 'Services', shortcut: 'G S', keywords: ['logs', 'databases', 'table'] },
  { view: 'requests', label: 'Requests', shortcut: 'G R', keywords: ['proxy', 'http', 'traffic'] },
  { view: 'graph', label: 'Graph', shortcut: 'G G', keywords: ['mesh', 'peers', 'dependencies'] },
  { view: 'terminals', label: 'Terminals', shortcut: 'G T', keywords: ['shell', 'agents', 'pty'] },
  { view: 'team', label: 'Team', shortcut: 'G M', keywords: ['machines', 'teammates', 'humans'] },
  { view: 'tasks', label: 'Tasks', shortcut: 'G K', keywords: ['command center', 'board', 'messages', 'reminders'] },
  { view: 'locks', label: 'Locks', shortcut: 'G L', keywords: ['files', 'holders'] },
  { view: 'recordings', label: 'Recordings', shortcut: 'G C', keywords: ['asciicast', 'replay', 'sessions'] },
  { view: 'review', label: 'Review', shortcut: 'G V', keywords: ['diff', 'merge', 'worktree'] },
  { view: 'audit', label: 'Audit', shortcut: 'G A', keywords: ['chain', 'verify', 'decisions', 'history'] },
];

export const viewLabel = (view: MainView): string => VIEWS.find((v) => v.view === view)?.label ?? view;
