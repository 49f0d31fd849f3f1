// Picks which instance of a dependency serves a request: this machine's or a teammate's, by health, the
// caller's version range, the service's `prefer`/`allow_peers` and measured latency. Pure logic plus
// round-robin counters; the router feeds it the instances it knows and retries down `alternates`.
import semver from 'semver';

export interface Instance {
  /** unique, e.g. `${agentId}/${project}/${service}` */
  key: string;
  agentId: string;
  agentName: string;
  local: boolean;
  project: string;
  service: string;
  version: string;
  healthy: boolean;
  latencyMs: number | null;
}

export interface SelectionInput {
  instances: Instance[];
  /** the caller's declared range; null: any version satisfies */
  range: string | null;
  onMismatch: 'warn' | 'refuse';
  /** 'local' | 'peer' | a peer's display name */
  prefer: string;
  allowPeers: boolean;
  /** keys already tried */
  exclude?: ReadonlySet<string>;
}

export type Selection =
  | { kind: 'route'; chosen: Instance; alternates: Instance[]; mismatch: { range: string; version: string } | null }
  | { kind: 'refuse'; range: string; candidates: Instance[] }
  | { kind: 'none' };

/** peers this close to the fastest count as equally fast and take turns */
export const LATENCY_TIE_RATIO = 0.2;
export const LATENCY_TIE_MS = 0.5;
// One counter per distinct group of equals; a long-lived daemon sees few, but churn must not grow forever.
const MAX_COUNTERS = 1000;

export class InstanceSelector {
  private readonly turns = new Map<string, number>();

  /** `peek`: the same answer, but round robin does not advance (for listings, not for requests). */
  select(input: SelectionInput, peek = false): Selection {
    const exclude = input.exclude;
    const candidates = input.instances.filter(
      (i) => i.healthy && (input.allowPeers || i.local) && !(exclude?.has(i.key) ?? false),
    );
    if (candidates.length === 0) return { kind: 'none' };

    const satisfying = candidates.filter((i) => InstanceSelector.satisfies(i.version, input.range));
    if (satisfying.length > 0) {
      // Ordered after filtering, so round robin rotates only among instances that can actually be chosen.
      const [chosen, ...alternates] = this.order(satisfying, input.prefer, peek);
      return { kind: 'route', chosen: chosen!, alternates, mismatch: null };
    }
    // Nothing satisfies, so the range cannot be null here (null satisfies everything).
    const range = input.range!;
    const ordered = this.order(candidates, input.prefer, peek);
    if (input.onMismatch === 'refuse') return { kind: 'refuse', range, candidates: ordered };
    const [chosen, ...alternates] = ordered;
    return { kind: 'route', chosen: chosen!, alternates, mismatch: { range, version: chosen!.version } };
  }

  static satisfies(version: string, range: string | null): boolean {
    // A prerelease (2.4.0-beta) is what someone is working on: it counts as inside ^2.1, as at config load.
    return range === null || semver.satisfies(version, range, { includePrerelease: true });
  }

  /**
   * Normal order: local instances, then peers by latency (the group of equally fast ones rotated one turn
   * per call). `prefer: peer` puts peers first; `prefer: <name>` puts that peer's instances first.
   */
  private order(pool: Instance[], prefer: string, peek: boolean): Instance[] {
    if (prefer !== 'local' && prefer !== 'peer') {
      const named = pool.filter((i) => !i.local && (i.agentName === prefer || i.agentId === prefer));
      if (named.length > 0) {
        const rest = pool.filter((i) => !named.includes(i));
        return [...InstanceSelector.byLatency(named), ...this.order(rest, 'local', peek)];
      }
    }
    const locals = pool.filter((i) => i.local);
    const peers = this.rotateEquals(InstanceSelector.byLatency(pool.filter((i) => !i.local)), peek);
    return prefer === 'peer' ? [...peers, ...locals] : [...locals, ...peers];
  }

  /** Fastest first; unmeasured (null) last; ties by key, so the order does not depend on input order. */
  private static byLatency(instances: Instance[]): Instance[] {
    return [...instances].sort((a, b) => {
      if (a.latencyMs !== b.latencyMs) {
        if (a.latencyMs === null) return 1;
        if (b.latencyMs === null) return -1;
        return a.latencyMs - b.latencyMs;
      }
      return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
    });
  }

  /**
   * Rotates the leading group of equally fast peers by this group's turn counter. With no peer measured
   * yet, all are equal: nothing says one is better, so they share the load.
   */
  private rotateEquals(sorted: Instance[], peek: boolean): Instance[] {
    if (sorted.length < 2) return sorted;
    const best = sorted[0]!.latencyMs;
    const equal = (i: Instance): boolean => {
      if (best === null) return i.latencyMs === null;
      if (i.latencyMs === null) return false;
      return i.latencyMs - best <= Math.max(best * LATENCY_TIE_RATIO, LATENCY_TIE_MS);
    };
    let size = 0;
    while (size < sorted.length && equal(sorted[size]!)) size++;
    if (size < 2) return sorted;
    // Among equals, latency jitter must not reshuffle the rotation: they take turns in key order.
    const group = sorted.slice(0, size).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    // Keyed by the group itself: a retry (the same group minus a tried instance) has its own counter and
    // does not skew the rotation of first attempts.
    const id = group.map((i) => i.key).join('\n');
    const turn = this.turns.get(id) ?? 0;
    if (!peek) {
      if (!this.turns.has(id) && this.turns.size >= MAX_COUNTERS) this.turns.clear();
      this.turns.set(id, (turn + 1) % size);
    }
    const offset = turn % size;
    return [...group.slice(offset), ...group.slice(0, offset), ...sorted.slice(size)];
  }
}
