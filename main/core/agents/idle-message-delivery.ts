// Messages typed at an agent's idle prompt, the way an awarded task's prompt is typed (the same terminal
// path, Coordination's deliver): for the CLIs DevMesh has no hook into, so a message reaches an agent that
// would otherwise never call read_messages.
//
// Decisions:
// - Only at an idle prompt ('idle': quiet at its input), never when 'waiting' (a question to the human that
//   typed text would answer) or working. At most one input per idle spell: when anything was typed since
//   the agent went idle (a task prompt, which the task board types first, or the human), the messages wait
//   for the next idle. A message posted while the agent sits idle is typed then.
// - Exactly once: the messages are peeked, typed as one line, then marked read up to the last one typed
//   (the cursor read_messages and the hooks move), so none is typed twice or read again; if the terminal is
//   gone, nothing is marked read.
// - Agents with Claude Code's context hooks get their messages from the hook, never typed: they get a
//   one-line nudge instead (names the senders, not the bodies), which its UserPromptSubmit hook answers
//   with the messages themselves. Nothing is marked read by the nudge, and it is not repeated while the
//   unread messages stay the same (a hook that did not run must not make every idle spell a new turn).
import type { Logger } from 'pino';
import type { AgentRecord } from '../../../shared/agent.js';
import type { DevMeshEvent } from '../../../shared/events.js';
import type { Message } from '../../../shared/message.js';
import type { Disposable } from '../base/disposable.js';
import { nudgeLine, typedLine } from './agent-context-text.js';

/** messages typed in one line at most; the rest are named as waiting */
const TYPED_MAX = 3;

export interface IdleMessageDeliveryDeps {
  messages: {
    peek(reader: string, limit: number): Message[];
    markRead(reader: string, seq: number): void;
    unreadCount(reader: string): number;
  };
  agents: {
    /** the agents not exited */
    live(): AgentRecord[];
    /** when input was last written to the agent's terminal; null: never */
    lastInputAt(agentId: string): number | null;
  };
  /** does the agent get its messages through Claude Code's context hooks? */
  hooked(agent: AgentRecord): boolean;
  /** types one line + Enter into the agent's terminal; false when it is not running */
  type(agentId: string, text: string): boolean;
  events: { onDidEmitEvent(listener: (event: DevMeshEvent) => void): Disposable };
  logger?: Logger;
}

export class IdleMessageDelivery implements Disposable {
  /** agent id → when it went idle, for the agents idle now */
  private readonly idleSince = new Map<string, number>();
  /** agent id → the unread messages it was last nudged about (first unread seq and count) */
  private readonly nudged = new Map<string, string>();
  private readonly subscription: Disposable;

  constructor(private readonly deps: IdleMessageDeliveryDeps) {
    this.subscription = deps.events.onDidEmitEvent((event) => this.observe(event));
  }

  dispose(): void {
    this.subscription.dispose();
    this.idleSince.clear();
    this.nudged.clear();
  }

  private observe(event: DevMeshEvent): void {
    try {
      if (event.type === 'agent.status') {
        if (event.to === 'idle') {
          this.idleSince.set(event.agentId, event.ts);
          this.offer(event.agentId);
        } else this.idleSince.delete(event.agentId);
        if (event.to === 'exited') this.nudged.delete(event.agentId);
      } else if (event.type === 'message.posted') {
        const { to, from } = event.message;
        const readers = to === '*' ? [...this.idleSince.keys()].filter((id) => id !== from) : [to];
        for (const id of readers) this.offer(id);
      }
    } catch (err) {
      // the messages stay unread (read_messages, the next idle spell): logged, and the event goes on
      this.deps.logger?.warn(
        { domain: 'agents', event: event.type, err: (err as Error)?.message ?? String(err) },
        'could not type messages at an idle agent',
      );
    }
  }

  /** types the agent's unread messages (or the nudge) if it sits idle and nothing was typed this spell */
  private offer(agentId: string): void {
    const since = this.idleSince.get(agentId);
    if (since === undefined) return;
    const input = this.deps.agents.lastInputAt(agentId);
    if (input !== null && input >= since) return;
    const agent = this.deps.agents.live().find((a) => a.id === agentId);
    if (!agent || agent.status !== 'idle') return;
    const unread = this.deps.messages.unreadCount(agentId);
    if (unread === 0) return;
    if (this.deps.hooked(agent)) {
      const waiting = this.deps.messages.peek(agentId, 20);
      const key = `${waiting[0]?.seq}:${unread}`;
      if (this.nudged.get(agentId) === key) return;
      const senders = [...new Set(waiting.map((m) => m.fromName))];
      if (this.deps.type(agentId, nudgeLine(unread, senders.slice(0, 5)))) this.nudged.set(agentId, key);
      return;
    }
    const messages = this.deps.messages.peek(agentId, TYPED_MAX);
    const last = messages[messages.length - 1];
    if (!last) return;
    if (!this.deps.type(agentId, typedLine(messages, unread - messages.length))) return;
    this.deps.messages.markRead(agentId, last.seq);
  }
}
