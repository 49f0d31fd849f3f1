// A service in the graph: its name, version, state and the requests per second it answers here.
import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import type { GraphNode } from '../../shared/mesh.js';
import { formatRate } from '../common/format-traffic.js';

export type ServiceNodeData = { node: GraphNode; dimmed: boolean };
export type ServiceFlowNode = Node<ServiceNodeData, 'service'>;

export function ServiceNode({ data }: NodeProps<ServiceFlowNode>) {
  const { node, dimmed } = data;
  return (
    <div
      className={dimmed ? 'graph-service dimmed' : 'graph-service'}
      data-testid={`graph-node-${node.id}`}
      title={`${node.project}/${node.service} ${node.version} on ${node.agentName}`}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <div className="graph-service-head">
        <span className="graph-service-name">{node.service}</span>
        <span className="graph-service-version mono">{node.version}</span>
      </div>
      <div className="graph-service-foot">
        <span className={`badge badge-${node.state}`}>{node.state}</span>
        <span className="muted mono" title="requests per second through this agent's proxy">
          {formatRate(node.requestsPerSec)} req/s
          {node.errorsPerSec > 0 ? ` · ${formatRate(node.errorsPerSec)} err/s` : ''}
        </span>
      </div>
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
}
