// Locks, the audit chain, tasks, messages and shared state (Coordination), with the recovery's records:
// what the last run left (recorded at start) and the locks held at this run's end (recorded at dispose,
// before Coordination closes its chain).
import type { AsyncDisposable } from '../base/disposable.js';
import type { RecoveryModule } from '../recovery/recovery-module.js';
import { Coordination, type CoordinationDeps } from './coordination.js';

export interface CoordinationModuleDeps {
  coordination: CoordinationDeps;
  recovery: RecoveryModule;
}

export class CoordinationModule implements AsyncDisposable {
  readonly coordination: Coordination;

  constructor(private readonly deps: CoordinationModuleDeps) {
    this.coordination = new Coordination({ ...deps.coordination, nextLockId: deps.recovery.nextLockId });
    try {
      deps.recovery.record(this.coordination);
    } catch (err) {
      this.coordination.dispose(); // the caller never gets this module: close the chain it opened
      throw err;
    }
  }

  dispose(): void {
    this.deps.recovery.shutDown(this.coordination);
    this.coordination.dispose();
  }
}
