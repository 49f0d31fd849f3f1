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
import { DevMeshError } from '../../../shared/errors.js';
import type { DevMeshEvent } from '../../../shared/events.js';
import type { Disposable } from '../base/disposable.js';
import type { Event } from '../base/emitter.js';
import type { LockGate, LockGatePass, LockGateRequest } from '../locks/lock-gate.js';
import type { Blocker, HeldClaim } from './lock-messages.js';
import { MeshLockProtocol, type MeshLockConflict, type MeshLockGrant } from './mesh-lock-protocol.js';
import { TeamChannel } from './team-channel.js';
import type { HeardMachine } from './team-presence.js';
import type { TeamTransport } from './team-transport.js';

export const LOCKS_CHANNEL = 'locks';

export interface MeshLocksDeps {
  transport: TeamTransport;
  /** teammates' presence: which project keys each has (the participants of a key's rounds) */
  onDidHear: Event<HeardMachine>;
  /** the daemon's events: a local lock released or expired gives its permission back */
  onDidEmitEvent: Event<DevMeshEvent>;
  /** the lock spaces, which this gate plugs into */
  locks: { useGate(gate: LockGate): Disposable };
  /** the identity key of the project at a lock space's root; null when git has not identified it (not shared) */
  projectKeyAt(root: string): string | null;
  /** an agent's name for its id (what teammates are shown) */
  holderName(holder: string): string;
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
  refused(blockers: Blocker[], timedOut: boolean): void;
  blockers: Blocker[];
  timer: NodeJS.Timeout | null;
}

export class MeshLocks implements LockGate, Disposable {
  readonly protocol: MeshLockProtocol;
  private readonly channel: TeamChannel<unknown>;
  private readonly waiting = new Map<string, Waiting>();
  /** local lock id → the permissions it holds (a conversion adds one) */
  private readonly permits = new Map<string, string[]>();
  /** machine → the project keys last told to the protocol (forgotten on every link change: told again) */
  private readonly told = new Map<string, string>();
  private readonly incarnation = randomUUID();
  private seq = 0;
  private readonly subscriptions: Disposable[];

  constructor(private readonly deps: MeshLocksDeps) {
    const { transport, logger } = deps;
    this.protocol = new MeshLockProtocol({
      self: transport.machineId,
      incarnation: this.incarnation,
      send: (to, m) => void this.channel.send(to, m),
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
      this.protocol.onDidRefuse((b) => this.waiting.get(b.requestId)?.refused(b.blockers, false)),
      this.protocol.onDidQueue((b) => {
        const w = this.waiting.get(b.requestId);
        if (w) w.blockers = b.blockers;
      }),
      this.protocol.onDidDetectConflict((c) => deps.onConflict(c)),
      deps.onDidEmitEvent((e) => {
        if (e.type !== 'lock.changed') return;
        const change = e.change;
        if (change.type === 'released' || change.type === 'expired') this.letGo(change.lock.id);
      }),
      deps.locks.useGate(this),
    ];
  }

  admit(request: LockGateRequest): Promise<LockGatePass | null> {
    const key = this.deps.projectKeyAt(request.root);
    if (key === null) return Promise.resolve(null);
    const id = `${this.deps.transport.machineId}:${this.incarnation.slice(0, 8)}:${++this.seq}`;
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
          resolve(this.pass(id));
        },
        refused: (blockers, timedOut) => {
          done();
          reject(this.refusal(request, blockers, timedOut));
        },
      };
      this.waiting.set(id, w);
      if (request.waitMs > 0) {
        w.timer = setTimeout(() => {
          this.protocol.release(id); // withdrawn: whoever it held back hears at once
          w.refused(w.blockers, true);
        }, request.waitMs);
        w.timer.unref();
      }
      const { holder, mode, target } = request;
      const holderName = this.deps.holderName(holder);
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

  /** this machine's claims granted mesh-wide, and the requests still asking */
  snapshot(): { held: HeldClaim[]; pending: Array<{ requestId: string; awaiting: string[] }> } {
    return { held: this.protocol.heldClaims(), pending: this.protocol.pendingRequests() };
  }

  /** local lock id → the ids of the machines that were unreachable when the mesh granted it (marked ones only) */
  partitionedLocks(): Map<string, string[]> {
    const marked = new Map<string, string[]>();
    for (const c of this.protocol.heldClaims()) if (c.partitioned.length > 0) marked.set(c.id, c.partitioned);
    const out = new Map<string, string[]>();
    if (marked.size === 0) return out;
    for (const [lockId, ids] of this.permits) {
      const machines = [...new Set(ids.flatMap((id) => marked.get(id) ?? []))];
      if (machines.length > 0) out.set(lockId, machines);
    }
    return out;
  }

  dispose(): void {
    for (const s of this.subscriptions.splice(0)) s.dispose();
    for (const w of [...this.waiting.values()]) w.refused([], false);
    this.channel.dispose();
    this.protocol.dispose();
  }

  private pass(id: string): LockGatePass {
    return {
      granted: (lock) => this.permits.set(lock.id, [...(this.permits.get(lock.id) ?? []), id]),
      abandon: () => this.protocol.release(id),
    };
  }

  private letGo(lockId: string): void {
    const ids = this.permits.get(lockId);
    if (ids === undefined) return;
    this.permits.delete(lockId);
    for (const id of ids) this.protocol.release(id);
  }

  private heard(heard: HeardMachine): void {
    const keys = [...new Set(heard.projectKeys)].sort();
    const told = keys.join(' ');
    if (this.told.get(heard.machineId) === told) return;
    this.told.set(heard.machineId, told);
    this.protocol.machineUp(heard.machineId, keys);
  }

  /** CONFLICT naming who holds (or asked first for) what, on which machine; or the wait that ran out */
  private refusal(request: LockGateRequest, blockers: Blocker[], timedOut: boolean): DevMeshError {
    const self = this.deps.transport.machineId;
    const where = (b: Blocker): string => (b.machine === self ? 'this machine' : this.deps.machineName(b.machine));
    const what = (b: Blocker): string => {
      const c = b.claim;
      const target = c.kind === 'state' ? `state ${c.key}` : `${c.mode} on ${c.target.path || '.'}`;
      return `${b.holderName} on ${where(b)} ${b.state === 'held' ? 'holds' : 'asked first for'} ${target}`;
    };
    const wanted = `${request.mode} on ${request.target.path || '.'}`;
    const holders = [...new Set(blockers.map((b) => `${b.holderName} (${where(b)})`))];
    const because = blockers.length > 0 ? blockers.map(what).join('; ') : 'a teammate did not answer in time';
    const message = timedOut
      ? `${this.deps.holderName(request.holder)} waited ${request.waitMs} ms for ${wanted} across the mesh: ${because}. ` +
        `Wait longer (waitMs) or ask ${holders.join(', ') || 'the holder'} to release it`
      : `${this.deps.holderName(request.holder)} cannot take ${wanted}: it is locked across the mesh (${because}). ` +
        `Wait and retry, or ask ${holders.join(', ')} to release it`;
    return new DevMeshError(timedOut ? 'TIMEOUT' : 'CONFLICT', message, {
      reason: 'lock-conflict',
      blockedBy: [...new Set(blockers.map((b) => b.holder))],
      machines: [...new Set(blockers.map((b) => where(b)))],
    });
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
