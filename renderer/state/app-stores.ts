// The UI's stores, created once per window and handed to the views through React context.
import type { ConnectionStatus } from '../api/devmesh-client.js';
import { createConnectionStore, type ConnectionStore } from './connection-store.js';
import { createProjectsStore, type ProjectsStore } from './projects-store.js';
import { createServicesStore, type ServicesStore } from './services-store.js';
import { createToastsStore, type ToastsStore } from './toasts-store.js';

export interface AppStores {
  connection: ConnectionStore;
  projects: ProjectsStore;
  services: ServicesStore;
  toasts: ToastsStore;
}

export const createAppStores = (initial: ConnectionStatus): AppStores => ({
  connection: createConnectionStore(initial),
  projects: createProjectsStore(),
  services: createServicesStore(),
  toasts: createToastsStore(),
});
