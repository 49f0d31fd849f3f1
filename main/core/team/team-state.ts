// Shared state across the mesh (the `state` channel, and the mesh lock protocol's state claims): a set takes
// the key's exclusive compare-and-set right from every linked machine (StateGate, mesh-lock-protocol.ts), so of
// two teammates setting one key from one version exactly one wins; the winner's outcome is told to every linked
// machine before the right is given back (links are ordered, so a machine granting the next claim has it).
// Copies converge by version: a set or deletion is kept where it is newer, and a link coming up exchanges every
// key (bounded) so sets made across a partition meet. A machine's copy older than the newest a replier reports
// (a set it has not heard of) refuses to decide and asks that machine for its keys again.
import type { Logger } from 'pino';
import { z } from 'zod';
import type { DevMeshEvent } from '../../../shared/events.js';
import { StateEntrySchema, type StateEntry } from '../../../shared/message.js';
import type { Disposable } from '../base/disposable.js';
import type { StateClaim, StateGate } from '../coordination/state-gate.js';
import type { MeshLocks } from './mesh-locks.js';
import { TeamChannel } from './team-channel.js';
import type { TeamTransport } from './team-transport.js';

export const STATE_CHANNEL = 'state';
/** keys sent when a link comes up, at most (the state is meant to be small) */
export const STATE_SYNC_MAX_KEYS = 1000;
/** how long a set waits for the key's mesh-wide right */
const CLAIM_WAIT_MS = 10_000;

const Key = z.string().min(1).max(512);
const Version = z.number().int().min(0);
const StateSetSchema = z.object({
  k: z.literal('set'),
  key: Key,
  entry: StateEntrySchema.nullable(),
  version: Version,
});
export const StateMessageSchema = z.discriminatedUnion('k', [
  StateSetSchema.strict(),
  z.object({ k: z.literal('sync'), sets: z.array(StateSetSchema.strict()).max(STATE_SYNC_MAX_KEYS) }).strict(),
  z.object({ k: z.literal('resync') }).strict(),
]);
export type StateMessage = z.infer<typeof StateMessageSchema>;

export interface TeamStateDeps {
  transport: TeamTransport;
  locks: MeshLocks;
  /** this machine's copy */
  state: {
    get(key: string): StateEntry | null;
    list(): StateEntry[];
    replicate(key: string, entry: StateEntry | null, version: number): boolean;
  };
  /** the coordination's state sets, which this gate plugs into */
  coordination: { useStateGate(gate: StateGate): Disposable };
  machineName(machineId: string): string;
  emit(event: DevMeshEvent): void;
  logger: Logger;
}

export class TeamState implements StateGate, Disposable {
  private readonly channel: TeamChannel<StateMessage>;
  private readonly subscriptions: Disposable[];

  constructor(private readonly deps: TeamStateDeps) {
    this.channel = new TeamChannel({
      transport: deps.transport,
      name: STATE_CHANNEL,
      schema: StateMessageSchema,
      logger: deps.logger,
      onMessage: (from, m) => this.contained('a state frame', () => this.received(from, m)),
      onUp: (machine) => this.contained('a link up', () => this.sendSync(machine.machineId)),
    });
    this.subscriptions = [deps.coordination.useStateGate(this)];
  }

  async claim(key: string, by: string): Promise<StateClaim | null> {
    if (this.channel.machines().length === 0) return null; // nobody to agree with: the local CAS decides
    const right = await this.deps.locks.claimState(key, by, CLAIM_WAIT_MS);
    const local = this.deps.state.get(key)?.version ?? 0;
    const newest = right.newest;
    const behind = newest !== null && newest.version > local && newest.machine !== this.deps.transport.machineId;
    if (behind) this.channel.send(newest.machine, { k: 'resync' });
    return {
      newest,
      stale: behind
        ? `state "${key}" is at version ${newest.version} on ${this.deps.machineName(newest.machine)}, and this ` +
          `machine has only version ${local} yet; it is being fetched: get the key again in a moment and retry`
        : null,
      publish: (k, entry, version) => void this.channel.broadcast({ k: 'set', key: k, entry, version }),
      release: () => right.release(),
    };
  }

  dispose(): void {
    for (const s of this.subscriptions.splice(0)) s.dispose();
    this.channel.dispose();
  }

  private received(from: { machineId: string; name: string }, m: StateMessage): void {
    if (m.k === 'resync') return this.sendSync(from.machineId);
    for (const set of m.k === 'sync' ? m.sets : [m]) {
      if (!this.deps.state.replicate(set.key, set.entry, set.version)) continue;
      this.deps.emit({ type: 'state.changed', ts: Date.now(), key: set.key, entry: set.entry, machine: from.name });
    }
  }

  private sendSync(machineId: string): void {
    const sets = this.deps.state
      .list()
      .slice(0, STATE_SYNC_MAX_KEYS)
      .map((entry) => ({ k: 'set' as const, key: entry.key, entry, version: entry.version }));
    this.channel.send(machineId, { k: 'sync', sets });
  }

  // A link's callback must not throw into the mesh: logged, and the link carries on.
  private contained(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.deps.logger.error({ domain: 'team', err: (err as Error).message }, `team state: ${what} failed`);
    }
  }
}
