// A desktop notification when an AI agent waits for the user (a permission question, a prompt), so it is
// answered even with the window closed or another app in front. One per wait: the agent must work again
// before the next one notifies; clicking opens the window.
import type { AgentStatusEvent } from '../../shared/agent.js';
import type { DevMeshApi } from '../api/devmesh-api.js';
import { EventNotifier, type NotifierDeps } from './event-notifier.js';

export type AgentWaitingNotifierDeps = NotifierDeps;

/** "claude-2 is waiting for you" */
export const waitingTitle = (e: AgentStatusEvent): string => `${e.name} is waiting for you`;

/** "permission prompt · task: fix the readme" */
export const waitingBody = (e: AgentStatusEvent): string => {
  const task =
    e.record.task === null
      ? ''
      : ` · task: ${e.record.task.length > 80 ? `${e.record.task.slice(0, 79)}…` : e.record.task}`;
  return `${e.reason ?? 'it asks for input'}${task} (${e.record.profile}, terminal ${e.record.terminalId ?? '-'})`;
};

export class AgentWaitingNotifier extends EventNotifier {
  constructor(api: Pick<DevMeshApi, 'subscribe'>, deps: AgentWaitingNotifierDeps) {
    // per agent: how many waits it has left behind, so each new wait has its own key
    const waits = new Map<string, number>();
    // A key is one wait: it never notifies twice (a day is "never" for a wait).
    super(api, deps, 24 * 60 * 60_000, (event) => {
      if (event.type !== 'agent.status') return null;
      if (event.from === 'waiting' && event.to !== 'waiting')
        waits.set(event.agentId, (waits.get(event.agentId) ?? 0) + 1);
      if (event.to !== 'waiting') return null;
      return {
        key: `${event.agentId}#${waits.get(event.agentId) ?? 0}`,
        title: waitingTitle(event),
        body: waitingBody(event),
      };
    });
  }
}
