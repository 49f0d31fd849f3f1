// The bids of the current round, best score first, each with the three parts of its score as DevMesh
// computed them (shared/task.ts AWARD_WEIGHTS): capability match, the agent's load, its own estimate.
import type { Bid } from '../../shared/task.js';
import { AWARD_WEIGHTS } from '../../shared/task.js';
import { HolderName } from '../locks/locks-holder-name.js';

const pct = (n: number) => `${Math.round(n * 100)}%`;

export function TaskBids({ bids }: { bids: Bid[] }) {
  if (bids.length === 0) return <div className="muted">No bids in this round.</div>;
  const sorted = [...bids].sort((a, b) => b.score - a.score || a.at - b.at);
  return (
    <table className="services coord-table" data-testid="task-bids">
      <thead>
        <tr>
          <th>Agent</th>
          <th className="num" title={`weight ${AWARD_WEIGHTS.match}`}>
            Match
          </th>
          <th className="num" title={`weight ${AWARD_WEIGHTS.load}`}>
            Load
          </th>
          <th className="num" title={`weight ${AWARD_WEIGHTS.estimate}`}>
            Estimate
          </th>
          <th className="num">Score</th>
        </tr>
      </thead>
      <tbody>
        {sorted.map((bid) => (
          <tr key={`${bid.agentId}-${bid.at}`} data-testid={`task-bid-${bid.agentId}`} title={bid.note ?? undefined}>
            <td>
              <HolderName id={bid.agentId} />
              {bid.capabilities.length > 0 && <span className="muted"> · {bid.capabilities.join(', ')}</span>}
            </td>
            <td className="num">{pct(bid.match)}</td>
            <td className="num">{bid.load}</td>
            <td className="num">{bid.estimateMinutes} min</td>
            <td className="num task-score">{bid.score.toFixed(3)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
