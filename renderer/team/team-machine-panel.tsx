// One machine of the Team view: its name and human, reachable or when it was last seen, its open projects, and
// its agents with status (waiting highlighted: the agent needs its human), role, branch and task.
import type { TeamAgent, TeamMachine } from '../../shared/team.js';
import { formatAgo } from '../common/format-time.js';

function AgentRow({ agent }: { agent: TeamAgent }) {
  return (
    <tr data-testid={`team-agent-${agent.id}`}>
      <td>{agent.name}</td>
      <td>
        <span
          className={`badge team-agent-${agent.status}`}
          data-status={agent.status}
          title={agent.statusReason ?? undefined}
        >
          {agent.status === 'exited' ? 'finished' : agent.status}
        </span>
      </td>
      <td>{agent.role ?? '—'}</td>
      <td>{agent.branch ?? '—'}</td>
      <td>{agent.task ? `${agent.task.title} (${agent.task.id})` : '—'}</td>
      <td>{agent.model ? `${agent.profile} · ${agent.model}` : agent.profile}</td>
    </tr>
  );
}

export function TeamMachinePanel({ machine, now }: { machine: TeamMachine; now: number }) {
  const reach = machine.local
    ? 'this machine'
    : machine.reachable
      ? 'reachable'
      : `last seen ${formatAgo(machine.lastSeen, now)}`;
  const projects = machine.projects.map((p) => p.id).join(', ');
  return (
    <section
      className={`coord-panel team-machine${machine.reachable ? '' : ' unreachable'}`}
      aria-label={`Machine ${machine.name}`}
      data-testid={`team-machine-${machine.name}`}
    >
      <div className="coord-panel-head">
        <h2>{machine.name}</h2>
        <span className="team-human">{machine.human}</span>
        <span className={`badge team-reach${machine.reachable ? '' : ' unreachable'}`}>{reach}</span>
        {projects && <span className="team-projects">{projects}</span>}
      </div>
      {machine.agents.length === 0 ? (
        <div className="empty team-empty">No agents.</div>
      ) : (
        <table className="coord-table team-agents">
          <thead>
            <tr>
              <th>Agent</th>
              <th>Status</th>
              <th>Role</th>
              <th>Branch</th>
              <th>Task</th>
              <th>Profile</th>
            </tr>
          </thead>
          <tbody>
            {machine.agents.map((a) => (
              <AgentRow key={a.id} agent={a} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
