// What every view can reach: the transport-neutral client and the stores. One value per window.
import { createContext, useContext } from 'react';
import type { DevMeshClient } from '../api/devmesh-client.js';
import type { AgentsSync } from '../agents/agents-sync.js';
import type { AppStores } from '../state/app-stores.js';
import type { TerminalsSync } from '../terminals/terminals-sync.js';

export interface AppServices {
  client: DevMeshClient;
  stores: AppStores;
  /** the terminal sessions' list and the Terminals view's actions (new shell, kill, close) */
  terminals: TerminalsSync;
  /** the agents' list, the waiting toast and the agent actions (start, stop, relaunch, remove) */
  agents: AgentsSync;
}

export const AppContext = createContext<AppServices | null>(null);

export function useApp(): AppServices {
  const app = useContext(AppContext);
  if (!app) throw new Error('useApp() outside <AppContext.Provider>: render views through main.tsx');
  return app;
}
