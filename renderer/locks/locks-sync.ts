// Keeps the locks store in step with the daemon: every lock space on (re)connect, and again shortly after
// lock.changed events (a burst of grants and releases is one listing, not one per event); teammates' locks
// (team.locks) likewise after team.locks / team.machine events; a team.lock-conflict event is kept as an
// alert, and so is a files.lock-bypassed event (handed to `onBypass` too, for a toast on any view). Also the Locks view's actions: the human (`user`) takes a lock or releases one of theirs.
import type { LockInfo, LockMode, LockSpaceSnapshot } from '../../shared/lock.js';
import type { TeamLocks } from '../../shared/team.js';
import type { LockBypassedEvent } from '../../shared/files.js';
import type { DevMeshClient } from '../api/devmesh-client.js';
import { ListSync } from '../state/list-sync.js';
import type { LocksStore } from './locks-store.js';
import { lockTargetOf } from './locks-target.js';
import { actionFailure, type ActionResult } from '../tasks/tasks-sync.js';

/** the holder a human's locks are taken under, in the UI and the CLI alike */
export const USER_HOLDER = 'user';
/** how long lock.changed events are gathered before the spaces are listed again */
const RELIST_DELAY_MS = 120;

export interface LockTakeInput {
  path: string;
  mode: LockMode;
  /** a project id or root; omitted: the only open project */
  project?: string;
  ttlMs?: number;
}

export class LocksSync {
  private readonly list: ListSync<LockSpaceSnapshot[]>;
  private readonly team: ListSync<TeamLocks>;
  private relistTimer: ReturnType<typeof setTimeout> | null = null;
  private teamTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly client: DevMeshClient,
    store: LocksStore,
    onBypass: (event: LockBypassedEvent) => void = () => {},
  ) {
    this.list = new ListSync(client, {
      list: () => client.call('locks.list', {}),
      store,
      what: 'locks',
      onEvent: (event) => {
        if (event.type === 'lock.changed') this.relistSoon();
        else if (event.type === 'files.lock-bypassed') {
          store.getState().raiseBypass(event);
          onBypass(event);
        }
      },
    });
    const teamStore = {
      getState: () => ({
        replace: (listed: TeamLocks) => store.getState().replaceTeam(listed),
        fail: (message: string | null) => store.getState().failTeam(message),
      }),
    };
    this.team = new ListSync(client, {
      list: () => client.call('team.locks', {}),
      store: teamStore,
      what: "teammates' locks",
      onEvent: (event) => {
        if (event.type === 'team.locks' || event.type === 'team.machine') this.relistTeamSoon();
        else if (event.type === 'team.lock-conflict') store.getState().raiseConflict(event);
      },
    });
  }

  refresh(): Promise<void> {
    return Promise.all([this.list.refresh(), this.team.refresh()]).then(() => undefined);
  }

  /** Takes a lock as `user`, refused at once (naming the holders in the way) when it is blocked. */
  async take(input: LockTakeInput): Promise<ActionResult<LockInfo>> {
    const target = lockTargetOf(input.path);
    if (!target) return { ok: false, code: 'BAD_REQUEST', message: 'name a file, a directory (ending in /) or a glob' };
    try {
      const lock = await this.client.call('locks.acquire', {
        holder: USER_HOLDER,
        mode: input.mode,
        target,
        waitMs: 0,
        ...(input.project ? { project: input.project } : {}),
        ...(input.ttlMs ? { ttlMs: input.ttlMs } : {}),
      });
      this.relistSoon();
      return { ok: true, value: lock };
    } catch (err) {
      return actionFailure(err);
    }
  }

  /** Releases one of the user's locks in the space at `root`. */
  async release(root: string, lock: LockInfo): Promise<ActionResult<LockInfo>> {
    try {
      const released = await this.client.call('locks.release', { project: root, holder: lock.holder, lockId: lock.id });
      this.relistSoon();
      return { ok: true, value: released };
    } catch (err) {
      return actionFailure(err);
    }
  }

  dispose(): void {
    this.list.dispose();
    this.team.dispose();
    if (this.relistTimer) clearTimeout(this.relistTimer);
    if (this.teamTimer) clearTimeout(this.teamTimer);
    this.relistTimer = null;
    this.teamTimer = null;
  }

  private relistTeamSoon(): void {
    if (this.teamTimer) return;
    this.teamTimer = setTimeout(() => {
      this.teamTimer = null;
      void this.team.refresh();
    }, RELIST_DELAY_MS);
  }

  private relistSoon(): void {
    if (this.relistTimer) return;
    this.relistTimer = setTimeout(() => {
      this.relistTimer = null;
      void this.list.refresh();
    }, RELIST_DELAY_MS);
  }
}
