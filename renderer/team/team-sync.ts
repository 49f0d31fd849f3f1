// Keeps the team store in step with the daemon: the machines on every (re)connect, and again shortly after
// each event that changes what they show (a teammate's machine or agent: team.machine, team.agent; this
// machine's agents, tasks and projects). A burst of events is one listing. Made once per window's stores,
// on first use, and kept for the page's life like the coordination syncs.
import type { DevMeshEvent } from '../../shared/events.js';
import type { DevMeshClient } from '../api/devmesh-client.js';
import type { AppStores } from '../state/app-stores.js';
import { ListSync } from '../state/list-sync.js';
import { useApp } from '../shell/app-context.js';
import { createTeamStore, type TeamStore } from './team-store.js';

/** how long events are gathered before the machines are listed again */
const RELIST_DELAY_MS = 120;

const TEAM_EVENTS = new Set<DevMeshEvent['type']>([
  'team.machine',
  'team.agent',
  'agent.status',
  'task.changed',
  'project.opened',
  'project.closed',
  'project.identified',
]);

export class TeamSync {
  readonly store: TeamStore = createTeamStore();
  private readonly list: ListSync<Awaited<ReturnType<TeamSync['machines']>>>;
  private relistTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly client: DevMeshClient) {
    this.list = new ListSync(client, {
      list: () => this.machines(),
      store: this.store,
      what: 'team',
      onEvent: (event) => {
        if (TEAM_EVENTS.has(event.type)) this.relistSoon();
      },
    });
  }

  refresh(): Promise<void> {
    return this.list.refresh();
  }

  dispose(): void {
    if (this.relistTimer !== null) clearTimeout(this.relistTimer);
    this.list.dispose();
  }

  private machines() {
    return this.client.call('team.machines', {});
  }

  private relistSoon(): void {
    if (this.relistTimer !== null) return;
    this.relistTimer = setTimeout(() => {
      this.relistTimer = null;
      void this.list.refresh();
    }, RELIST_DELAY_MS);
  }
}

const created = new WeakMap<AppStores, TeamSync>();

/** The team sync of these stores, made on first call (the Team view's first showing). */
export function teamSync(client: DevMeshClient, stores: AppStores): TeamSync {
  let sync = created.get(stores);
  if (!sync) {
    sync = new TeamSync(client);
    created.set(stores, sync);
  }
  return sync;
}

export function useTeam(): TeamSync {
  const { client, stores } = useApp();
  return teamSync(client, stores);
}
