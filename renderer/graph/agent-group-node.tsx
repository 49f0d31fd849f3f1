// The box around one agent's services, labelled with the agent's name ("this machine" for the local one);
// an agent that stopped answering is dimmed, since what it shows may be stale.
import type { Node, NodeProps } from '@xyflow/react';
import type { GroupBox } from './graph-layout.js';

export type AgentGroupData = { group: GroupBox; empty: boolean };
export type AgentGroupFlowNode = Node<AgentGroupData, 'agent'>;

export const agentLabel = (group: Pick<GroupBox, 'local' | 'name'>): string =>
  group.local ? `this machine (${group.name})` : group.name;

export function AgentGroupNode({ data }: NodeProps<AgentGroupFlowNode>) {
  const { group, empty } = data;
  const state = group.state === 'self' ? null : group.state;
  return (
    <div
      className={`graph-agent${group.local ? ' local' : ''}${group.state === 'unreachable' ? ' dimmed' : ''}`}
      data-testid={`graph-agent-${group.agentId}`}
      style={{ width: group.width, height: group.height }}
    >
      <div className="graph-agent-label">
        {agentLabel(group)}
        {state && state !== 'connected' ? <span className="muted"> · {state}</span> : null}
      </div>
      {empty ? <div className="graph-agent-empty muted">no services</div> : null}
    </div>
  );
}
