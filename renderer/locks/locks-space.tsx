// One lock space (a project root): its held locks, then the requests queued behind them.
import type { LockSpaceSnapshot } from '../../shared/lock.js';
import { LocksRow } from './locks-row.js';
import { LocksWaiterRow } from './locks-waiter-row.js';

export function LocksSpace({ space }: { space: LockSpaceSnapshot }) {
  return (
    <section className="coord-panel" data-testid={`lock-space-${space.project ?? space.root}`}>
      <header className="coord-panel-head">
        <h2>{space.project ?? space.root}</h2>
        {space.project && <span className="muted mono">{space.root}</span>}
        <span className="spacer" />
        <span className="muted">
          {space.locks.length} held · {space.waiters.length} waiting
        </span>
      </header>
      {space.locks.length === 0 ? (
        <div className="empty">No locks held.</div>
      ) : (
        <table className="services coord-table">
          <thead>
            <tr>
              <th>Path / pattern</th>
              <th>Mode</th>
              <th>Holder</th>
              <th className="num">Held for</th>
              <th className="num">Expires in</th>
              <th>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {space.locks.map((lock) => (
              <LocksRow key={lock.id} root={space.root} lock={lock} />
            ))}
          </tbody>
        </table>
      )}
      {space.waiters.length > 0 && (
        <table className="services coord-table" data-testid="lock-waiters">
          <thead>
            <tr>
              <th>Waiting</th>
              <th>For</th>
              <th>Mode</th>
              <th>Behind</th>
              <th className="num">Waited</th>
              <th className="num">Gives up in</th>
            </tr>
          </thead>
          <tbody>
            {space.waiters.map((w) => (
              <LocksWaiterRow key={w.id} waiter={w} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
