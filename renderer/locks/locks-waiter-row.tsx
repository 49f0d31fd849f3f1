// One queued request: who waits, for what and in which mode, behind whom, for how long, and when it gives up.
import type { LockWaiter } from '../../shared/lock.js';
import { describeLockTarget } from './locks-target.js';
import { formatDuration } from '../common/format-time.js';
import { HolderName } from './locks-holder-name.js';
import { useNow } from '../common/use-now.js';

export function LocksWaiterRow({ waiter }: { waiter: LockWaiter }) {
  const now = useNow();
  return (
    <tr className="lock-row" data-testid={`lock-waiter-${waiter.id}`}>
      <td>
        <HolderName id={waiter.holder} />
        {waiter.upgrade && <span className="tag">upgrade</span>}
      </td>
      <td className="mono lock-target">{describeLockTarget(waiter.target)}</td>
      <td>
        <span className={`lock-mode lock-mode-${waiter.mode.toLowerCase()}`}>{waiter.mode}</span>
      </td>
      <td data-testid="lock-waiter-behind">
        {waiter.blockedBy.length === 0 ? (
          <span className="muted">nobody (next in line)</span>
        ) : (
          waiter.blockedBy.map((h, i) => (
            <span key={h}>
              {i > 0 && ', '}
              <HolderName id={h} />
            </span>
          ))
        )}
      </td>
      <td className="num">{formatDuration(now - waiter.enqueuedAt)}</td>
      <td className="num">{formatDuration(waiter.deadline - now)}</td>
    </tr>
  );
}
