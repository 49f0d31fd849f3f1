// A gate a shared-state set passes before it decides: the exclusive right to compare-and-set the key across
// the mesh (main/core/team/team-state.ts plugs in here). Without a gate, or with no teammate linked, the local
// state decides alone, as before. Coordination knows nothing of the mesh: only this port.
import type { StateEntry } from '../../../shared/message.js';

export interface StateClaim {
  /** the newest version of the key on the mesh and the machine that has it (this one's included) */
  newest: { version: number; machine: string } | null;
  /** this machine's copy is older than `newest` (a set not yet replicated here): the set must not decide */
  stale: string | null;
  /** tells every linked machine the set's outcome, before the claim is released (links are ordered) */
  publish(key: string, entry: StateEntry | null, version: number): void;
  release(): void;
}

export interface StateGate {
  /** resolves once the key is this machine's to set; null when no teammate takes part */
  claim(key: string, by: string): Promise<StateClaim | null>;
}
