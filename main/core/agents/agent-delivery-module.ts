// Reaching running agents without polling, wired in one place: the inbox the context hooks take from
// (AgentInbox: unread messages and team notices) and the typing of messages at idle prompts for the CLIs
// without hooks (IdleMessageDelivery). Built once the message board exists (Coordination) and disposed
// before it; its listeners follow the task board's on the same events, so a task prompt typed at an idle
// prompt goes first and the messages wait for the next idle spell.
import type { Logger } from 'pino';
import type { DevMeshEvent } from '../../../shared/events.js';
import type { Message } from '../../../shared/message.js';
import type { Disposable } from '../base/disposable.js';
import type { AgentManager } from './agent-manager.js';
import type { AgentProfiles } from './agent-profiles.js';
import type { AgentSessionSetup } from './agent-session-setup.js';
import { AgentInbox } from './agent-inbox.js';
import { IdleMessageDelivery } from './idle-message-delivery.js';

export interface AgentDeliveryModuleDeps {
  events: { onDidEmitEvent(listener: (event: DevMeshEvent) => void): Disposable };
  /** the message board (Coordination.messages) */
  messages: {
    read(input: { reader: string; unreadOnly: boolean; limit: number }): Message[];
    peek(reader: string, limit: number): Message[];
    markRead(reader: string, seq: number): void;
    unreadCount(reader: string): number;
  };
  agents: { manager: AgentManager; profiles: Pick<AgentProfiles, 'find'>; session: AgentSessionSetup };
  /** types one line + Enter into the agent's terminal (Coordination.deliver); false when it is not running */
  type(agentId: string, text: string): boolean;
  logger: Logger;
}

export class AgentDeliveryModule implements Disposable {
  readonly inbox: AgentInbox;
  private readonly idle: IdleMessageDelivery;

  constructor(deps: AgentDeliveryModuleDeps) {
    const { manager, profiles, session } = deps.agents;
    const logger = deps.logger.child({ domain: 'agents' });
    const live = () => manager.list().filter((a) => a.status !== 'exited');
    this.inbox = new AgentInbox({
      messages: deps.messages,
      agents: { live, get: (idOrName) => manager.get(idOrName) },
      events: deps.events,
      logger,
    });
    this.idle = new IdleMessageDelivery({
      messages: deps.messages,
      agents: { live, lastInputAt: (id) => manager.lastInputAt(id) },
      hooked: (agent) => session.givesContextHooks(profiles.find(agent.profile)),
      type: (id, text) => deps.type(id, text),
      events: deps.events,
      logger,
    });
  }

  dispose(): void {
    this.idle.dispose();
    this.inbox.dispose();
  }
}
