// A peer's registry as this agent knows it: applied from its snapshot and numbered changes, so a change
// is applied exactly once. A duplicate (number already applied) is skipped; a gap (a number missing) or a
// new epoch (the peer restarted) asks for a resync. Kept across reconnects, so a link that comes back
// resumes from the last number instead of starting over.
import type { MeshService } from '../../../shared/mesh.js';
import type { LinkMessage } from './link-messages.js';
import { RegistryFeed } from './registry-feed.js';

export interface ReplicaChange {
  change: 'appeared' | 'disappeared' | 'changed';
  service: MeshService;
}

export interface ReplicaResult {
  changes: ReplicaChange[];
  /** numbers were skipped or the epoch is unknown: send `sync` again */
  resync: boolean;
}

export class PeerReplica {
  epoch: string | null = null;
  seq = 0;
  /** counters for `devmesh peers --json` and the tests: changes applied, duplicates skipped, resyncs */
  readonly stats = { applied: 0, duplicates: 0, resyncs: 0, snapshots: 0 };
  private readonly services = new Map<string, MeshService>();

  list(): MeshService[] {
    return [...this.services.values()];
  }

  apply(message: Extract<LinkMessage, { t: 'snapshot' | 'changes' }>): ReplicaResult {
    if (message.t === 'snapshot') {
      this.stats.snapshots++;
      const next = new Map(message.services.map((s) => [RegistryFeed.key(s), s]));
      const changes: ReplicaChange[] = [];
      for (const [key, s] of next) {
        const before = this.services.get(key);
        if (before === undefined) changes.push({ change: 'appeared', service: s });
        else if (JSON.stringify(before) !== JSON.stringify(s)) changes.push({ change: 'changed', service: s });
      }
      for (const [key, s] of this.services) if (!next.has(key)) changes.push({ change: 'disappeared', service: s });
      this.services.clear();
      for (const [key, s] of next) this.services.set(key, s);
      this.epoch = message.epoch;
      this.seq = message.seq;
      return { changes, resync: false };
    }
    if (message.epoch !== this.epoch) {
      this.stats.resyncs++;
      return { changes: [], resync: true };
    }
    const changes: ReplicaChange[] = [];
    for (const item of message.items) {
      if (item.seq <= this.seq) {
        this.stats.duplicates++;
        continue;
      }
      if (item.seq !== this.seq + 1) {
        this.stats.resyncs++;
        return { changes, resync: true };
      }
      this.seq = item.seq;
      this.stats.applied++;
      const key = RegistryFeed.key(item.service);
      const before = this.services.get(key);
      if (item.op === 'del') {
        if (before !== undefined) changes.push({ change: 'disappeared', service: before });
        this.services.delete(key);
      } else {
        changes.push({ change: before === undefined ? 'appeared' : 'changed', service: item.service });
        this.services.set(key, item.service);
      }
    }
    return { changes, resync: false };
  }
}
