// One named channel of team frames (`locks`, `presence`, `messages`, …) with its own zod schema: what arrives
// is validated here, so a part only ever sees well-formed messages of its own channel. A malformed frame (a
// newer peer, a bug) is logged and counted, never delivered; it does not end the link, which carries the
// other channels too. A throwing listener is contained by the Emitter that delivers the frame.
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Disposable } from '../base/disposable.js';
import type { LinkedMachine, TeamTransport, UnlinkedMachine } from './team-transport.js';

export interface TeamChannelDeps<T> {
  transport: TeamTransport;
  /** the channel's name on the wire */
  name: string;
  schema: z.ZodType<T>;
  logger: Logger;
  /** a valid message of this channel from `from` */
  onMessage(from: { machineId: string; name: string }, message: T): void;
  /** a machine's link came up (again: a new link replaced the old; re-send what is pending) */
  onUp?(machine: LinkedMachine): void;
  onDown?(machine: UnlinkedMachine): void;
}

export class TeamChannel<T> implements Disposable {
  /** frames of this channel that failed validation, since start */
  malformed = 0;
  private readonly subscriptions: Disposable[];

  constructor(private readonly deps: TeamChannelDeps<T>) {
    const { transport } = deps;
    this.subscriptions = [
      transport.onFrame((frame) => {
        if (frame.ch !== deps.name) return;
        const parsed = deps.schema.safeParse(frame.m);
        if (!parsed.success) {
          this.malformed++;
          const issue = parsed.error.issues[0];
          deps.logger.warn(
            {
              domain: 'team',
              channel: deps.name,
              from: frame.from.name,
              issue: `${issue?.path.join('.')}: ${issue?.message}`,
            },
            'a malformed team frame was dropped',
          );
          return;
        }
        deps.onMessage(frame.from, parsed.data);
      }),
      transport.onLinkUp((machine) => deps.onUp?.(machine)),
      transport.onLinkDown((machine) => deps.onDown?.(machine)),
    ];
  }

  get machineId(): string {
    return this.deps.transport.machineId;
  }

  get machineName(): string {
    return this.deps.transport.machineName;
  }

  machines(): LinkedMachine[] {
    return this.deps.transport.linkedMachines();
  }

  /** false when the machine is down (the caller keeps what must arrive later) */
  send(machineId: string, message: T): boolean {
    return this.deps.transport.send(machineId, this.deps.name, message);
  }

  /** to every linked machine; returns how many it went to */
  broadcast(message: T): number {
    let sent = 0;
    for (const m of this.machines()) if (this.send(m.machineId, message)) sent++;
    return sent;
  }

  dispose(): void {
    for (const s of this.subscriptions.splice(0)) s.dispose();
  }
}
