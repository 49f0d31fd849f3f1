// The window: header with the project, banners, the services table and the selected service's log.
import { useStore } from 'zustand';
import { useApp } from './app-context.js';
import { ConfigErrorBanner } from './config-error-banner.js';
import { ConnectionBanner } from './connection-banner.js';
import { LogPane } from './log-pane.js';
import { ProjectPicker } from './project-picker.js';
import { ServicesTable } from './services-table.js';
import { ToastList } from './toast-list.js';

export function App() {
  const { stores } = useApp();
  const state = useStore(stores.connection, (s) => s.status.state);
  return (
    <div className={state === 'open' ? 'app' : 'app disconnected'}>
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          DevMesh
        </div>
        <ProjectPicker />
        <div className="spacer" />
        <span className={`conn-dot conn-${state}`} title={`daemon connection: ${state}`} />
      </header>
      <ConnectionBanner />
      <ConfigErrorBanner />
      <main className="content">
        <ServicesTable />
        <LogPane />
      </main>
      <ToastList />
    </div>
  );
}
