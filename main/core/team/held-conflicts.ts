// The heal check of the mesh-wide locks: when two machines meet again they exchange the claims they hold
// (`held`), and each pair that no order of granting would admit (mesh-lock-claims.ts clash) is raised once on
// this machine, however often the link flaps, until the claim held here is released.
import { clash } from './mesh-lock-claims.js';
import type { HeldClaim } from './lock-messages.js';

export interface HeldConflict {
  mine: HeldClaim;
  theirs: HeldClaim;
}

export class HeldConflicts {
  /** `my id\0their machine\0their id` of the pairs already raised */
  private readonly reported = new Set<string>();

  /** the pairs of `mine` × `theirs` (held on `machine`) that clash and were not raised before */
  fresh(mine: Iterable<HeldClaim>, machine: string, theirs: readonly HeldClaim[]): HeldConflict[] {
    const out: HeldConflict[] = [];
    const own = [...mine];
    for (const t of theirs) {
      const other = { ...t, machine };
      for (const m of own) {
        const pair = `${m.id}\0${machine}\0${t.id}`;
        if (this.reported.has(pair) || !clash(m, other)) continue;
        this.reported.add(pair);
        out.push({ mine: m, theirs: other });
      }
    }
    return out;
  }

  /** a claim held here was released: a later claim with its id is a new one */
  forget(id: string): void {
    for (const pair of this.reported) if (pair.startsWith(`${id}\0`)) this.reported.delete(pair);
  }
}
