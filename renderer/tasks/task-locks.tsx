// The INTENT locks the assignee holds for a task, named by what they cover when the Locks view's listing
// knows them (it is current once either coordination view has been shown), else by id.
import { useStore } from 'zustand';
import type { LockInfo } from '../../shared/lock.js';
import { describeLockTarget } from '../locks/locks-target.js';
import { useApp } from '../shell/app-context.js';

export function TaskLocks({ lockIds }: { lockIds: string[] }) {
  const { stores } = useApp();
  const spaces = useStore(stores.locks, (s) => s.spaces);
  if (lockIds.length === 0) return <div className="muted">No locks held for it.</div>;
  const byId = new Map<string, LockInfo>();
  for (const space of spaces) for (const lock of space.locks) byId.set(lock.id, lock);
  return (
    <ul className="task-locks" data-testid="task-locks">
      {lockIds.map((id) => {
        const lock = byId.get(id);
        return (
          <li key={id} className="mono">
            {lock ? `${lock.mode} ${describeLockTarget(lock.target)}` : id}
          </li>
        );
      })}
    </ul>
  );
}
