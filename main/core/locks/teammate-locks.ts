// Locks held on teammates' machines, as the lock spaces' edit check sees them: a port the team domain fills from
// presence (main/core/team/team-module.ts), so `check` (the PreToolUse hook asks it before an agent edits a
// file) refuses a file a linked teammate holds a conflicting lock on. The locks domain knows nothing of the
// mesh: only this port. Without it, or for a space no teammate shares, only local locks count, as before.
import type { TeammateBlocker } from '../../../shared/lock.js';

/** a lock a linked teammate's machine holds in the same project (its target root-relative, as here) */
export type TeammateLock = TeammateBlocker;

export interface TeammateLocks {
  /** the locks linked teammates hold in the project whose space is at `root` ([] when none shares it) */
  heldAt(root: string): TeammateLock[];
}
