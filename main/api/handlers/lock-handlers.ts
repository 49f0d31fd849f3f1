// locks.*: acquiring and releasing are audited decisions (Coordination), answered once their entries are
// on disk; listing, checking and heartbeats are not decisions.
import type { Coordination } from '../../core/coordination/coordination.js';
import type { LockSpaces } from '../../core/locks/lock-spaces.js';
import { aliveFor, type HandlersOf } from './handlers.js';

export interface LockHandlersDeps {
  locks: Pick<LockSpaces, 'list' | 'heartbeat' | 'check'>;
  decisions: Pick<Coordination, 'acquireLock' | 'releaseLock' | 'releaseLocks'>;
  activity: (agentIdOrName: string) => void;
}

export function lockHandlers({ locks, decisions, activity }: LockHandlersDeps): HandlersOf<'locks'> {
  const alive = aliveFor(activity);
  return {
    'locks.list': (i) => locks.list(i.project),
    'locks.acquire': ({ project, ...request }) =>
      alive(request.holder, decisions.acquireLock(project, { ...request, waitMs: request.waitMs ?? 0 })),
    'locks.release': (i) => alive(i.holder, decisions.releaseLock(i.project, i.holder, i.lockId)),
    'locks.releaseAll': async (i) => ({
      released: await alive(i.holder, decisions.releaseLocks(i.project, i.holder, i.session)),
    }),
    // not activity: the MCP server beats while the agent's process lives, whether the agent works or not
    'locks.heartbeat': (i) => ({ locks: locks.heartbeat(i.holder, i.session) }),
    'locks.check': (i) => alive(i.holder, locks.check(i.project, i.holder, i.paths)),
  };
}
