// This agent's side of registry sync: its services as the mesh sees them, each change numbered within an
// epoch (a fresh random id per daemon start). A peer that reconnects says which epoch and number it last
// applied; if that is still in the kept history it gets just the changes after it, else a full snapshot.
import { randomBytes } from 'node:crypto';
import type { MeshService } from '../../../shared/mesh.js';
import type { LinkMessage, RegistryChange } from './link-messages.js';

const HISTORY = 1000;

export class RegistryFeed {
  readonly epoch = randomBytes(8).toString('hex');
  private seq = 0;
  private readonly services = new Map<string, MeshService>();
  private readonly history: RegistryChange[] = [];

  constructor(private readonly source: () => MeshService[]) {}

  static key(s: { project: string; name: string }): string {
    return `${s.project}/${s.name}`;
  }

  get current(): number {
    return this.seq;
  }

  list(): MeshService[] {
    return [...this.services.values()];
  }

  /** Reads the source again; returns the changes (already numbered and kept) to send to every peer. */
  refresh(): RegistryChange[] {
    const now = new Map(this.source().map((s) => [RegistryFeed.key(s), s]));
    const changes: RegistryChange[] = [];
    for (const [key, s] of now) {
      const before = this.services.get(key);
      if (before === undefined || JSON.stringify(before) !== JSON.stringify(s)) changes.push(this.record('put', s));
    }
    for (const [key, s] of this.services) if (!now.has(key)) changes.push(this.record('del', s));
    return changes;
  }

  /** The answer to a peer's `sync`. */
  answer(epoch: string | null, since: number): LinkMessage {
    const oldest = this.history[0]?.seq ?? this.seq + 1;
    if (epoch === this.epoch && since <= this.seq && since >= oldest - 1) {
      return { t: 'changes', epoch: this.epoch, items: this.history.filter((c) => c.seq > since) };
    }
    return { t: 'snapshot', epoch: this.epoch, seq: this.seq, services: this.list() };
  }

  private record(op: 'put' | 'del', service: MeshService): RegistryChange {
    const change: RegistryChange = { seq: ++this.seq, op, service };
    if (op === 'put') this.services.set(RegistryFeed.key(service), service);
    else this.services.delete(RegistryFeed.key(service));
    this.history.push(change);
    if (this.history.length > HISTORY) this.history.splice(0, this.history.length - HISTORY);
    return change;
  }
}
