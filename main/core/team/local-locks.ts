// The locks this machine holds, as its presence tells teammates and `team.locks` lists them: every held lock
// of every lock space with its holder's name, the project's identity key (null for a space no teammate can
// share: a folder, or a project git has not identified) and the names of the machines that were unreachable
// when the mesh granted it. Newest first, so a cut list keeps the ones a teammate is likeliest to meet.
import type { LockSpaceSnapshot } from '../../../shared/lock.js';
import type { TeamLockState } from '../../../shared/team.js';

export interface LocalLocksDeps {
  /** every lock space with its held locks (LockSpaces.list) */
  spaces(): LockSpaceSnapshot[];
  /** the identity key of the project at a space's root; null when it has none to share */
  projectKeyAt(root: string): string | null;
  /** an agent's name for its id (anyone else: as given) */
  holderName(holder: string): string;
  /** local lock id → the names of the machines that were unreachable when the mesh granted it */
  partitioned(): Map<string, string[]>;
}

export function localLocks(deps: LocalLocksDeps): TeamLockState[] {
  const partitioned = deps.partitioned();
  const locks: TeamLockState[] = [];
  for (const space of deps.spaces()) {
    const projectKey = deps.projectKeyAt(space.root);
    for (const l of space.locks)
      locks.push({
        id: l.id.slice(0, 64),
        holder: l.holder,
        holderName: deps.holderName(l.holder).slice(0, 128),
        mode: l.mode,
        target: l.target,
        projectKey,
        project: space.project === null ? null : space.project.slice(0, 256),
        acquiredAt: l.acquiredAt,
        partitioned: (partitioned.get(l.id) ?? []).slice(0, 256).map((m) => m.slice(0, 128)),
      });
  }
  return locks.sort((a, b) => b.acquiredAt - a.acquiredAt || a.id.localeCompare(b.id));
}
