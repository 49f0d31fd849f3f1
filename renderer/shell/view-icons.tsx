// The views' icons for the collapsed sidebar's rail (VS Code's activity bar): line drawings in the text's
// colour, 16 px, decorative only: each button carries the view's name for screen readers and as its title.
import type { ReactNode } from 'react';
import type { MainView } from '../state/view-store.js';

const PATHS: Record<MainView, ReactNode> = {
  // a stack of two servers
  services: (
    <>
      <rect x="2" y="2.5" width="12" height="4.5" rx="1" />
      <rect x="2" y="9" width="12" height="4.5" rx="1" />
      <path d="M4.5 4.75h.01M4.5 11.25h.01" />
    </>
  ),
  // requests out and answers back
  requests: <path d="M2 5h11M10.5 2.5 13 5l-2.5 2.5M14 11H3M5.5 8.5 3 11l2.5 2.5" />,
  // three nodes and their edges
  graph: (
    <>
      <circle cx="4" cy="4" r="2" />
      <circle cx="12" cy="4" r="2" />
      <circle cx="8" cy="12" r="2" />
      <path d="M6 4h4M5 5.8l2 4.4M11 5.8l-2 4.4" />
    </>
  ),
  // a prompt in a window
  terminals: (
    <>
      <rect x="1.5" y="2.5" width="13" height="11" rx="1.5" />
      <path d="m4.5 6 2.5 2-2.5 2M8.5 10.5h3" />
    </>
  ),
  // two people
  team: (
    <>
      <circle cx="6" cy="5" r="2.25" />
      <path d="M1.75 13.5c0-2.5 1.9-4.25 4.25-4.25s4.25 1.75 4.25 4.25" />
      <circle cx="11.5" cy="5.5" r="1.75" />
      <path d="M11.25 9.25c1.9 0 3.25 1.5 3.25 3.75" />
    </>
  ),
  // a checklist
  tasks: <path d="m2 4 1.5 1.5L6 3M2 10.5 3.5 12 6 9.5M8.5 4.5H14M8.5 11H14" />,
  // a padlock
  locks: (
    <>
      <rect x="3" y="7" width="10" height="7" rx="1.25" />
      <path d="M5.25 7V5a2.75 2.75 0 0 1 5.5 0v2" />
    </>
  ),
  // the record button
  recordings: (
    <>
      <circle cx="8" cy="8" r="6" />
      <circle cx="8" cy="8" r="2.25" fill="currentColor" />
    </>
  ),
  // lines added and removed
  review: <path d="M5 2.5v5M2.5 5h5M8.5 11h5M2.5 14h11" />,
  // a shield with a tick: the chain verifies
  audit: <path d="M8 1.5 13.5 3.5v4c0 3.4-2.4 5.7-5.5 7-3.1-1.3-5.5-3.6-5.5-7v-4zM5.5 8l1.75 1.75L10.5 6.5" />,
};

/** a 16 px line drawing in the text's colour, hidden from screen readers (its button carries the name) */
function LineIcon({ children }: { children: ReactNode }) {
  return (
    <svg
      className="sidebar-icon"
      viewBox="0 0 16 16"
      width="16"
      height="16"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.4"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      {children}
    </svg>
  );
}

export function ViewIcon({ view }: { view: MainView }) {
  return <LineIcon>{PATHS[view]}</LineIcon>;
}

/** The collapse control's icon: a window with its side column, filled while the sidebar is shown in full. */
export function SidebarIcon({ expanded }: { expanded: boolean }) {
  return (
    <LineIcon>
      <rect x="1.5" y="2.5" width="13" height="11" rx="1.5" />
      <path d="M6 2.5v11" />
      {expanded && <rect x="2.25" y="3.25" width="3" height="9.5" fill="currentColor" stroke="none" />}
    </LineIcon>
  );
}
