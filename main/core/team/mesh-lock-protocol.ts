// Mesh-wide locks: Ricart and Agrawala's distributed mutual exclusion ("An Optimal Algorithm for Mutual
// Exclusion in Computer Networks", CACM 24(1), 1981) with Lamport clocks, generalized from one critical section
// to DevMesh's lock matrix on overlapping targets, among the machines linked for one project key. The state
// machine is pure (no timers, sockets, SQLite or wall time): the daemon and tests/helpers/lock-sim.ts drive it
// the same way. docs/mesh-locks.md gives the algorithm, the safety argument and what changed from the paper.
//
// Inputs (the daemon calls them, one at a time, on one thread):
// - request(…) / requestState(…): a local agent asks for a lock / for the compare-and-set right on a state key;
//   requestAll(…): a batch of lock requests under one stamp (a task award's locks, all or none).
// - release(id): a granted claim is let go, or a pending one is withdrawn (its wait timed out, its taker left).
// - receive(machine, m): a `locks` channel message from a linked machine (parsed here; a bad one is reported).
// - machineUp(machine, keys): a link came up (report it before the link's first frame); `keys` are the project
//   keys the machine has. machineDown(machine, why): the link broke ('unreachable'), or the machine left the
//   mesh for good ('left': no longer named as unreachable).
// Outputs (the daemon acts on them):
// - deps.send(machine, m): put `m` on the link to `machine` as `{ t: 'team', ch: 'locks', m }` (FIFO, as links are).
//   The channel is not store-and-forward: frames of a link that broke may be re-sent on the next link of the
//   same daemon run (they are recognized and dropped) but never after either daemon restarted.
// - onDidGrant: record the lock (LockManager, SQLite) and tell the agent; `partitioned` names the machines that
//   were unreachable (the grant is local only, for them). onDidRefuse: answer the agent with the blockers.
//   onDidQueue: the request waits (blockers named). onDidDetectConflict: once per pair on each machine, raise
//   an alert, an audit entry and a message to both agents; never merge or drop either lock silently.
// Restart: construct a new protocol with the held claims from SQLite (deps.held) and a new incarnation; pending
// requests are gone (their agents ask again).
// Out of scope: a holder converting its own lock (READ→WRITE) across the mesh: requests of one holder never
// conflict with each other, so the daemon's LockManager converts locally; deadlocks between holders that hold
// and wait are broken by the waiter's timeout (release(id)), as locally.
import type { Disposable } from '../base/disposable.js';
import { Emitter, type Event } from '../base/emitter.js';
import { LamportClock } from './lamport-clock.js';
import { HeldConflicts } from './held-conflicts.js';
import { blocks, contend, precedes, type Priority } from './mesh-lock-claims.js';
import type {
  Ask,
  Asker,
  MeshLockBlocked,
  MeshLockConflict,
  MeshLockGrant,
  MeshLockRequest,
  MeshStateRequest,
} from './mesh-lock-requests.js';
import { ProtocolTurns } from './protocol-turns.js';
import {
  LockMessageSchema,
  type Blocker,
  type Claim,
  type HeldClaim,
  type LockMessage,
  type RequestMessage,
} from './lock-messages.js';

export type {
  Ask,
  MeshLockBlocked,
  MeshLockConflict,
  MeshLockGrant,
  MeshLockRequest,
  MeshStateRequest,
} from './mesh-lock-requests.js';

export interface MeshLockProtocolDeps {
  /** this machine's id (its mesh agent id) */
  self: string;
  /** one per daemon start (a random id): tells a peer that session numbering started over */
  incarnation: string;
  send: (to: string, message: LockMessage) => void;
  /** the claims this machine held before a restart (from SQLite) */
  held?: readonly HeldClaim[];
  /** the Lamport clock's start (the daemon may pass the largest stamp it stored) */
  clockStart?: number;
  /** this machine's version of a shared-state key, sent in replies to a state claim */
  stateVersion?: (scope: string, key: string) => number;
  /** hears frames that were dropped as malformed (the daemon's health ledger) */
  report?: (problem: string) => void;
  /**
   * This machine's own lock manager orders its own holders (its fair queue, deadlock detection): a request of
   * this machine then asks only the other machines, and this machine's claims do not stand in its way. Between
   * machines nothing changes. Default false: the protocol alone decides (the simulation).
   */
  localQueue?: boolean;
}

interface Round extends Ask {
  /** machines (this one included) whose permission is still missing */
  awaiting: Set<string>;
  /** the attempt each asked machine must answer (a reconnect asks again, under a new attempt) */
  attempts: Map<string, number>;
  /** participants known for the scope that are unreachable now */
  unreachable: Set<string>;
  newest?: { version: number; machine: string };
}

interface Peer {
  keys: ReadonlySet<string>;
  /** my session number on this link (my `held` opened it) */
  n: number;
  /** the peer's session on this link, once its `held` arrived; frames before it are dropped */
  heard: { inc: string; n: number } | null;
}

export class MeshLockProtocol implements Disposable {
  readonly self: string;
  private readonly clock: LamportClock;
  private readonly held = new Map<string, HeldClaim>();
  private readonly pending = new Map<string, Round>();
  /** requests this machine answers later: `machine\0id` → ask (this machine's own ones included) */
  private readonly deferred = new Map<string, Ask>();
  private readonly peers = new Map<string, Peer>();
  private readonly lastHeard = new Map<string, { inc: string; n: number }>();
  private readonly knownByScope = new Map<string, Set<string>>();
  private readonly heal = new HeldConflicts();
  private sessions = 0;
  private attempts = 0;
  private readonly turns = new ProtocolTurns();
  private readonly granted = new Emitter<MeshLockGrant>({ name: 'mesh lock grant' });
  private readonly refused = new Emitter<MeshLockBlocked>({ name: 'mesh lock refusal' });
  private readonly queued = new Emitter<MeshLockBlocked>({ name: 'mesh lock queue' });
  private readonly conflicts = new Emitter<MeshLockConflict>({ name: 'mesh lock conflict' });
  readonly onDidGrant: Event<MeshLockGrant> = this.granted.event;
  readonly onDidRefuse: Event<MeshLockBlocked> = this.refused.event;
  readonly onDidQueue: Event<MeshLockBlocked> = this.queued.event;
  readonly onDidDetectConflict: Event<MeshLockConflict> = this.conflicts.event;

  constructor(private readonly deps: MeshLockProtocolDeps) {
    this.self = deps.self;
    this.clock = new LamportClock(deps.clockStart);
    for (const lock of deps.held ?? []) this.held.set(lock.id, { ...lock, machine: this.self });
  }

  request(r: MeshLockRequest): void {
    this.start(r, { kind: 'lock', mode: r.mode, target: r.target });
  }

  /**
   * Several requests of one taker under one Lamport stamp (a task award's INTENT locks). Two machines' batches
   * then compare the same way on every target they share, so one is first everywhere: with separate stamps A
   * could come first on `x` and B on `y`, and neither batch would get all it asked for.
   */
  requestAll(rs: readonly MeshLockRequest[]): void {
    this.input(() => {
      const at = this.clock.tick();
      for (const r of rs) this.start(r, { kind: 'lock', mode: r.mode, target: r.target }, at);
    });
  }

  /** the compare-and-set right on `key`: exclusive; the grant names the newest version on the mesh */
  requestState(r: MeshStateRequest): void {
    this.start(r, { kind: 'state', key: r.key });
  }

  /** lets go of a granted claim, or withdraws a pending one (its deferrals of others are answered) */
  release(requestId: string): void {
    this.input(() => {
      if (this.held.delete(requestId)) {
        this.heal.forget(requestId);
      } else {
        const round = this.pending.get(requestId);
        if (round) this.end(round);
      }
      this.settle();
    });
  }

  receive(from: string, raw: unknown): void {
    this.input(() => {
      const peer = this.peers.get(from);
      const parsed = LockMessageSchema.safeParse(raw);
      if (!parsed.success) return this.deps.report?.(`a malformed locks frame from ${from}: ${parsed.error.message}`);
      const m = parsed.data;
      if (!peer) return; // a frame of a link already reported down
      if (m.t === 'held') return this.onHeld(from, peer, m);
      if (peer.heard === null || m.n !== peer.heard.n) return; // a frame of an older link, re-sent
      this.clock.observe(m.c);
      if (m.t === 'request') return this.onRequest(from, m);
      if (m.t === 'withdraw') return void this.deferred.delete(`${from}\0${m.id}`);
      const round = this.pending.get(m.id);
      if (!round || round.attempts.get(from) !== m.attempt || !round.awaiting.has(from)) return;
      if (m.t === 'queued')
        return this.later(() => this.queued.fire({ requestId: round.id, holder: round.holder, blockers: m.blockers }));
      if (m.t === 'busy') return this.refuse(round, m.blockers);
      if (m.version !== undefined && (!round.newest || m.version > round.newest.version))
        round.newest = { version: m.version, machine: from };
      this.permit(round, from);
    });
  }

  machineUp(machine: string, projectKeys: readonly string[]): void {
    this.input(() => {
      if (machine === this.self) return;
      if (this.peers.has(machine)) this.down(machine, 'reconnected'); // up again without a down between
      const keys = new Set(projectKeys);
      const peer: Peer = { keys, n: ++this.sessions, heard: null };
      this.peers.set(machine, peer);
      for (const key of keys) this.known(key).add(machine);
      const locks = [...this.held.values()].filter((h) => keys.has(h.scope));
      this.deps.send(machine, { t: 'held', c: this.clock.now, n: peer.n, inc: this.deps.incarnation, locks });
      for (const round of this.byPriority([...this.pending.values()])) {
        if (keys.has(round.scope)) this.ask(machine, peer, round);
        else if (round.awaiting.size === 0 && this.pending.has(round.id)) this.grant(round); // it dropped the key
      }
    });
  }

  /**
   * A linked machine opened or closed projects: its keys change within the same link session (a new session
   * would need the other side to start one too). Pending rounds of a key it now has ask it; rounds of a key it
   * no longer has stop waiting for it. Claims granted on either side before they shared the key are not
   * compared (no `held` is exchanged): the window is the moment a project opens (docs/mesh-locks.md).
   */
  machineKeys(machine: string, projectKeys: readonly string[]): void {
    this.input(() => {
      const peer = this.peers.get(machine);
      if (peer === undefined) return; // not up: machineUp brings its keys
      const keys = new Set(projectKeys);
      const before = peer.keys;
      peer.keys = keys;
      for (const key of keys) this.known(key).add(machine);
      for (const round of this.byPriority([...this.pending.values()])) {
        if (keys.has(round.scope) && !before.has(round.scope)) this.ask(machine, peer, round);
        else if (!keys.has(round.scope) && round.awaiting.has(machine)) this.permit(round, machine);
      }
      this.settle();
    });
  }

  /**
   * The link to `machine` broke (`unreachable`: rounds go on without it and name it), or the machine left the
   * mesh for good (`left`: it is forgotten, and no longer named as unreachable).
   */
  machineDown(machine: string, why: 'unreachable' | 'left' = 'unreachable'): void {
    this.input(() => this.down(machine, why));
  }

  /** drops every listener; the protocol keeps no other resource */
  dispose(): void {
    for (const emitter of [this.granted, this.refused, this.queued, this.conflicts]) emitter.dispose();
  }

  /** the claims granted here, as `held` sends them */
  heldClaims(): HeldClaim[] {
    return [...this.held.values()];
  }

  /** the requests in flight here and whose permission each still needs */
  pendingRequests(): Array<{ requestId: string; awaiting: string[] }> {
    return [...this.pending.values()].map((r) => ({ requestId: r.id, awaiting: [...r.awaiting].sort() }));
  }

  /**
   * Who stands in the way of `ask` here: a held claim it may not join, or a pending request of this machine
   * that contends with it and comes first. Ricart–Agrawala's rule: defer exactly then, answer at once otherwise.
   * Protected so that tests can show a loosened rule breaks safety (tests/helpers/lock-sim.ts).
   */
  protected blockersOf(ask: Ask): Blocker[] {
    const out: Blocker[] = [];
    for (const h of this.held.values()) if (blocks(h, ask)) out.push(this.blocker(h, 'held'));
    for (const p of this.pending.values()) {
      if (ask.machine === this.self && p.id === ask.id) continue;
      if (contend(p, ask) && precedes(p, ask)) out.push(this.blocker(p, 'pending'));
    }
    return out;
  }

  private start(r: Asker, claim: Claim, stamp?: number): void {
    this.input(() => {
      if (this.pending.has(r.requestId) || this.held.has(r.requestId)) return; // asked twice: one request
      const { requestId: id, projectKey: scope, holder, holderName, wait } = r;
      const round: Round = {
        ...{
          id,
          scope,
          holder,
          holderName,
          wait,
          claim,
          machine: this.self,
          at: stamp ?? this.clock.tick(),
          attempt: 0,
        },
        ...{ awaiting: new Set([this.self]), attempts: new Map(), unreachable: new Set(this.known(scope)) },
      };
      const all = this.blockersOf(round);
      const blockers = this.deps.localQueue ? all.filter((b) => b.machine !== this.self) : all;
      if (blockers.length > 0 && !wait) return this.later(() => this.refused.fire({ requestId: id, holder, blockers }));
      this.pending.set(id, round);
      if (blockers.length > 0) {
        this.deferred.set(`${this.self}\0${id}`, round);
        this.later(() => this.queued.fire({ requestId: id, holder, blockers }));
      } else round.awaiting.delete(this.self);
      for (const [machine, peer] of this.peers) if (peer.keys.has(scope)) this.ask(machine, peer, round);
      if (round.awaiting.size === 0) this.grant(round);
    });
  }

  private ask(machine: string, peer: Peer, round: Round): void {
    const attempt = ++this.attempts;
    round.unreachable.delete(machine);
    round.awaiting.add(machine);
    round.attempts.set(machine, attempt);
    const { id, at, scope, holder, holderName, claim, wait } = round;
    const m = { t: 'request', c: this.clock.now, n: peer.n, id, attempt, at, scope, holder, holderName, claim, wait };
    this.deps.send(machine, m as RequestMessage);
  }

  private onRequest(from: string, m: RequestMessage): void {
    const key = `${from}\0${m.id}`;
    const waiting = this.deferred.get(key);
    if (waiting) {
      waiting.attempt = Math.max(waiting.attempt, m.attempt); // asked again after a reconnect (or a duplicate)
      return;
    }
    const { id, at, scope, holder, holderName, claim, wait, attempt } = m;
    const ask: Ask = { id, at, machine: from, scope, holder, holderName, claim, wait, attempt };
    const blockers = this.blockersOf(ask);
    if (blockers.length === 0) return this.answer(ask);
    if (wait) this.deferred.set(key, ask);
    this.send(from, { t: wait ? 'queued' : 'busy', id, attempt, blockers });
  }

  private onHeld(from: string, peer: Peer, m: Extract<LockMessage, { t: 'held' }>): void {
    const last = this.lastHeard.get(from);
    if (last && last.inc === m.inc && m.n <= last.n) return; // an older session's `held`, re-sent
    peer.heard = { inc: m.inc, n: m.n };
    this.lastHeard.set(from, peer.heard);
    this.clock.observe(m.c);
    for (const conflict of this.heal.fresh(this.held.values(), from, m.locks))
      this.later(() => this.conflicts.fire(conflict));
  }

  private down(machine: string, why: 'unreachable' | 'left' | 'reconnected'): void {
    const wasUp = this.peers.delete(machine);
    if (why === 'left') {
      for (const known of this.knownByScope.values()) known.delete(machine);
      for (const round of this.pending.values()) round.unreachable.delete(machine);
    }
    if (!wasUp) return;
    for (const [key, ask] of this.deferred) if (ask.machine === machine) this.deferred.delete(key);
    for (const round of this.byPriority([...this.pending.values()])) {
      if (!this.pending.has(round.id)) continue;
      if (why === 'unreachable' && this.known(round.scope).has(machine)) round.unreachable.add(machine);
      round.attempts.delete(machine);
      // a reconnect asks it again at once (machineUp): the round must not complete without it meanwhile
      if (round.awaiting.delete(machine) && round.awaiting.size === 0 && why !== 'reconnected') this.grant(round);
    }
    this.settle();
  }

  private permit(round: Round, machine: string): void {
    round.awaiting.delete(machine);
    if (round.awaiting.size === 0) this.grant(round);
  }

  private grant(round: Round): void {
    this.pending.delete(round.id);
    const { id, scope, holder, holderName, claim } = round;
    const partitioned = [...round.unreachable].sort();
    const lock: HeldClaim = { id, scope, holder, holderName, machine: this.self, claim, partitioned };
    this.held.set(id, lock);
    const local = claim.kind === 'state' ? this.deps.stateVersion?.(scope, claim.key) : undefined;
    const newest =
      local !== undefined && (!round.newest || local >= round.newest.version)
        ? { version: local, machine: this.self }
        : round.newest;
    const grant = newest && claim.kind === 'state' ? { lock, newest } : { lock };
    this.later(() => this.granted.fire(grant));
    this.settle();
  }

  private refuse(round: Round, blockers: Blocker[]): void {
    this.end(round);
    this.later(() => this.refused.fire({ requestId: round.id, holder: round.holder, blockers }));
    this.settle();
  }

  /** a pending request is over without a grant: the machines it asked forget it */
  private end(round: Round): void {
    this.pending.delete(round.id);
    this.deferred.delete(`${this.self}\0${round.id}`);
    for (const machine of round.attempts.keys())
      if (this.peers.has(machine)) this.send(machine, { t: 'withdraw', id: round.id });
  }

  /** answers the deferred requests nothing blocks any more, earliest first, until nothing changes */
  private settle(): void {
    for (let changed = true; changed;) {
      changed = false;
      for (const ask of this.byPriority([...this.deferred.values()])) {
        if (this.blockersOf(ask).length > 0) continue;
        this.deferred.delete(`${ask.machine}\0${ask.id}`);
        if (ask.machine !== this.self) {
          this.answer(ask);
          continue;
        }
        const round = this.pending.get(ask.id);
        if (!round) continue;
        this.permit(round, this.self); // may grant, which settles again: start over from the new state
        changed = true;
        break;
      }
    }
  }

  private answer(ask: Ask): void {
    const version = ask.claim.kind === 'state' ? this.deps.stateVersion?.(ask.scope, ask.claim.key) : undefined;
    this.send(ask.machine, {
      t: 'ok',
      id: ask.id,
      attempt: ask.attempt,
      ...(version === undefined ? {} : { version }),
    });
  }

  private send(machine: string, body: DistributiveOmit<LockMessage, 'c' | 'n'>): void {
    const peer = this.peers.get(machine);
    if (peer) this.deps.send(machine, { ...body, c: this.clock.now, n: peer.n });
  }

  private blocker(c: HeldClaim | Round, state: Blocker['state']): Blocker {
    return { id: c.id, holder: c.holder, holderName: c.holderName, machine: c.machine, claim: c.claim, state };
  }

  private known(scope: string): Set<string> {
    let set = this.knownByScope.get(scope);
    if (!set) this.knownByScope.set(scope, (set = new Set()));
    return set;
  }

  private byPriority<T extends Priority>(xs: T[]): T[] {
    return xs.sort((a, b) => (precedes(a, b) ? -1 : precedes(b, a) ? 1 : 0));
  }

  private later(event: () => void): void {
    this.turns.later(event);
  }

  /** runs one input; events fire after it, so a listener that calls back in sees a settled state */
  private input(fn: () => void): void {
    this.turns.run(fn);
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
