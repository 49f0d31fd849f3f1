// The switch between the main views: Services (with the selected service's log), Requests, Graph (the
// mesh: service graph, peers, version alerts), Terminals, Recordings, the task command center, Locks, Team and Review.
import { useStore } from 'zustand';
import type { MainView } from '../state/view-store.js';
import { useApp } from './app-context.js';

const VIEWS: { view: MainView; label: string }[] = [
  { view: 'services', label: 'Services' },
  { view: 'requests', label: 'Requests' },
  { view: 'graph', label: 'Graph' },
  { view: 'terminals', label: 'Terminals' },
  { view: 'recordings', label: 'Recordings' },
  { view: 'tasks', label: 'Command center' },
  { view: 'locks', label: 'Locks' },
  { view: 'team', label: 'Team' },
  { view: 'review', label: 'Review' },
];

export function ViewSwitch() {
  const { stores } = useApp();
  const current = useStore(stores.view, (s) => s.view);
  return (
    <nav className="view-switch" role="tablist" aria-label="View">
      {VIEWS.map(({ view, label }) => (
        <button
          key={view}
          type="button"
          role="tab"
          aria-selected={view === current}
          className={view === current ? 'view-tab active' : 'view-tab'}
          data-testid={`nav-${view}`}
          onClick={() => stores.view.getState().show(view)}
        >
          {label}
        </button>
      ))}
    </nav>
  );
}
