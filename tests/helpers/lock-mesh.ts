// A hand-driven mesh of MeshLockProtocol machines for focused tests: FIFO links that deliver only when told,
// cables to cut and plug back, and every event each machine raised, in order.
import type { HeldClaim, LockMessage } from '../../main/core/team/lock-messages.js';
import {
  MeshLockProtocol,
  type MeshLockBlocked,
  type MeshLockConflict,
  type MeshLockGrant,
  type MeshLockProtocolDeps,
} from '../../main/core/team/mesh-lock-protocol.js';

export interface MachineLog {
  grants: MeshLockGrant[];
  refusals: MeshLockBlocked[];
  queued: MeshLockBlocked[];
  conflicts: MeshLockConflict[];
}

export class LockMesh {
  readonly protocols = new Map<string, MeshLockProtocol>();
  readonly logs = new Map<string, MachineLog>();
  private readonly queues = new Map<string, LockMessage[]>();
  private readonly cables = new Set<string>();
  private incarnations = 0;

  constructor(
    readonly ids: string[],
    readonly scopes: string[] = ['proj'],
    private readonly extra: Partial<MeshLockProtocolDeps> = {},
  ) {
    for (const id of ids) this.boot(id, []);
    for (const [i, a] of ids.entries()) for (const b of ids.slice(i + 1)) this.plug(a, b);
  }

  get(id: string): MeshLockProtocol {
    return this.protocols.get(id)!;
  }

  log(id: string): MachineLog {
    return this.logs.get(id)!;
  }

  /** a new incarnation of `id` with `held` restored (as from SQLite); its cables stay unplugged */
  boot(id: string, held: HeldClaim[], deps: Partial<MeshLockProtocolDeps> = {}): MeshLockProtocol {
    for (const other of this.ids) if (other !== id) this.unplug(id, other);
    const log: MachineLog = { grants: [], refusals: [], queued: [], conflicts: [] };
    const p = new MeshLockProtocol({
      self: id,
      incarnation: `${id}#${this.incarnations++}`,
      held,
      send: (to, m) => this.queue(id, to).push(structuredClone(m)),
      report: (problem) => {
        throw new Error(problem);
      },
      ...this.extra,
      ...deps,
    });
    p.onDidGrant((g) => log.grants.push(g));
    p.onDidRefuse((r) => log.refusals.push(r));
    p.onDidQueue((q) => log.queued.push(q));
    p.onDidDetectConflict((c) => log.conflicts.push(c));
    this.protocols.set(id, p);
    this.logs.set(id, log);
    return p;
  }

  plug(a: string, b: string): void {
    if (this.cables.has(this.cable(a, b))) return;
    this.cables.add(this.cable(a, b));
    this.get(a).machineUp(b, this.scopes);
    this.get(b).machineUp(a, this.scopes);
  }

  unplug(a: string, b: string): void {
    if (!this.cables.delete(this.cable(a, b))) return;
    this.queues.set(`${a}>${b}`, []);
    this.queues.set(`${b}>${a}`, []);
    this.get(a)?.machineDown(b);
    this.get(b)?.machineDown(a);
  }

  /** delivers the oldest frame from `a` to `b`; returns it */
  step(a: string, b: string): LockMessage | undefined {
    const m = this.queue(a, b).shift();
    if (m) this.get(b).receive(a, structuredClone(m));
    return m;
  }

  /** delivers until every link is empty (links in a fixed order, each FIFO) */
  settle(): void {
    for (let i = 0; i < 10_000; i++) {
      const busy = [...this.queues.entries()].find(([, q]) => q.length > 0);
      if (!busy) return;
      const [from, to] = busy[0].split('>') as [string, string];
      this.step(from, to);
    }
    throw new Error('the mesh did not settle in 10,000 frames');
  }

  queue(a: string, b: string): LockMessage[] {
    let q = this.queues.get(`${a}>${b}`);
    if (!q) this.queues.set(`${a}>${b}`, (q = []));
    return q;
  }

  private cable(a: string, b: string): string {
    return [a, b].sort().join('|');
  }
}
