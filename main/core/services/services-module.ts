// What runs services needs besides a project: their log store and registry, the process reaper (the
// no-orphan sidecar), the local CA bundle they trust, and the recovery of what a dead daemon left behind
// (reconciled before anything starts).
import { join } from 'node:path';
import type { Logger } from 'pino';
import { DisposableStore, type AsyncDisposable } from '../base/disposable.js';
import type { DevMeshHome } from '../home/devmesh-home.js';
import { RecoveryModule } from '../recovery/recovery-module.js';
import { LogStore } from '../logs/log-store.js';
import type { StoreModule } from '../store/store-module.js';
import { ProcessReaper } from './process-reaper.js';
import { ServiceCaBundle } from './service-ca-bundle.js';
import { ServiceRegistry } from './service-registry.js';

export interface ServicesModuleDeps {
  home: DevMeshHome;
  store: StoreModule;
  logger: Logger;
  /** the local CA's certificate, which services trust (with the user's own NODE_EXTRA_CA_CERTS) */
  caPath: string;
}

export class ServicesModule implements AsyncDisposable {
  private readonly disposables: DisposableStore;

  private constructor(
    disposables: DisposableStore,
    readonly logs: LogStore,
    readonly registry: ServiceRegistry,
    /** what this start recovered from the last run; records this run's end (CoordinationModule) */
    readonly recovery: RecoveryModule,
    readonly reaper: ProcessReaper,
    readonly serviceCa: ServiceCaBundle,
  ) {
    this.disposables = disposables;
  }

  static async open(deps: ServicesModuleDeps): Promise<ServicesModule> {
    const { home, logger } = deps;
    const { database, events, health, baseEnv } = deps.store;
    const disposables = new DisposableStore((err) => logger.error({ domain: 'services', err }, 'dispose failed'));
    try {
      const logs = disposables.add(new LogStore(database, events, { health }));
      const registry = disposables.add(new ServiceRegistry(database, { health }));
      const recovery = RecoveryModule.open({
        database,
        events,
        health,
        logger: logger.child({ domain: 'recovery' }),
        notesDir: join(home.dir, 'runs'),
      });
      const reaper = disposables.add(
        ProcessReaper.start(logger.child({ domain: 'reaper' }), { note: recovery.reaperNote, env: baseEnv }),
      );
      // Services and terminals left behind by a daemon that died without its reaper: stopped before anything
      // starts, and what happened to them kept in their history.
      await recovery.reconcile(registry, logs);
      const serviceCa = new ServiceCaBundle({ caPath: deps.caPath, dir: join(home.dir, 'service-ca') });
      return new ServicesModule(disposables, logs, registry, recovery, reaper, serviceCa);
    } catch (err) {
      await disposables.dispose();
      throw err;
    }
  }

  dispose(): Promise<void> {
    return this.disposables.dispose();
  }
}
