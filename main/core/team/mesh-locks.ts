// Locks across the mesh: the daemon's side of the mesh lock protocol (mesh-lock-protocol.ts, Ricart–Agrawala
// over the lock matrix; docs/mesh-locks.md). It is the lock spaces' gate (main/core/locks/lock-gate.ts): a lock
// request on a project git identified waits for the permission of every linked machine that has the same
// project open, then the local lock manager decides as before. The protocol hears of machines from presence
// (the project keys a teammate has; told again after every re-link) and of lost links from the transport; a
// local lock released or expired gives its permission back. Conflicting grants found when a partition heals go
// to `onConflict` (alert, audit entry and messages: team-module.ts), never merged silently.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { DevMeshError } from '../../../shared/errors.js';
import type { DevMeshEvent } from '../../../shared/events.js';
import type { Disposable } from '../base/disposable.js';
import type { Event } from '../base/emitter.js';
import type { LockInfo, LockTarget } from '../../../shared/lock.js';
import type { LockGate, LockGatePass, LockGateRequest } from '../locks/lock-gate.js';
import type { ResolvedTarget } from '../locks/target-overlap.js';
import type { Blocker, HeldClaim } from './lock-messages.js';
import { MeshLockProtocol, type MeshLockConflict, type MeshLockGrant } from './mesh-lock-protocol.js';
import { MeshLockPermits } from './mesh-lock-permits.js';
import { meshLockRefusal, type MeshRefusal } from './mesh-lock-refusal.js';
import { TeamChannel } from './team-channel.js';
import type { HeardMachine } from './team-presence.js';
import type { TeamTransport } from './team-transport.js';

export const LOCKS_CHANNEL = 'locks';
/** the scope of shared-state claims: every machine of the mesh takes part (state is not per project) */
export const STATE_SCOPE = '~state';

export interface MeshLocksDeps {
  transport: TeamTransport;
  /** teammates' presence: which project keys each has (the participants of a key's rounds) */
  onDidHear: Event<HeardMachine>;
  /** the daemon's events: a local lock released or expired gives its permission back */
  onDidEmitEvent: Event<DevMeshEvent>;
  /** the lock spaces, which this gate plugs into; `resolve` gives a lock's target as its space locks it */
  locks: { useGate(gate: LockGate): Disposable; resolve(root: string, target: LockTarget): ResolvedTarget };
  /** a lock granted here without the mesh's permission (a task's INTENT locks) that a teammate refused */
  onRefusedAfterGrant(lock: LockInfo, message: string): void;
  /** this machine's version of a shared-state key (sent in replies to a teammate's state claim) */
  stateVersion(key: string): number;
  /** the identity key of the project at a lock space's root; null when git has not identified it (not shared) */
  projectKeyAt(root: string): string | null;
  /** an agent's name for its id (what teammates are shown) */
  holderName(holder: string): string;
  /** the machine of a teammate's agent holding a lock here, by its id (null: a holder of this machine) */
  machineOf(holder: string): string | null;
  /** a machine's name for its id */
  machineName(machineId: string): string;
  /** conflicting grants found at a heal: raise them on this machine (alert, audit, messages) */
  onConflict(conflict: MeshLockConflict): void;
  /** a lock granted while teammates sharing the project were unreachable (marked so) */
  onPartitionedGrant(claim: HeldClaim): void;
  logger: Logger;
}

interface Waiting {
  request: LockGateRequest;
  granted(grant: MeshLockGrant): void;
  refused(blockers: Blocker[], why: MeshRefusal): void;
  blockers: Blocker[];
  timer: NodeJS.Timeout | null;
}

export class MeshLocks implements LockGate, Disposable {
  readonly protocol: MeshLockProtocol;
  private readonly channel: TeamChannel<unknown>;
  private readonly waiting = new Map<string, Waiting>();
  private readonly permits: MeshLockPermits;
  /** machine → the keys last told to the protocol on this link (forgotten when a link comes or goes: up again) */
  private readonly told = new Map<string, string>();
  private readonly incarnation = randomUUID();
  private seq = 0;
  private readonly subscriptions: Disposable[];

  constructor(private readonly deps: MeshLocksDeps) {
    const { transport, logger } = deps;
    this.permits = new MeshLockPermits((id) => this.protocol.release(id));
    this.protocol = new MeshLockProtocol({
      self: transport.machineId,
      incarnation: this.incarnation,
      send: (to, m) => void this.channel.send(to, m),
      stateVersion: (_scope, key) => deps.stateVersion(key),
      localQueue: true,
      report: (problem) => logger.warn({ domain: 'team', channel: LOCKS_CHANNEL, problem }, 'mesh locks'),
    });
    this.channel = new TeamChannel<unknown>({
      transport,
      name: LOCKS_CHANNEL,
      schema: z.unknown(), // the protocol parses its own frames (lock-messages.ts)
      logger,
      onMessage: (from, m) => this.contained('a locks frame', () => this.protocol.receive(from.machineId, m)),
      onUp: (machine) => this.told.delete(machine.machineId),
      onDown: (machine) =>
        this.contained('a link down', () => {
          this.told.delete(machine.machineId);
          this.protocol.machineDown(machine.machineId, machine.left ? 'left' : 'unreachable');
        }),
    });
    this.subscriptions = [
      deps.onDidHear((heard) => this.contained('presence', () => this.heard(heard))),
      this.protocol.onDidGrant((g) => this.waiting.get(g.lock.id)?.granted(g)),
      this.protocol.onDidRefuse((b) => this.waiting.get(b.requestId)?.refused(b.blockers, 'busy')),
      this.protocol.onDidQueue((b) => {
        const w = this.waiting.get(b.requestId);
        if (w) w.blockers = b.blockers;
      }),
      this.protocol.onDidDetectConflict((c) => deps.onConflict(c)),
      deps.onDidEmitEvent((e) => {
        if (e.type !== 'lock.changed') return;
        const change = e.change;
        if (change.type === 'released' || change.type === 'expired') this.permits.letGo(change.lock.id);
        else if (change.type === 'granted') this.contained('a lock granted', () => this.taken(e.root, change.lock));
      }),
      deps.locks.useGate(this),
    ];
  }

  admit(request: LockGateRequest): Promise<LockGatePass | null> {
    const key = this.deps.projectKeyAt(request.root);
    // No linked machine shares the project: the local manager decides, and the grant is told to the protocol
    // after (taken), so teammates that link later are asked against it and a partition's grants are marked.
    if (key === null || !this.sharedNow(key)) return Promise.resolve(null);
    const id = this.nextId();
    return new Promise((resolve, reject) => {
      const done = (): void => {
        if (w.timer !== null) clearTimeout(w.timer);
        this.waiting.delete(id);
      };
      const w: Waiting = {
        request,
        blockers: [],
        timer: null,
        granted: (grant) => {
          done();
          if (grant.lock.partitioned.length > 0) this.deps.onPartitionedGrant(grant.lock);
          resolve(this.permits.pass(id, request.holder, request.target.key));
        },
        refused: (blockers, why) => {
          done();
          reject(this.refusal(request, blockers, why));
        },
      };
      this.waiting.set(id, w);
      if (request.waitMs > 0) {
        w.timer = setTimeout(() => this.expire(id, w), request.waitMs);
        w.timer.unref();
      }
      const { mode, target } = request;
      const holder = this.meshHolder(request.holder);
      const holderName = this.deps.holderName(request.holder);
      this.protocol.request({
        requestId: id,
        projectKey: key,
        holder,
        holderName,
        mode,
        target,
        wait: w.timer !== null,
      });
    });
  }

  admitAll(requests: readonly LockGateRequest[]): Promise<LockGatePass[]> | null {
    const first = requests[0];
    const key = first === undefined ? null : this.deps.projectKeyAt(first.root);
    if (first === undefined || key === null || !this.sharedNow(key)) return null;
    const ids = requests.map(() => this.nextId());
    return new Promise((resolve, reject) => {
      const granted = new Set<string>();
      let over = false;
      const finish = (): void => {
        over = true;
        clearTimeout(timer);
        for (const id of ids) this.waiting.delete(id);
      };
      // one refusal ends the batch: what was permitted or still asked is given back (withdraw)
      const fail = (request: LockGateRequest, blockers: Blocker[], why: MeshRefusal): void => {
        if (over) return;
        finish();
        for (const id of ids) this.protocol.release(id);
        reject(this.refusal(request, blockers, why));
      };
      const timer = setTimeout(
        () => this.contained('an award round running out', () => fail(first, [], 'timeout')),
        first.waitMs,
      );
      timer.unref();
      requests.forEach((request, n) => {
        const id = ids[n]!;
        this.waiting.set(id, {
          request,
          blockers: [],
          timer: null,
          granted: (grant) => {
            if (over) return;
            if (grant.lock.partitioned.length > 0) this.deps.onPartitionedGrant(grant.lock);
            granted.add(id);
            if (granted.size < ids.length) return;
            finish();
            resolve(requests.map((r, i) => this.permits.pass(ids[i]!, r.holder, r.target.key)));
          },
          refused: (blockers, why) => fail(request, blockers, why),
        });
      });
      this.protocol.requestAll(
        requests.map((r, n) => ({
          requestId: ids[n]!,
          projectKey: key,
          holder: this.meshHolder(r.holder),
          holderName: this.deps.holderName(r.holder),
          mode: r.mode,
          target: r.target,
          wait: false,
        })),
      );
    });
  }

  /**
   * The exclusive right to compare-and-set a shared-state key across the mesh; resolves with the newest version a
   * machine has (this one's included) and how to give the right back; rejects (TIMEOUT) after `waitMs`.
   */
  claimState(
    key: string,
    holder: string,
    waitMs: number,
  ): Promise<{ newest: { version: number; machine: string } | null; release(): void }> {
    const id = this.nextId();
    const request: LockGateRequest = {
      root: STATE_SCOPE,
      project: null,
      holder,
      mode: 'WRITE',
      target: {
        kind: 'file',
        path: key,
        prefix: key,
        suffix: null,
        key: `state:${key}`,
        shown: { kind: 'file', path: key },
      },
      waitMs,
    };
    return new Promise((resolve, reject) => {
      const w: Waiting = {
        request,
        blockers: [],
        timer: setTimeout(() => this.expire(id, w), waitMs),
        granted: (grant) => {
          clearTimeout(w.timer!);
          this.waiting.delete(id);
          resolve({ newest: grant.newest ?? null, release: () => this.protocol.release(id) });
        },
        refused: (blockers, why) => {
          clearTimeout(w.timer!);
          this.waiting.delete(id);
          reject(this.refusal(request, blockers, why));
        },
      };
      w.timer!.unref();
      this.waiting.set(id, w);
      const holderName = this.deps.holderName(holder);
      const claimant = this.meshHolder(holder);
      this.protocol.requestState({
        requestId: id,
        projectKey: STATE_SCOPE,
        holder: claimant,
        holderName,
        key,
        wait: true,
      });
    });
  }

  /** this machine's claims granted mesh-wide, and the requests still asking */
  snapshot(): { held: HeldClaim[]; pending: Array<{ requestId: string; awaiting: string[] }> } {
    return { held: this.protocol.heldClaims(), pending: this.protocol.pendingRequests() };
  }

  /** local lock id → the ids of the machines that were unreachable when the mesh granted it (marked ones only) */
  partitionedLocks(): Map<string, string[]> {
    return this.permits.partitioned(this.protocol.heldClaims());
  }

  dispose(): void {
    for (const s of this.subscriptions.splice(0)) s.dispose();
    for (const w of [...this.waiting.values()]) w.refused([], 'shutdown');
    this.channel.dispose();
    this.protocol.dispose();
  }

  /**
   * The holder as the mesh knows it: `user` (a person at the CLI or UI) is someone else on every machine, and
   * the protocol never lets a holder conflict with itself, so every holder is qualified by its machine (a
   * teammate's agent holding a task's INTENT locks here by that agent's own machine).
   */
  meshHolder(holder: string): string {
    return `${holder}@${this.deps.machineOf(holder) ?? this.deps.transport.machineId}`;
  }

  /**
   * A lock granted here. One the gate admitted has its permission already; one taken without it (no teammate
   * shared the project then, or a task award's INTENT locks, all or none in one synchronous step) asks the
   * teammates now, without waiting: from their answer on they honour it (alone, it is granted at once, marked
   * partitioned when known teammates are unreachable); a teammate that holds a conflicting lock is raised
   * (onRefusedAfterGrant).
   */
  private taken(root: string, lock: LockInfo): void {
    if (this.permits.holds(lock.id)) return;
    const key = this.deps.projectKeyAt(root);
    if (key === null) return;
    const target = this.deps.locks.resolve(root, lock.target);
    if (this.permits.admittedFor(lock.holder, target.key)) return;
    const id = this.nextId();
    const request: LockGateRequest = { root, project: null, holder: lock.holder, mode: lock.mode, target, waitMs: 0 };
    this.permits.record(lock.id, id);
    this.waiting.set(id, {
      request,
      blockers: [],
      timer: null,
      granted: (grant) => {
        this.waiting.delete(id);
        if (grant.lock.partitioned.length > 0) this.deps.onPartitionedGrant(grant.lock);
      },
      refused: (blockers, why) => {
        this.waiting.delete(id);
        if (why !== 'busy') return; // closing: nobody refused it
        this.deps.onRefusedAfterGrant(lock, this.refusal(request, blockers, 'busy').message);
      },
    });
    const holder = this.meshHolder(lock.holder);
    const holderName = this.deps.holderName(lock.holder);
    this.protocol.request({ requestId: id, projectKey: key, holder, holderName, mode: lock.mode, target, wait: false });
  }

  private nextId(): string {
    return `${this.deps.transport.machineId}:${this.incarnation.slice(0, 8)}:${++this.seq}`;
  }

  /** Does a linked machine have the project open now? */
  private sharedNow(key: string): boolean {
    for (const keys of this.told.values()) if (keys.split(' ').includes(key)) return true;
    return false;
  }

  /** The first presence on a link brings the machine up; later ones only change its keys (one session). */
  private heard(heard: HeardMachine): void {
    const keys = [...new Set([...heard.projectKeys, STATE_SCOPE])].sort();
    const told = keys.join(' ');
    const before = this.told.get(heard.machineId);
    if (before === told) return;
    this.told.set(heard.machineId, told);
    if (before === undefined) this.protocol.machineUp(heard.machineId, keys);
    else this.protocol.machineKeys(heard.machineId, keys);
  }

  /** A waiting request's time ran out: withdrawn (whoever it held back hears at once) and refused. */
  private expire(id: string, w: Waiting): void {
    this.contained('a lock wait running out', () => {
      this.protocol.release(id);
      w.refused(w.blockers, 'timeout');
    });
  }

  private refusal(request: LockGateRequest, blockers: Blocker[], why: MeshRefusal): DevMeshError {
    const { transport, machineName, holderName } = this.deps;
    return meshLockRefusal({ self: transport.machineId, machineName, holderName }, request, blockers, why);
  }

  // A link's or presence's callback must not throw into the mesh: logged, and the link carries on.
  private contained(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.deps.logger.error({ domain: 'team', err: (err as Error).message }, `mesh locks: ${what} failed`);
    }
  }
}
