// The locks domain's port for teammates' locks (main/core/locks/teammate-locks.ts), filled from presence: the
// locks linked teammates' machines hold in the project at a lock space's root (same identity key). An
// unreachable machine's locks are only "last seen" (they may be gone; the mesh lock protocol takes over again
// when it is back), so they do not block an edit here.
import type { TeammateLocks } from '../locks/teammate-locks.js';
import type { TeamPresence } from './team-presence.js';

export interface TeammateLockPortDeps {
  presence: Pick<TeamPresence, 'locks'>;
  /** the identity key of the project at a lock space's root; null when it has none to share */
  projectKeyAt(root: string): string | null;
}

export function teammateLocks(deps: TeammateLockPortDeps): TeammateLocks {
  return {
    heldAt: (root) => {
      const key = deps.projectKeyAt(root);
      if (key === null) return [];
      return deps.presence
        .locks()
        .locks.filter((l) => !l.local && l.reachable && l.projectKey === key)
        .map(({ id, holder, holderName, machine, mode, target }) => ({
          id,
          holder,
          holderName,
          machine,
          mode,
          target,
        }));
    },
  };
}
