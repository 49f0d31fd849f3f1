// One held lock: what it covers, its mode, who holds it, how long it has been held and when it expires
// (ticking). The human's own locks have a Release button.
import { useState } from 'react';
import type { LockInfo } from '../../shared/lock.js';
import { describeLockTarget } from './locks-target.js';
import { USER_HOLDER } from './locks-sync.js';
import { useApp } from '../shell/app-context.js';
import { useCoordination } from '../command-center/command-center-syncs.js';
import { formatDuration } from '../common/format-time.js';
import { HolderName } from './locks-holder-name.js';
import { useNow } from '../common/use-now.js';

export function LocksRow({ root, lock }: { root: string; lock: LockInfo }) {
  const { stores } = useApp();
  const { locks } = useCoordination();
  const now = useNow();
  const [busy, setBusy] = useState(false);
  const left = lock.expiresAt - now;
  const release = async () => {
    setBusy(true);
    const result = await locks.release(root, lock);
    setBusy(false);
    if (!result.ok)
      stores.toasts
        .getState()
        .notify(result.code, `could not release ${describeLockTarget(lock.target)}: ${result.message}`);
  };
  return (
    <tr
      className="lock-row"
      data-testid={`lock-row-${lock.id}`}
      data-holder={lock.holder}
      data-target={describeLockTarget(lock.target)}
    >
      <td className="mono lock-target">{describeLockTarget(lock.target)}</td>
      <td>
        <span className={`lock-mode lock-mode-${lock.mode.toLowerCase()}`}>{lock.mode}</span>
      </td>
      <td>
        <HolderName id={lock.holder} />
      </td>
      <td className="num">{formatDuration(now - lock.acquiredAt)}</td>
      <td className={left < 60_000 ? 'num lock-expiring' : 'num'}>{left > 0 ? formatDuration(left) : 'expired'}</td>
      <td className="col-actions">
        {lock.holder === USER_HOLDER && (
          <button
            type="button"
            className="btn btn-stop"
            disabled={busy}
            data-testid={`lock-release-${lock.id}`}
            onClick={() => void release()}
          >
            Release
          </button>
        )}
      </td>
    </tr>
  );
}
