// An agent's status as a badge: starting, working, waiting (highlighted: the agent needs the user), idle,
// exited N. Its title is the daemon's reason ("permission prompt", "no output for 5 s").
import type { AgentRecord } from '../../shared/agent.js';

export function agentStatusLabel(record: AgentRecord): string {
  if (record.status !== 'exited') return record.status;
  return record.exitCode !== null ? `exited ${record.exitCode}` : 'exited';
}

export function AgentStatusBadge({ record, testId }: { record: AgentRecord; testId: string }) {
  const tone = record.status !== 'exited' ? record.status : record.exitCode === 0 ? 'done' : 'failed';
  return (
    <span
      className={`badge badge-agent badge-agent-${tone}`}
      data-testid={testId}
      data-status={record.status}
      title={record.statusReason ?? undefined}
    >
      {agentStatusLabel(record)}
    </span>
  );
}
