// The databases domain as the core composes it: the engine locator, the DatabaseManager (the engines run as
// services of their projects), and the snapshot part working through it (store, restore, reset, publishing,
// pulls over the peer tunnel), and the sweep of worktree copies' databases whose worktree is gone (at start, and
// when a copy closes). Built before the projects (their services are prepared and given DATABASE_URL by it) and
// bound to them, the mesh and the peer tunnel late. Owns no process: each engine is a service of its project,
// stopped with it.
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Disposable } from '../base/disposable.js';
import { GitRunner } from '../base/git-runner.js';
import type { EventBus } from '../events/event-bus.js';
import type { DevMeshHome } from '../home/devmesh-home.js';
import type { LogStore } from '../logs/log-store.js';
import type { ProjectManager } from '../projects/project-manager.js';
import type { ListeningPorts } from '../proxy/listening-ports.js';
import type { RoutablePeer } from '../proxy/routable-peer.js';
import type { PeerTunnelDialer } from '../proxy/tcp/peer-tunnel-dialer.js';
import type { Database } from '../store/database.js';
import { DatabaseManager, type DatabaseManagerDeps } from './database-manager.js';
import { EngineLocator, engineLocationsFromEnv, type EngineLocatorDeps } from './engine-locator.js';
import { engineUser } from './engine-user.js';
import { seedFileOf } from './snapshot-seed.js';
import { SnapshotsModule } from './snapshots-module.js';
import { WorktreeDataSweep } from './worktree-data-sweep.js';

export interface DatabasesModuleDeps {
  home: DevMeshHome;
  logs: LogStore;
  /** the snapshot table lives in the daemon's SQLite store */
  database: Database;
  events: EventBus;
  logger: Logger;
  projects: () => ProjectManager;
  /** linked teammates that can be reached now (late-bound: the mesh is built after) */
  peers: () => RoutablePeer[];
  /** the peer tunnel (late-bound: the proxy that owns it is built after); null while there is none */
  dialer: () => PeerTunnelDialer | null;
  /** the environment engines are looked up in (the daemon's, or the desktop's login shell) */
  baseEnv?: NodeJS.ProcessEnv;
  /** tests point the locator at their own folders */
  locator?: EngineLocatorDeps;
  /**
   * Where the proxy listens (filled once it does): a database service's stable TCP address, and the port lent
   * to a local engine to listen on itself. Absent: engines on their private ports, clients sent there.
   */
  ports?: ListeningPorts;
}

/** The DatabaseManager's view of the proxy's stable TCP addresses. */
function stableAddresses(
  ports: ListeningPorts,
  projects: () => ProjectManager,
): Pick<DatabaseManagerDeps, 'stableAddress' | 'lendAddress'> {
  return {
    stableAddress: (project, service) => {
      const address = ports.tcpAddress;
      if (address === null) return null;
      const stable = address(project, projects().resolve(project).supervisor.get(service).definition);
      return stable === null ? null : { host: stable.host, port: stable.port };
    },
    lendAddress: (project, service) => ports.tcpLend?.(project, service) ?? Promise.resolve(null),
  };
}

export class DatabasesModule implements Disposable {
  readonly locator: EngineLocator;
  readonly manager: DatabaseManager;
  readonly snapshots: SnapshotsModule;
  /** removes worktree copies' databases once their worktree is gone */
  readonly sweep: WorktreeDataSweep;
  private readonly subscription: Disposable;
  private readonly logger: Logger;
  private disposed = false;

  constructor(deps: DatabasesModuleDeps) {
    const locations = engineLocationsFromEnv(deps.baseEnv);
    this.locator = new EngineLocator({
      path: deps.baseEnv?.PATH,
      ...(locations ? { locations } : {}),
      ...deps.locator,
    });
    const folder = join(deps.home.dir, 'databases');
    this.manager = new DatabaseManager({
      dir: folder,
      locator: this.locator,
      projects: deps.projects,
      logs: deps.logs,
      user: engineUser(),
      // A worktree copy has no snapshots of its own at first: its seed comes from the main checkout's.
      snapshotFile: (project, service, name) => {
        const store = this.snapshots.snapshots.store;
        const of =
          deps
            .projects()
            .all()
            .find((p) => p.id === project)?.worktree?.of ?? null;
        const stored = store.get(project, service, name) ?? (of === null ? null : store.get(of, service, name));
        return stored === null ? null : seedFileOf(stored);
      },
      snapshotCount: (project, service) => this.snapshots.count(project, service),
      ...(deps.ports ? stableAddresses(deps.ports, deps.projects) : {}),
    });
    this.snapshots = new SnapshotsModule({
      database: deps.database,
      homeDir: deps.home.dir,
      directory: this.manager,
      dialer: deps.dialer,
      peers: deps.peers,
      projectId: (ref) => deps.projects().resolve(ref).id,
      emit: (event) => deps.events.emit(event),
    });
    const logger = (this.logger = deps.logger.child({ domain: 'databases' }));
    const open = () => deps.projects().all();
    this.sweep = new WorktreeDataSweep({
      dir: folder,
      isOpen: (id) => open().some((p) => p.id === id),
      mainRootOf: (of) => open().find((p) => p.id === of && p.worktree === null)?.root ?? null,
      git: new GitRunner({ env: deps.baseEnv, timeoutMs: 30_000 }),
      logger,
    });
    // A copy closed (its agent removed with its worktree, or `devmesh close`): its engines have stopped.
    this.subscription = deps.events.onDidEmitEvent((event) => {
      if (event.type !== 'project.closed' || !event.projectId.includes('@') || this.disposed) return;
      this.sweep
        .sweepCopy(event.projectId)
        .catch((err: Error) => logger.warn({ copy: event.projectId, err: err.message }, 'copy sweep failed'));
    });
  }

  /**
   * Once the projects are open: sweeps, in the background (git answers for each folder, nothing waits for it),
   * the databases of copies whose worktree went while DevMesh was away.
   */
  start(): void {
    this.sweepWorktreeCopies().catch((err: Error) => this.logger.warn({ err: err.message }, 'copy sweep failed'));
  }

  /** The folders of copies whose worktree is gone; the summary goes to the log. */
  async sweepWorktreeCopies(): Promise<void> {
    const outcomes = await this.sweep.sweep();
    if (outcomes.size === 0) return;
    const all = [...outcomes];
    const removed = all.filter(([, o]) => o.startsWith('removed')).map(([id]) => id);
    const snapshotsKept = all.filter(([, o]) => o === 'removed, snapshots kept').map(([id]) => id);
    const kept = Object.fromEntries(all.filter(([, o]) => !o.startsWith('removed')));
    this.logger.info({ removed, snapshotsKept, kept }, 'swept the databases of worktree copies');
  }

  /** Stops following closes: a daemon closing its projects must not sweep behind them. */
  dispose(): void {
    this.disposed = true;
    this.subscription.dispose();
  }
}
