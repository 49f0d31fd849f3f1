// Reminders, wired: the store's table, the scheduler on the daemon's clock, recipients routed as messages are
// (this machine's agents, `user`, `@role`, `*`, `name@machine`), sent from `devmesh` through the team's
// message path. Built after the team (it sends through it), disposed before it.
import type { Logger } from 'pino';
import type { Disposable } from '../base/disposable.js';
import type { Coordination } from '../coordination/coordination.js';
import { SystemLockClock, type LockClock } from '../locks/lock-clock.js';
import type { StoreModule } from '../store/store-module.js';
import { routeFor } from '../team/message-routes.js';
import { TeamModule } from '../team/team-module.js';
import type { AgentsModule } from '../agents/agents-module.js';
import { REMINDERS_COMPONENT, ReminderScheduler } from './reminder-scheduler.js';
import { ReminderStore } from './reminder-store.js';

export interface RemindersModuleDeps {
  store: Pick<StoreModule, 'database' | 'events' | 'health'>;
  coordination: Coordination;
  team: Pick<TeamModule, 'transport' | 'directory' | 'messages'>;
  agents: Pick<AgentsModule, 'manager'>;
  logger: Logger;
  /** the scheduler's clock (tests drive fake time); default the system's */
  clock?: LockClock;
  /** the longest one timer waits before looking at the clock again (default 60 s) */
  maxWaitMs?: number;
}

export class RemindersModule implements Disposable {
  readonly scheduler: ReminderScheduler;

  constructor(deps: RemindersModuleDeps) {
    const { store, coordination, team, logger } = deps;
    const where = store.database.path;
    const health = store.health;
    const clock =
      deps.clock ??
      new SystemLockClock((err) =>
        health.fail({ component: REMINDERS_COMPONENT, error: err, where, rule: 'reminders fire on the next turn' }),
      );
    const local = TeamModule.localParties(deps.agents);
    this.scheduler = new ReminderScheduler({
      store: new ReminderStore(store.database),
      clock,
      resolve: (to) =>
        routeFor(to, {
          self: { machineId: team.transport.machineId, name: team.transport.machineName },
          local,
          directory: team.directory,
        }).to,
      send: (to, body) => team.messages.send({ from: 'devmesh', to, body }),
      trail: coordination.trail,
      idOf: (actor) => coordination.idOf(actor),
      emit: (event) => store.events.emit(event),
      health,
      logger: logger.child({ domain: 'reminders' }),
      where,
      ...(deps.maxWaitMs !== undefined ? { maxWaitMs: deps.maxWaitMs } : {}),
    });
    this.scheduler.start();
  }

  dispose(): void {
    this.scheduler.dispose();
  }
}
