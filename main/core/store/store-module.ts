// The daemon's foundation: the home's SQLite store (with its backups), the event bus, the health ledger
// and the environment every child starts from. Built first, closed last: every other part writes here.
import type { Logger } from 'pino';
import type { AsyncDisposable } from '../base/disposable.js';
import { EventBus } from '../events/event-bus.js';
import { DaemonHealth } from '../health/daemon-health.js';
import type { DevMeshHome } from '../home/devmesh-home.js';
import type { ShellEnvResolution } from '../environment/login-shell-env.js';
import { stripPackagingEnv } from '../environment/packaging-env.js';
import { reportShellEnv } from '../environment/shell-env-report.js';
import type { Database } from './database.js';
import { HomeStore, type BackupSettings } from './home-store.js';

const EVENT_HANDLER_RULE =
  'the part that failed to follow an event (a store writing what it heard) missed that one event; every other ' +
  'listener got it, and the daemon and its services keep running';

export interface StoreModuleDeps {
  home: DevMeshHome;
  logger: Logger;
  backups?: BackupSettings;
  environment?: ShellEnvResolution;
}

export class StoreModule implements AsyncDisposable {
  readonly database: Database;
  readonly events = new EventBus();
  readonly health: DaemonHealth;
  /** the environment every child (service, terminal, agent, CLI probe) starts from */
  readonly baseEnv: NodeJS.ProcessEnv;

  private constructor(
    private readonly store: HomeStore,
    deps: StoreModuleDeps,
  ) {
    const { home, logger } = deps;
    this.database = store.database;
    this.health = new DaemonHealth({ logger: logger.child({ domain: 'health' }), emit: (e) => this.events.emit(e) });
    const environment =
      deps.environment ??
      ({
        env: stripPackagingEnv(process.env),
        outcome: { kind: 'skipped', reason: 'the headless daemon keeps the environment it was started with' },
      } satisfies ShellEnvResolution);
    reportShellEnv(environment, { logger, health: this.health });
    this.baseEnv = environment.env;
    // what a listener threw (a task store on a full disk hearing an agent exit) is a problem, not a crash
    this.events.onListenerError = (err) =>
      this.health.fail({ component: 'event handlers', error: err, where: home.databasePath, rule: EVENT_HANDLER_RULE });
  }

  static open(deps: StoreModuleDeps): StoreModule {
    const store = HomeStore.open(deps.home, deps.logger);
    try {
      const module = new StoreModule(store, deps);
      store.startBackups(module.health, deps.backups);
      return module;
    } catch (err) {
      void store.close();
      throw err;
    }
  }

  dispose(): Promise<void> {
    return this.store.close();
  }
}
