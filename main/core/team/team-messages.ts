// Messages to anyone on the mesh (issue 15), store-and-forward on the `messages` channel (message-frames.ts).
//
// Sending: the address is routed (message-routes.ts); what is for this machine's readers is stored in its
// board as before; a message that crosses the mesh is stored here too (the sender's copy, `queued` until
// every machine has it) and put in the SQLite outbox once per target machine in one transaction, then sent
// on the links that are up. The outbox row goes only when that machine acknowledges; a new link (onLinkUp,
// also after a restart) sends the machine's queue again from its start, in order, and so does a silence of
// `resendMs` with frames unacknowledged. A window of frames in flight per machine keeps a long queue from
// flooding the link.
// Receiving: a frame is rate-bounded per machine (token bucket), its recipient resolved here; it is stored
// under its origin id (the board's unique index: a re-send after a lost ack is stored once) and acknowledged
// once its audit entry is on disk. An unknown recipient is refused in the ack, and the sender's machine tells
// the sender with a message from `devmesh`.
// Audit (small entries): `message.sent` on the sender's machine when the message is accepted into the
// outbox (the call waits for it), `message.delivered` / `message.refused` on the receiver when it decides.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { DevMeshError } from '../../../shared/errors.js';
import type { DevMeshEvent } from '../../../shared/events.js';
import { MESSAGE_MAX_BYTES, type Message } from '../../../shared/message.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import type { Disposable } from '../base/disposable.js';
import type { MessageBoard } from '../coordination/message-board.js';
import type { Database } from '../store/database.js';
import {
  MESSAGES_CHANNEL,
  MessageFrameSchema,
  type MessageAckFrame,
  type MessageFrame,
  type MessagePostFrame,
} from './message-frames.js';
import { MessageOutbox, OUTBOX_MAX_PER_MACHINE } from './message-outbox.js';
import { routeFor, type LocalParties, type MessageRoute } from './message-routes.js';
import { TeamChannel } from './team-channel.js';
import type { TeamDirectory } from './team-directory.js';
import type { TeamTransport } from './team-transport.js';
import { TokenBucket } from './token-bucket.js';

export interface TeamMessagesDeps {
  transport: TeamTransport;
  database: Database;
  board: Pick<MessageBoard, 'store' | 'byId' | 'delivered' | 'forget'>;
  directory: TeamDirectory;
  local: LocalParties;
  trail: Pick<AuditTrail, 'decide' | 'observe' | 'settled'>;
  emit: (event: DevMeshEvent) => void;
  logger: Logger;
  /** messages kept per unreachable machine (OUTBOX_MAX_PER_MACHINE) */
  maxQueued?: number;
  /** frames in flight (sent, not acknowledged) per machine; default 64 */
  window?: number;
  /** frames unacknowledged this long are sent again; default 5 s */
  resendMs?: number;
  /** what one machine may make this one store: a burst and a rate per second; default 500 and 200/s */
  inbound?: { burst: number; perSecond: number };
  now?: () => number;
}

export interface MessageSendInput {
  from: string;
  to: string;
  body: string;
  task?: string;
}

interface Flow {
  /** the outbox seq of the last frame sent on this link */
  sentUpTo: number;
  inFlight: number;
  /** when the last ack (or the link) came */
  progressAt: number;
}

export class TeamMessages implements Disposable {
  readonly outbox: MessageOutbox;
  readonly channel: TeamChannel<MessageFrame>;
  /** frames from teammates dropped for coming faster than the inbound bound */
  flooded = 0;
  private readonly flows = new Map<string, Flow>();
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly timer: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(private readonly deps: TeamMessagesDeps) {
    this.now = deps.now ?? Date.now;
    this.outbox = new MessageOutbox(deps.database, deps.maxQueued ?? OUTBOX_MAX_PER_MACHINE, this.now);
    this.channel = new TeamChannel({
      transport: deps.transport,
      name: MESSAGES_CHANNEL,
      schema: MessageFrameSchema,
      logger: deps.logger,
      onMessage: (from, frame) => this.contained('a message frame', () => this.onFrame(from, frame)),
      onUp: (machine) =>
        this.contained('a link up', () => {
          this.flows.set(machine.machineId, { sentUpTo: 0, inFlight: 0, progressAt: this.now() });
          this.pump(machine.machineId);
        }),
      onDown: (machine) => this.flows.delete(machine.machineId),
    });
    const resendMs = deps.resendMs ?? 5000;
    this.timer = setInterval(() => this.contained('the re-send timer', () => this.resendStalled(resendMs)), resendMs);
    this.timer.unref();
    for (const m of deps.transport.linkedMachines()) this.pump(m.machineId);
  }

  /** Sends a message to anyone on the mesh; resolves once it is stored here and queued (its entry on disk). */
  async send(input: MessageSendInput): Promise<Message> {
    const { local, board } = this.deps;
    const from = local.resolve(input.from);
    if (!from)
      throw new DevMeshError(
        'AGENT_NOT_FOUND',
        `no agent "${input.from}" on this machine (the message's sender); send as an agent of this machine ` +
          '(devmesh agent ls) or as user',
      );
    const route = routeFor(input.to, { self: this.self, local, directory: this.deps.directory });
    const task = input.task ?? null;
    if (route.machines.length === 0)
      return board.store({ id: randomUUID(), from, fromMachine: null, to: route.to, body: input.body, task })!;
    const frame: MessagePostFrame = {
      k: 'msg',
      id: randomUUID(),
      from,
      to: route.remoteTo,
      body: input.body,
      task,
      ts: this.now(),
    };
    const message = await this.deps.trail.decide(
      `a message to ${input.to}`,
      () => this.queue(frame, route, input.to),
      () => {
        this.outbox.drop(frame.id);
        board.forget(frame.id);
      },
    );
    for (const m of route.machines) this.pump(m.machineId);
    return board.byId(frame.id) ?? message;
  }

  /** the messages waiting per teammate's machine id */
  queued(): Map<string, number> {
    return this.outbox.counts();
  }

  dispose(): void {
    clearInterval(this.timer);
    this.channel.dispose();
  }

  private get self(): { machineId: string; name: string } {
    return { machineId: this.deps.transport.machineId, name: this.deps.transport.machineName };
  }

  private queue(frame: MessagePostFrame, route: MessageRoute, address: string): Message {
    const { database, board } = this.deps;
    const message = database.db.transaction(() => {
      const full = route.machines.filter((m) => this.outbox.count(m.machineId) >= this.outbox.maxPerMachine);
      if (full.length > 0) {
        const names = full.map((m) => m.name).join(', ');
        throw new DevMeshError(
          'OUTBOX_FULL',
          `${names} ${full.length === 1 ? 'has' : 'have'} ${this.outbox.maxPerMachine} messages waiting (the most ` +
            `DevMesh keeps for one machine), so this message to ${address} was not sent; they are delivered when ` +
            `${names} ${full.length === 1 ? 'is' : 'are'} linked again (devmesh mesh ls): send it again after that`,
        );
      }
      const stored = board.store({
        id: frame.id,
        from: frame.from,
        fromMachine: null,
        to: route.to,
        body: frame.body,
        task: frame.task,
        ts: frame.ts,
        pending: route.machines.length,
      });
      for (const m of route.machines) this.outbox.add(m.machineId, frame.from.id, frame);
      return stored!;
    })();
    const bytes = Buffer.byteLength(frame.body);
    const machines = route.machines.map((m) => m.name).slice(0, 20);
    this.deps.trail.observe({
      actor: frame.from.id,
      kind: 'message.sent',
      subject: frame.id,
      data: { to: address, machines, bytes },
    });
    return message;
  }

  /** Sends the machine's queue past what is in flight, up to the window; forgets the flow if the link is down. */
  private pump(machineId: string): void {
    const window = this.deps.window ?? 64;
    let flow = this.flows.get(machineId);
    if (!flow) {
      flow = { sentUpTo: 0, inFlight: 0, progressAt: this.now() };
      this.flows.set(machineId, flow);
    }
    while (flow.inFlight < window) {
      const rows = this.outbox.next(machineId, flow.sentUpTo, window - flow.inFlight);
      if (rows.length === 0) return;
      for (const row of rows) {
        if (!this.channel.send(machineId, row.frame)) {
          this.flows.delete(machineId);
          return;
        }
        flow.sentUpTo = row.seq;
        flow.inFlight++;
      }
    }
  }

  private resendStalled(resendMs: number): void {
    const now = this.now();
    for (const [machineId, flow] of [...this.flows]) {
      if (flow.inFlight === 0 || now - flow.progressAt < resendMs) continue;
      this.flows.set(machineId, { sentUpTo: 0, inFlight: 0, progressAt: now });
      this.pump(machineId);
    }
  }

  private onFrame(from: { machineId: string; name: string }, frame: MessageFrame): void {
    if (frame.k === 'ack') this.acked(from, frame);
    else this.receive(from, frame);
  }

  private receive(from: { machineId: string; name: string }, frame: MessagePostFrame): void {
    let bucket = this.buckets.get(from.machineId);
    if (!bucket) {
      const { burst, perSecond } = this.deps.inbound ?? { burst: 500, perSecond: 200 };
      bucket = new TokenBucket(burst, perSecond, this.now);
      this.buckets.set(from.machineId, bucket);
    }
    if (!bucket.take()) {
      // not acknowledged: an honest sender sends it again after `resendMs`
      if (this.flooded++ % 1000 === 0)
        this.deps.logger.warn(
          { domain: 'team', channel: MESSAGES_CHANNEL, from: from.name, dropped: this.flooded },
          'a teammate sends messages faster than this machine takes them; the excess is dropped unacknowledged',
        );
      return;
    }
    const ack = (refused?: string): void => {
      this.channel.send(from.machineId, { k: 'ack', id: frame.id, ...(refused ? { refused } : {}) });
    };
    const { board, trail } = this.deps;
    if (board.byId(frame.id)) return ack(); // a re-send: stored before, its ack was lost
    const actor = `${frame.from.id}@${from.name}`.slice(0, 128);
    const to = this.recipientHere(frame.to);
    if (!to) {
      const why =
        `no agent "${frame.to}" on ${this.self.name} (message ${frame.id} from ${frame.from.name}@${from.name}); ` +
        `list its agents with \`devmesh agent ls\` there, and address one as name@${this.self.name}`;
      trail.observe({ actor, kind: 'message.refused', subject: frame.id, data: { to: frame.to } });
      return ack(why);
    }
    const stored = board.store({
      id: frame.id,
      from: { id: actor, name: frame.from.name },
      fromMachine: from.name,
      to,
      body: frame.body,
      task: frame.task,
      ts: frame.ts,
    });
    if (stored)
      trail.observe({
        actor,
        kind: 'message.delivered',
        subject: frame.id,
        data: { to: to.id, bytes: Buffer.byteLength(frame.body) },
      });
    trail.settled().then(
      () => ack(),
      (err: unknown) =>
        this.deps.logger.error(
          { domain: 'team', channel: MESSAGES_CHANNEL, id: frame.id, err: (err as Error).message },
          'a delivered message is not acknowledged until its audit entry is on disk; the sender sends it again',
        ),
    );
  }

  private recipientHere(to: string): { id: string; name: string } | null {
    if (to === '*') return { id: '*', name: 'everyone' };
    if (to.startsWith('@')) return { id: to, name: to };
    return this.deps.local.resolve(to);
  }

  private acked(from: { machineId: string; name: string }, frame: MessageAckFrame): void {
    const row = this.outbox.remove(from.machineId, frame.id);
    if (!row) return; // acknowledged before (a re-send's second ack), or not ours to remove
    const flow = this.flows.get(from.machineId);
    if (flow) {
      flow.inFlight = Math.max(0, flow.inFlight - 1);
      flow.progressAt = this.now();
    }
    const message = this.deps.board.delivered(frame.id);
    if (message) this.deps.emit({ type: 'message.delivered', ts: this.now(), message });
    if (frame.refused) this.tellNotDelivered(row.sender, from.name, frame.refused);
    this.pump(from.machineId);
  }

  private tellNotDelivered(sender: string, machine: string, why: string): void {
    const to = this.deps.local.resolve(sender) ?? { id: sender, name: sender };
    const body = `Your message was not delivered to ${machine}: ${why}`.slice(0, MESSAGE_MAX_BYTES);
    const devmesh = { id: 'devmesh', name: 'devmesh' };
    this.deps.board.store({ id: randomUUID(), from: devmesh, fromMachine: null, to, body, task: null });
  }

  /** A frame or timer that throws is logged and contained: the link and the daemon go on. */
  private contained(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.deps.logger.error(
        { domain: 'team', channel: MESSAGES_CHANNEL, err: (err as Error)?.message ?? String(err) },
        `${what} failed in the messages part`,
      );
    }
  }
}
