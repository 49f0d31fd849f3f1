// Token and cost figures where agents are shown: a line on each agent card (total tokens, cost, and the
// budget when one is set, marked once it warned or stopped the agent) and the task drawer's Cost row (the
// task's total and what each agent spent on it).
import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import { formatUsage, type AgentUsage, type TaskUsage } from '../../shared/usage.js';
import { useUsage } from './usage-sync.js';

function budgetNote(usage: AgentUsage): string | null {
  const b = usage.budget;
  if (b === null) return null;
  if (b.stoppedAt !== null) return 'stopped: over its budget';
  if (b.warnedAt !== null) return `past ${Math.round(b.warnAt * 100)}% of its budget`;
  return null;
}

export function AgentUsageLine({ agentId }: { agentId: string }) {
  const usage = useStore(useUsage().store, (s) => s.byAgent[agentId]);
  if (!usage || (usage.figures.updatedAt === 0 && usage.budget === null)) return null;
  const shown = formatUsage(usage);
  const note = budgetNote(usage);
  return (
    <span
      className={`agent-card-usage${note ? ' over' : ''}`}
      data-testid={`agent-usage-${agentId}`}
      title={note ?? 'tokens and cost its CLI reported (OpenTelemetry)'}
    >
      {shown.tokens} tokens · {shown.cost}
      {note ? ` · ${note}` : ''}
    </span>
  );
}

export function TaskUsageFigures({ taskId }: { taskId: string }) {
  const sync = useUsage();
  const [usage, setUsage] = useState<TaskUsage | null>(null);
  useEffect(() => {
    let live = true;
    const read = () => void sync.task(taskId).then((u) => live && setUsage(u));
    read();
    const stop = sync.onTaskChange((task) => task === taskId && read());
    return () => {
      live = false;
      stop();
    };
  }, [sync, taskId]);
  if (usage === null || usage.agents.length === 0) return <span className="muted">nothing reported yet</span>;
  const total = formatUsage({ figures: usage.figures, budget: null });
  return (
    <span data-testid="task-usage">
      {total.tokens} tokens · {total.cost}
      {usage.agents.length > 1 &&
        ` (${usage.agents.map((a) => `${a.name} ${formatUsage({ figures: a.figures, budget: null }).cost}`).join(', ')})`}
    </span>
  );
}
