// The window: header with the project, the view switch and the daemon's own problems, banners, then the services table with the
// selected service's log, the proxy's request log, the mesh's service graph, the embedded terminals or their
// recordings, the task command center, the locks between agents, the team, or an agent's work to review.
import { lazy, Suspense, type ReactNode } from 'react';
import { useStore } from 'zustand';
import { useApp } from './app-context.js';
import { ConfigErrorBanner } from './config-error-banner.js';
import { ConnectionBanner } from './connection-banner.js';
import { HealthPill, HealthProblems, useHealthFold } from '../health/health-problems.js';
import { LogPane } from '../logs/log-pane.js';
import { ProjectPicker } from './project-picker.js';
import { RequestsView } from '../requests/requests-view.js';
import { ServicesTable } from '../services/services-table.js';
import { ToastList } from './toast-list.js';
import { ViewLoadBoundary } from './view-load-boundary.js';
import { ViewSwitch } from './view-switch.js';

// React Flow and dagre are most of the bundle and only the Graph view draws with them: that view is its own
// chunk, fetched the first time it is shown, so the services table does not wait for it.
const GraphView = lazy(() => import('../graph/graph-view.js').then((m) => ({ default: m.GraphView })));
// xterm and its addons likewise: the Terminals view is a chunk of its own.
const TerminalsView = lazy(() => import('../terminals/terminals-view.js').then((m) => ({ default: m.TerminalsView })));
// The Recordings view too (vite puts the xterm both use in a chunk they share).
const RecordingsView = lazy(() =>
  import('../recordings/recordings-view.js').then((m) => ({ default: m.RecordingsView })),
);
// The coordination views (command center, locks) are fetched when first shown, with their styles.
const CommandCenter = lazy(() =>
  import('../command-center/command-center.js').then((m) => ({ default: m.CommandCenter })),
);
const LocksView = lazy(() => import('../locks/locks-view.js').then((m) => ({ default: m.LocksView })));
const TeamView = lazy(() => import('../team/team-view.js').then((m) => ({ default: m.TeamView })));
// The Review view with react-diff-view and refractor (Prism): fetched when first shown.
const ReviewView = lazy(() => import('../review/review-view.js').then((m) => ({ default: m.ReviewView })));

/** A lazily loaded view in the content area: a placeholder while its chunk loads, a message if it fails to. */
function LazyViewContent({ name, children }: { name: string; children: ReactNode }) {
  return (
    <main className="content">
      <ViewLoadBoundary name={name}>
        <Suspense
          fallback={
            <div className="empty" data-testid={`${name}-loading`}>
              Loading the {name}…
            </div>
          }
        >
          {children}
        </Suspense>
      </ViewLoadBoundary>
    </main>
  );
}

export function App() {
  const { stores } = useApp();
  const state = useStore(stores.connection, (s) => s.status.state);
  const view = useStore(stores.view, (s) => s.view);
  const [healthOpen, toggleHealth] = useHealthFold();
  return (
    <div className={state === 'open' ? 'app' : 'app disconnected'}>
      <header className="app-header">
        <div className="topbar">
          <div className="brand">
            <span className="brand-mark" aria-hidden="true" />
            DevMesh
          </div>
          <ProjectPicker />
          <ViewSwitch />
          <div className="spacer" />
          <HealthPill open={healthOpen} onToggle={toggleHealth} />
          <span className={`conn-dot conn-${state}`} title={`daemon connection: ${state}`} />
        </div>
        <HealthProblems open={healthOpen} />
      </header>
      <ConnectionBanner />
      <ConfigErrorBanner />
      {view === 'services' ? (
        <main className="content">
          <ServicesTable />
          <LogPane />
        </main>
      ) : view === 'requests' ? (
        <main className="content">
          <RequestsView />
        </main>
      ) : view === 'terminals' ? (
        <LazyViewContent name="terminals">
          <TerminalsView />
        </LazyViewContent>
      ) : view === 'recordings' ? (
        <LazyViewContent name="recordings">
          <RecordingsView />
        </LazyViewContent>
      ) : view === 'tasks' ? (
        <LazyViewContent name="tasks">
          <CommandCenter />
        </LazyViewContent>
      ) : view === 'locks' ? (
        <LazyViewContent name="locks">
          <LocksView />
        </LazyViewContent>
      ) : view === 'team' ? (
        <LazyViewContent name="team">
          <TeamView />
        </LazyViewContent>
      ) : view === 'review' ? (
        <LazyViewContent name="review">
          <ReviewView />
        </LazyViewContent>
      ) : (
        <LazyViewContent name="graph">
          <GraphView />
        </LazyViewContent>
      )}
      <ToastList />
    </div>
  );
}
