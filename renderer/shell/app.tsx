// The window: a header (the project, the command palette's button, the theme, the daemon's problems), banners,
// then the sidebar (views, services, agents) beside the view shown: the services table over the selected
// service's log, the proxy's request log, the mesh's service graph, the embedded terminals or their recordings,
// the task command center, the locks between agents, the team, an agent's work to review, or the audit chain.
// The status bar along the foot; the command palette (Ctrl/⌘+K) over everything when open.
import { lazy, Suspense, type ReactNode } from 'react';
import type { MainView } from '../state/view-store.js';
import { useStore } from 'zustand';
import { useApp } from './app-context.js';
import { ConfigErrorBanner } from './config-error-banner.js';
import { ConnectionBanner } from './connection-banner.js';
import { HealthProblems, useHealthFold } from '../health/health-problems.js';
import { LogPane } from '../logs/log-pane.js';
import { RequestsView } from '../requests/requests-view.js';
import { ServicesTable } from '../services/services-table.js';
import { ShellHeader } from './shell-header.js';
import { Sidebar } from './sidebar.js';
import { SplitPanes } from './split-panes.js';
import { StatusBar } from './status-bar.js';
import { ToastList } from './toast-list.js';
import { useShell } from './use-shell.js';
import '../styles/shell.css';
import { ViewLoadBoundary } from './view-load-boundary.js';
import { viewLabel } from './views.js';

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
// The command palette and cmdk (with the Radix parts it brings): fetched on the first Ctrl+K.
const CommandPalette = lazy(() =>
  import('../commands/command-palette.js').then((m) => ({ default: m.CommandPalette })),
);
// The Audit view: the chain, its filter and its verification.
const AuditView = lazy(() => import('../audit/audit-view.js').then((m) => ({ default: m.AuditView })));

/** The content area: the view's name as the page's one level-one heading (for screen readers), then the view. */
function ViewMain({
  view,
  className = 'content',
  children,
}: {
  view: MainView;
  className?: string;
  children: ReactNode;
}) {
  return (
    <main className={className}>
      <h1 className="sr-only">{viewLabel(view)}</h1>
      {children}
    </main>
  );
}

/** A lazily loaded view in the content area: a placeholder while its chunk loads, a message if it fails to. */
function LazyViewContent({ view, children }: { view: MainView; children: ReactNode }) {
  return (
    <ViewMain view={view}>
      <ViewLoadBoundary name={view}>
        <Suspense
          fallback={
            <div className="empty" data-testid={`${view}-loading`}>
              Loading the {view}…
            </div>
          }
        >
          {children}
        </Suspense>
      </ViewLoadBoundary>
    </ViewMain>
  );
}

export function App() {
  const { stores } = useApp();
  const state = useStore(stores.connection, (s) => s.status.state);
  const view = useStore(stores.view, (s) => s.view);
  const paletteOpen = useStore(stores.commands, (s) => s.paletteOpen);
  const [healthOpen, toggleHealth] = useHealthFold();
  useShell();
  return (
    <div className={state === 'open' ? 'app' : 'app disconnected'}>
      <header className="app-header">
        <ShellHeader healthOpen={healthOpen} onToggleHealth={toggleHealth} />
        <HealthProblems open={healthOpen} />
      </header>
      <ConnectionBanner />
      <ConfigErrorBanner />
      <div className="app-body">
        <Sidebar />
        <ViewContent view={view} />
      </div>
      <StatusBar />
      {paletteOpen && (
        <ViewLoadBoundary name="command palette">
          <Suspense fallback={null}>
            <CommandPalette />
          </Suspense>
        </ViewLoadBoundary>
      )}
      <ToastList />
    </div>
  );
}

function ViewContent({ view }: { view: MainView }) {
  switch (view) {
    case 'services':
      return (
        <ViewMain view={view} className="content content-split">
          <SplitPanes
            id="services"
            orientation="vertical"
            firstSize={45}
            label="Resize the services table and the log"
            first={<ServicesTable />}
            second={<LogPane />}
          />
        </ViewMain>
      );
    case 'requests':
      return (
        <ViewMain view={view}>
          <RequestsView />
        </ViewMain>
      );
    case 'terminals':
      return (
        <LazyViewContent view={view}>
          <TerminalsView />
        </LazyViewContent>
      );
    case 'recordings':
      return (
        <LazyViewContent view={view}>
          <RecordingsView />
        </LazyViewContent>
      );
    case 'tasks':
      return (
        <LazyViewContent view={view}>
          <CommandCenter />
        </LazyViewContent>
      );
    case 'locks':
      return (
        <LazyViewContent view={view}>
          <LocksView />
        </LazyViewContent>
      );
    case 'team':
      return (
        <LazyViewContent view={view}>
          <TeamView />
        </LazyViewContent>
      );
    case 'review':
      return (
        <LazyViewContent view={view}>
          <ReviewView />
        </LazyViewContent>
      );
    case 'audit':
      return (
        <LazyViewContent view={view}>
          <AuditView />
        </LazyViewContent>
      );
    case 'graph':
      return (
        <LazyViewContent view={view}>
          <GraphView />
        </LazyViewContent>
      );
  }
}
