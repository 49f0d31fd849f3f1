// usage.*: what agents cost (token and cost figures from their own OpenTelemetry) and their budgets.
import type { UsageModule } from '../../core/usage/usage-module.js';
import type { HandlersOf } from './handlers.js';

export interface UsageHandlersDeps {
  usage: Pick<UsageModule, 'list' | 'agent' | 'task' | 'setBudget' | 'receiverInfo'>;
}

export function usageHandlers({ usage }: UsageHandlersDeps): HandlersOf<'usage'> {
  return {
    'usage.agents': () => usage.list(),
    'usage.agent': (i) => usage.agent(i.agent),
    'usage.task': (i) => usage.task(i.task),
    'usage.setBudget': (i) => usage.setBudget(i),
    'usage.receiver': () => usage.receiverInfo(),
  };
}
