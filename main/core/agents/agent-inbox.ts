// What each running agent has not seen yet: its unread messages (kept by the message board, with the reader
// cursor MCP read_messages moves) and the team events meant for it (notices, chosen by agent-notices.ts and
// queued here, in memory: a notice is news about now, so a daemon restart drops the queue). `take` hands
// both over once: the messages given are marked read, the notices given leave the queue.
import type { Logger } from 'pino';
import { AGENT_CONTEXT_MAX_ITEMS, type AgentContext, type AgentNotice } from '../../../shared/agent-context.js';
import type { AgentRecord } from '../../../shared/agent.js';
import type { DevMeshEvent } from '../../../shared/events.js';
import type { Message } from '../../../shared/message.js';
import type { Disposable } from '../base/disposable.js';
import { hookContext } from './agent-context-text.js';
import { noticesFor } from './agent-notices.js';

/** the message board's reader side (MessageBoard) */
export interface InboxMessages {
  read(input: { reader: string; unreadOnly: boolean; limit: number }): Message[];
  unreadCount(reader: string): number;
}

export interface AgentInboxDeps {
  messages: InboxMessages;
  agents: {
    /** the agents not exited */
    live(): AgentRecord[];
    /** by id or name; throws a DevMeshError naming it when unknown */
    get(idOrName: string): AgentRecord;
  };
  events: { onDidEmitEvent(listener: (event: DevMeshEvent) => void): Disposable };
  /** notices kept per agent at most; older ones are dropped first (default 50) */
  maxQueued?: number;
  logger?: Logger;
}

export class AgentInbox implements Disposable {
  private readonly queues = new Map<string, AgentNotice[]>();
  private readonly subscription: Disposable;
  private readonly maxQueued: number;

  constructor(private readonly deps: AgentInboxDeps) {
    this.maxQueued = deps.maxQueued ?? 50;
    this.subscription = deps.events.onDidEmitEvent((event) => this.observe(event));
  }

  /** Hands over what the agent has not seen, once; `text` is null when nothing was new. */
  take(agent: string, limit = AGENT_CONTEXT_MAX_ITEMS): AgentContext {
    const id = this.deps.agents.get(agent).id;
    const messages = this.deps.messages.read({ reader: id, unreadOnly: true, limit });
    const moreMessages = this.deps.messages.unreadCount(id);
    const queue = this.queues.get(id) ?? [];
    const notices = queue.splice(0, limit);
    if (queue.length === 0) this.queues.delete(id);
    const items = { messages, notices, moreMessages, moreNotices: queue.length };
    return { ...items, text: hookContext(items) };
  }

  /** notices queued for the agent (not taken) */
  queued(agentId: string): number {
    return this.queues.get(agentId)?.length ?? 0;
  }

  dispose(): void {
    this.subscription.dispose();
    this.queues.clear();
  }

  private observe(event: DevMeshEvent): void {
    try {
      for (const { to, notice } of noticesFor(event, this.deps.agents)) this.push(to, notice);
      if (event.type === 'agent.status' && event.to === 'exited') this.queues.delete(event.agentId);
    } catch (err) {
      // a notice is a courtesy: one that cannot be worked out is logged, and the event goes on to the others
      this.deps.logger?.warn(
        { domain: 'agents', event: event.type, err: (err as Error)?.message ?? String(err) },
        'could not work out the agent notices of an event',
      );
    }
  }

  private push(agentId: string, notice: AgentNotice): void {
    const queue = this.queues.get(agentId) ?? [];
    queue.push(notice);
    if (queue.length > this.maxQueued) queue.splice(0, queue.length - this.maxQueued);
    this.queues.set(agentId, queue);
  }
}
