// The UI's stores, created once per window and handed to the views through React context.
import type { ConnectionStatus } from '../api/devmesh-client.js';
import { createAgentsStore, type AgentsStore } from '../agents/agents-store.js';
import { createAuditStore, type AuditStore } from '../audit/audit-store.js';
import { createCommandsStore, type CommandsStore } from '../commands/commands-store.js';
import { createConnectionStore, type ConnectionStore } from './connection-store.js';
import { createDatabasesStore, type DatabasesStore } from './databases-store.js';
import { createHealthStore, type HealthStore } from '../health/health-store.js';
import { createLocksStore, type LocksStore } from '../locks/locks-store.js';
import { createMeshStore, type MeshStore } from '../graph/mesh-store.js';
import { createMessagesStore, type MessagesStore } from '../messages/messages-store.js';
import { createProjectsStore, type ProjectsStore } from './projects-store.js';
import { createReviewStore, type ReviewStore } from '../review/review-store.js';
import { createRoutesStore, type RoutesStore } from './routes-store.js';
import { createServicesStore, type ServicesStore } from './services-store.js';
import { createShellSlotsStore, type ShellSlotsStore } from '../shell/shell-slots.js';
import { createSidebarStore, type SidebarStore } from './sidebar-store.js';
import { createTasksStore, type TasksStore } from '../tasks/tasks-store.js';
import { createTcpStore, type TcpStore } from './tcp-store.js';
import { createTerminalsStore, type TerminalsStore } from '../terminals/terminals-store.js';
import { createThemeStore, type ThemeStore } from './theme-store.js';
import { createToastsStore, type ToastsStore } from './toasts-store.js';
import { createTrafficStore, type TrafficStore } from './traffic-store.js';
import { createViewStore, type ViewStore } from './view-store.js';

export interface AppStores {
  connection: ConnectionStore;
  /** the daemon's own problems, shown in the header */
  health: HealthStore;
  projects: ProjectsStore;
  services: ServicesStore;
  toasts: ToastsStore;
  routes: RoutesStore;
  traffic: TrafficStore;
  view: ViewStore;
  mesh: MeshStore;
  terminals: TerminalsStore;
  agents: AgentsStore;
  locks: LocksStore;
  tasks: TasksStore;
  messages: MessagesStore;
  /** the Review view: the shown agent's changes and open diff */
  review: ReviewStore;
  /** the project's databases, their snapshots and teammates' published ones */
  databases: DatabasesStore;
  /** the project's TCP services' stable addresses and counters */
  tcp: TcpStore;
  /** the commands the palette lists and shortcuts run, and whether the palette is open */
  commands: CommandsStore;
  /** light, dark or the OS's choice */
  theme: ThemeStore;
  /** what other parts add to the sidebar and the status bar */
  slots: ShellSlotsStore;
  /** the sidebar shown in full or collapsed to its rail */
  sidebar: SidebarStore;
  /** the Audit view's filter and requests to verify the chain */
  audit: AuditStore;
}

/** the window's localStorage, or null where there is none (a test outside a DOM) or it is refused */
function windowStorage(): Storage | null {
  try {
    return typeof window === 'undefined' ? null : window.localStorage;
  } catch {
    return null;
  }
}

export const createAppStores = (initial: ConnectionStatus): AppStores => ({
  connection: createConnectionStore(initial),
  health: createHealthStore(),
  projects: createProjectsStore(),
  services: createServicesStore(),
  toasts: createToastsStore(),
  routes: createRoutesStore(),
  traffic: createTrafficStore(),
  view: createViewStore(),
  mesh: createMeshStore(),
  terminals: createTerminalsStore(),
  agents: createAgentsStore(),
  locks: createLocksStore(),
  tasks: createTasksStore(),
  messages: createMessagesStore(),
  review: createReviewStore(),
  databases: createDatabasesStore(),
  tcp: createTcpStore(),
  commands: createCommandsStore(),
  theme: createThemeStore(windowStorage()),
  slots: createShellSlotsStore(),
  sidebar: createSidebarStore(windowStorage()),
  audit: createAuditStore(),
});
