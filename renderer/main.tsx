// Entry point of the UI, in the Electron window and in a browser alike: pick the transport, create the
// stores, keep them in sync with the daemon, render.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createClient } from './api/create-client.js';
import { AgentsSync } from './agents/agents-sync.js';
import { DataSync } from './state/data-sync.js';
import { createAppStores } from './state/app-stores.js';
import { HealthSync } from './health/health-sync.js';
import { MeshSync } from './graph/mesh-sync.js';
import { ProxySync } from './state/proxy-sync.js';
import { StoreSync } from './state/store-sync.js';
import { TerminalsSync } from './terminals/terminals-sync.js';
import { MAIN_VIEWS } from './state/view-store.js';
import { AppContext } from './shell/app-context.js';
import { App } from './shell/app.js';
import { coordinationSyncs } from './command-center/command-center-syncs.js';
import './styles/app.css';

const client = createClient();
const stores = createAppStores(client.status);
// Lives as long as the page: closing the window closes the socket and drops the listeners with it.
new StoreSync(client, stores);
new ProxySync(client, stores);
new DataSync(client, stores);
new MeshSync(client, stores);
new HealthSync(client, stores.health);
const terminals = new TerminalsSync(client, stores);
const agents = new AgentsSync(client, stores);
coordinationSyncs(client, stores);
// The view lives in the URL's hash, so a reload (or a bookmark) comes back to it.
const hashView = MAIN_VIEWS.find((v) => `#${v}` === window.location.hash);
if (hashView) stores.view.getState().show(hashView);
stores.view.subscribe(({ view }) => {
  const { pathname, search } = window.location;
  window.history.replaceState(null, '', `${pathname}${search}${view === 'services' ? '' : `#${view}`}`);
});

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <AppContext.Provider value={{ client, stores, terminals, agents }}>
      <App />
    </AppContext.Provider>
  </StrictMode>,
);
