// A deterministic simulation of the mesh-wide lock protocol (main/core/team/mesh-lock-protocol.ts): N machines
// joined pairwise by FIFO links, driven by a seeded PRNG (mulberry32). Each step is one random event: a link
// delivers its oldest frame (which link goes next is random, so delays are random and links stay FIFO), a
// request or release or withdrawal, a duplicated frame, a cut or healed link (frames in flight are lost or
// re-sent on the next link), a machine restart (its held claims come back, as from SQLite; its pending
// requests are gone). After every step `check` holds the invariants; a failure names the seed and step.
import { LOCK_MODES, type LockMode } from '../../shared/lock.js';
import { admits } from '../../main/core/locks/lock-matrix.js';
import { isMagic, literalTail, overlaps, type ResolvedTarget } from '../../main/core/locks/target-overlap.js';
import { clash } from '../../main/core/team/mesh-lock-claims.js';
import type { Blocker, HeldClaim, LockMessage } from '../../main/core/team/lock-messages.js';
import { MeshLockProtocol, type Ask, type MeshLockProtocolDeps } from '../../main/core/team/mesh-lock-protocol.js';
import { mulberry32 } from './mulberry32.js';

export function fileT(path: string): ResolvedTarget {
  return { kind: 'file', path, prefix: path, suffix: null, key: `file:${path}`, shown: { kind: 'file', path } };
}
export function dirT(path: string): ResolvedTarget {
  return { kind: 'dir', path, prefix: path, suffix: null, key: `dir:${path}`, shown: { kind: 'dir', path } };
}
export function globT(pattern: string): ResolvedTarget {
  const segments = pattern.split('/');
  const magic = segments.findIndex(isMagic);
  const prefix = segments.slice(0, magic < 0 ? segments.length : magic).join('/');
  const suffix = literalTail(segments[segments.length - 1]!);
  return { kind: 'glob', path: pattern, prefix, suffix, key: `glob:${pattern}`, shown: { kind: 'glob', pattern } };
}

const overlapMemo = new Map<string, boolean>();
/** overlaps(), remembered: the simulation asks it about the same few targets millions of times */
function overlapping(a: ResolvedTarget, b: ResolvedTarget): boolean {
  const key = `${a.key}\0${b.key}`;
  let hit = overlapMemo.get(key);
  if (hit === undefined) overlapMemo.set(key, (hit = overlaps(a, b)));
  return hit;
}

/** A variant that replies OK while it has an earlier conflicting request pending: Ricart–Agrawala without
 *  its deferral rule. The simulation must catch it (tests/core/team/mesh-lock-simulation.test.ts). */
export class LoosenedMeshLockProtocol extends MeshLockProtocol {
  protected override blockersOf(ask: Ask): Blocker[] {
    return super.blockersOf(ask).filter((b) => b.state === 'held');
  }
}

export type ProtocolFactory = (deps: MeshLockProtocolDeps) => MeshLockProtocol;

export interface SimOptions {
  seed: number;
  machines: number;
  steps: number;
  /** cuts, heals and restarts (off: every link stays up, and liveness is checked along with safety) */
  partitions: boolean;
  factory?: ProtocolFactory;
  /** hears every event and frame, to read a failing seed's schedule */
  trace?: (line: string) => void;
}

export interface SimResult {
  steps: number;
  delivered: number;
  grants: number;
  partitionedGrants: number;
  refusals: number;
  conflictsReported: number;
  cuts: number;
  restarts: number;
  /** compare-and-set rounds on a state key that replaced the newest version */
  casWins: number;
}

const SCOPES = ['pa', 'pb'];
const TARGETS: ResolvedTarget[] = [
  fileT('src/a.ts'),
  fileT('src/b.ts'),
  fileT('src/lib/c.ts'),
  fileT('src/x.css'),
  dirT('src'),
  dirT('src/lib'),
  globT('src/**/*.ts'),
  globT('src/*.css'),
];

interface Frame {
  m: LockMessage;
  /** the link session it was sent on */
  epoch: number;
}
interface Link {
  from: string;
  to: string;
  up: boolean;
  epoch: number;
  /** the event (grants and heals, in order) since which it has been up without a break */
  upSince: number;
  queue: Frame[];
  /** frames in flight when it was cut, re-sent when it comes back */
  resend: Frame[];
}
interface Holding {
  lock: HeldClaim;
  machine: string;
  step: number;
  order: number;
}
interface Machine {
  id: string;
  inc: number;
  protocol: MeshLockProtocol;
  /** this incarnation's reported pairs, `mine\0theirMachine\0theirs` → count */
  reports: Map<string, number>;
  /** wait=true requests of this incarnation still waiting: id → step asked */
  waiting: Map<string, number>;
}

export class LockSim {
  readonly rand: () => number;
  readonly ids: string[];
  private readonly machines = new Map<string, Machine>();
  private readonly links = new Map<string, Link>();
  private readonly holdings = new Map<string, Holding>();
  private readonly everHeld = new Set<string>();
  private readonly found: string[] = [];
  /** shared state, kept per machine (in its SQLite, so it survives restarts): `machine scope` → version of k1 */
  private readonly versions = new Map<string, number>();
  /** state requests: id → the version their agent read and means to replace */
  private readonly casFrom = new Map<string, number>();
  /** `scope@version` → the machine whose compare-and-set from that version won */
  private readonly casWins = new Map<string, string>();
  private step = 0;
  private order = 0;
  private nextId = 0;
  readonly result: SimResult = {
    ...{ steps: 0, delivered: 0, grants: 0, partitionedGrants: 0, refusals: 0 },
    ...{ conflictsReported: 0, cuts: 0, restarts: 0, casWins: 0 },
  };

  constructor(private readonly options: SimOptions) {
    this.rand = mulberry32(options.seed);
    this.ids = Array.from({ length: options.machines }, (_, i) => `m${i}`);
    for (const id of this.ids) this.machines.set(id, this.boot(id, 0, []));
    for (const a of this.ids)
      for (const b of this.ids)
        if (a !== b)
          this.links.set(`${a}>${b}`, { from: a, to: b, up: false, epoch: 0, upSince: 0, queue: [], resend: [] });
    for (const [i, a] of this.ids.entries()) for (const b of this.ids.slice(i + 1)) this.heal(a, b);
  }

  /** runs the random schedule, then heals everything and drains: every waiting request must be granted */
  run(): SimResult {
    for (let i = 0; i < this.options.steps; i++) this.tick(() => this.randomEvent());
    for (const [i, a] of this.ids.entries()) for (const b of this.ids.slice(i + 1)) this.tick(() => this.heal(a, b));
    for (let i = 0; i < 50_000; i++) {
      for (const h of [...this.holdings.values()]) this.tick(() => this.release(h));
      const busy = [...this.links.values()].filter((l) => l.queue.length > 0);
      if (busy.length === 0 && this.holdings.size === 0) break;
      if (busy.length > 0) this.tick(() => this.deliver(this.pick(busy)));
    }
    for (const m of this.machines.values()) {
      const stuck = m.protocol.pendingRequests();
      if (stuck.length > 0 || m.waiting.size > 0)
        this.fail(`liveness: ${m.id} still waits after the drain: ${JSON.stringify(stuck)}`);
    }
    this.result.steps = this.step;
    return this.result;
  }

  private release(h: Holding): void {
    this.log(() => `release ${h.machine}/${h.lock.id}`);
    this.holdings.delete(`${h.machine}/${h.lock.id}`);
    this.machines.get(h.machine)!.protocol.release(h.lock.id);
  }

  private tick(event: () => void): void {
    this.step++;
    event();
    // the protocol's emitters contain what a listener throws: what the listeners found is thrown here
    if (this.found.length > 0) throw new Error(this.found[0]);
    this.check();
  }

  private randomEvent(): void {
    const r = this.rand();
    const busy = [...this.links.values()].filter((l) => l.queue.length > 0);
    if (r < 0.55 && busy.length > 0) return this.deliver(this.pick(busy), this.rand() < 0.05);
    // at most a dozen claims held at once: contention stays high and every step's check stays cheap
    if (r < 0.75 && this.holdings.size < 12) return this.request(this.pick(this.ids));
    if (r < 0.88) {
      const held = [...this.holdings.values()];
      if (held.length > 0) this.release(this.pick(held));
      return;
    }
    if (r < 0.91) {
      const m = this.machines.get(this.pick(this.ids))!;
      const waiting = [...m.waiting.keys()];
      if (waiting.length > 0) {
        const id = this.pick(waiting);
        m.waiting.delete(id);
        m.protocol.release(id); // its wait timed out
      }
      return;
    }
    if (!this.options.partitions) return this.request(this.pick(this.ids));
    const [a, b] = this.pair();
    if (r < 0.95) return this.links.get(`${a}>${b}`)!.up ? this.cut(a, b) : this.heal(a, b);
    if (r < 0.985) return this.links.get(`${a}>${b}`)!.up ? undefined : this.heal(a, b);
    this.restart(a);
  }

  private request(machine: string): void {
    const m = this.machines.get(machine)!;
    const requestId = `${machine}.${m.inc}.r${this.nextId++}`;
    const holder = `${machine}-agent${Math.floor(this.rand() * 2)}`;
    const projectKey = this.pick(SCOPES);
    const wait = this.rand() < 0.7;
    if (wait) m.waiting.set(requestId, this.step);
    const asker = { requestId, projectKey, holder, holderName: holder, wait };
    this.log(() => `request ${requestId} ${holder} ${projectKey} wait=${wait}`);
    if (this.rand() < 0.08) {
      this.casFrom.set(requestId, this.version(machine, projectKey)); // the version the agent read
      return m.protocol.requestState({ ...asker, key: 'k1' });
    }
    m.protocol.request({ ...asker, mode: this.pick(LOCK_MODES) as LockMode, target: this.pick(TARGETS) });
  }

  private boot(id: string, inc: number, held: HeldClaim[]): Machine {
    const factory = this.options.factory ?? ((deps) => new MeshLockProtocol(deps));
    const machine: Machine = { id, inc, protocol: null!, reports: new Map(), waiting: new Map() };
    const protocol = factory({
      self: id,
      incarnation: `${id}#${inc}`,
      held,
      send: (to, m) => {
        const link = this.links.get(`${id}>${to}`)!;
        if (!link.up) this.fail(`${id} sent ${m.t} to ${to} over a link that is down`);
        link.queue.push({ m, epoch: link.epoch });
      },
      stateVersion: (scope) => this.version(id, scope),
      report: (problem) => this.fail(`${id} reported: ${problem}`),
    });
    machine.protocol = protocol;
    protocol.onDidGrant(({ lock, newest }) => {
      if (lock.claim.kind === 'state') this.compareAndSet(id, lock, newest!.version);
      this.result.grants++;
      this.log(() => `GRANT ${id}/${lock.id} ${JSON.stringify(lock.claim)} partitioned=${lock.partitioned.join(',')}`);
      if (lock.partitioned.length > 0) this.result.partitionedGrants++;
      machine.waiting.delete(lock.id);
      this.everHeld.add(`${id}/${lock.id}`);
      this.holdings.set(`${id}/${lock.id}`, { lock, machine: id, step: this.step, order: this.order++ });
    });
    protocol.onDidRefuse(({ requestId }) => {
      this.result.refusals++;
      if (machine.waiting.has(requestId)) this.note(`${id} refused ${requestId}, which was waiting`);
    });
    protocol.onDidDetectConflict(({ mine, theirs }) => {
      this.result.conflictsReported++;
      const pair = `${mine.id}\0${theirs.machine}\0${theirs.id}`;
      machine.reports.set(pair, (machine.reports.get(pair) ?? 0) + 1);
      if (machine.reports.get(pair)! > 1) this.note(`${id} reported ${pair} twice`);
      // theirs may have been released since its `held` left: it must have been held, mine must be held now
      if (!this.holdings.has(`${id}/${mine.id}`) || !this.everHeld.has(`${theirs.machine}/${theirs.id}`))
        this.note(`${id} reported ${mine.id} against ${theirs.machine}/${theirs.id}, which is not held`);
    });
    return machine;
  }

  private deliver(link: Link, duplicate = false): void {
    const { from, to } = link;
    const frame = link.queue.shift()!;
    this.result.delivered++;
    if (duplicate) link.queue.push(frame); // delivered again later, as a re-send would
    this.log(() => `${from}→${to} ${JSON.stringify(frame.m)}${frame.epoch === link.epoch ? '' : ' (old link)'}`);
    // through JSON, as frames travel: the receiver gets its own copy, parsed at its edge
    this.machines.get(to)!.protocol.receive(from, JSON.parse(JSON.stringify(frame.m)));
  }

  /** `dead`: an end that crashed, which hears nothing of it */
  private cut(a: string, b: string, dead?: string): void {
    this.log(() => `cut ${a}-${b}`);
    this.result.cuts++;
    for (const [x, y] of [
      [a, b],
      [b, a],
    ] as const) {
      const link = this.links.get(`${x}>${y}`)!;
      link.up = false;
      // what was in flight is lost, or (now and then) re-sent by the sender when the link comes back
      link.resend = link.queue.filter(() => this.rand() < 0.3);
      link.queue = [];
    }
    if (a !== dead) this.machines.get(a)!.protocol.machineDown(b);
    if (b !== dead) this.machines.get(b)!.protocol.machineDown(a);
  }

  private heal(a: string, b: string): void {
    for (const [x, y] of [
      [a, b],
      [b, a],
    ] as const) {
      const link = this.links.get(`${x}>${y}`)!;
      if (link.up) return;
      link.up = true;
      link.epoch++;
      link.upSince = this.order++;
      link.queue = link.resend;
      link.resend = [];
    }
    this.log(() => `heal ${a}-${b}`);
    this.machines.get(a)!.protocol.machineUp(b, SCOPES);
    this.machines.get(b)!.protocol.machineUp(a, SCOPES);
  }

  private restart(id: string): void {
    this.result.restarts++;
    this.log(() => `restart ${id}`);
    for (const other of this.ids) if (other !== id && this.links.get(`${id}>${other}`)!.up) this.cut(id, other, id);
    // what was in flight to or from the crashed daemon is gone with it
    for (const other of this.ids) if (other !== id) this.links.get(`${id}>${other}`)!.resend = [];
    for (const other of this.ids) if (other !== id) this.links.get(`${other}>${id}`)!.resend = [];
    const old = this.machines.get(id)!;
    const held = old.protocol.heldClaims();
    this.machines.set(id, this.boot(id, old.inc + 1, held));
    for (const other of this.ids) if (other !== id && this.rand() < 0.8) this.heal(id, other);
  }

  /** the invariants, after every step */
  private check(): void {
    const all = [...this.holdings.values()];
    for (const [i, x] of all.entries()) {
      for (const y of all.slice(i + 1)) {
        const [first, later] = x.order < y.order ? [x, y] : [y, x];
        if (!this.conflicting(first.lock, later.lock)) continue;
        if (this.linkedSince(x.machine, y.machine, Math.max(x.order, y.order)))
          this.fail(`safety: ${this.show(first)} and then ${this.show(later)} held at once while linked`);
        if (!clash(x.lock, y.lock) || !this.exchanged(x.machine, y.machine)) continue;
        for (const [mine, theirs] of [
          [x, y],
          [y, x],
        ] as const) {
          const reports = this.machines.get(mine.machine)!.reports;
          if (!reports.has(`${mine.lock.id}\0${theirs.machine}\0${theirs.lock.id}`))
            this.fail(`heal: ${mine.machine} did not report ${this.show(mine)} against ${this.show(theirs)}`);
        }
      }
    }
  }

  /** would granting `later` after `first` break the matrix (or a state key's exclusivity)? */
  private conflicting(first: HeldClaim, later: HeldClaim): boolean {
    if (first.scope !== later.scope) return false;
    const [a, b] = [first.claim, later.claim];
    if (a.kind === 'state' || b.kind === 'state') return a.kind === 'state' && b.kind === 'state' && a.key === b.key;
    return first.holder !== later.holder && !admits(a.mode, b.mode) && overlapping(a.target, b.target);
  }

  /** were machines `a` and `b` linked, without a break, since event `order`? (a machine is linked to itself) */
  private linkedSince(a: string, b: string, order: number): boolean {
    if (a === b) return true;
    const link = this.links.get(`${a}>${b}`)!;
    return link.up && link.upSince < order;
  }

  /** have both ends of the current link had the other's `held`? */
  private exchanged(a: string, b: string): boolean {
    if (a === b) return false;
    const [ab, ba] = [this.links.get(`${a}>${b}`)!, this.links.get(`${b}>${a}`)!];
    const sent = (l: Link) => l.up && !l.queue.some((f) => f.m.t === 'held' && f.epoch === l.epoch);
    return sent(ab) && sent(ba);
  }

  private show(h: Holding): string {
    const c = h.lock.claim;
    const what = c.kind === 'state' ? `state ${c.key}` : `${c.mode} ${c.target.key}`;
    return `${h.machine}/${h.lock.id} (${h.lock.holder}, ${h.lock.scope}, ${what}, step ${h.step})`;
  }

  private pair(): [string, string] {
    const a = this.pick(this.ids);
    const b = this.pick(this.ids.filter((x) => x !== a));
    return [a, b];
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rand() * xs.length)]!;
  }

  private log(line: () => string): void {
    if (this.options.trace) this.options.trace(`${this.step} ${line()}`);
  }

  private version(machine: string, scope: string): number {
    return this.versions.get(`${machine} ${scope}`) ?? 0;
  }

  /** the round's winner compares: from the newest version on the mesh, it writes the next; else it fails */
  private compareAndSet(machine: string, lock: HeldClaim, newest: number): void {
    const from = this.casFrom.get(lock.id);
    if (from === undefined) return; // restored after a restart: its agent asked before
    this.casFrom.delete(lock.id);
    const key = `${lock.scope}@${from}`;
    if (newest !== from) {
      this.versions.set(`${machine} ${lock.scope}`, newest); // lost: it fetches the newest value
      return;
    }
    const winner = this.casWins.get(key);
    if (winner !== undefined && !this.options.partitions)
      this.note(`compare-and-set: ${machine} and ${winner} both replaced version ${from} of ${lock.scope}/k1`);
    this.casWins.set(key, machine);
    this.result.casWins++;
    this.versions.set(`${machine} ${lock.scope}`, from + 1);
  }

  /** a failure seen inside a listener (where throwing would be contained), thrown after the step */
  private note(why: string): void {
    this.found.push(`seed ${this.options.seed}, step ${this.step}: ${why}`);
  }

  private fail(why: string): never {
    throw new Error(`seed ${this.options.seed}, step ${this.step}: ${why}`);
  }
}
