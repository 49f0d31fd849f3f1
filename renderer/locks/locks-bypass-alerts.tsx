// Locked files written past their lock (files.lock-bypassed): a shell write or an editor outside the agent's
// edit hook changed a file another holder has locked; the watcher found it after the fact. Who wrote which
// file, held by whom and how; nothing was undone, so each alert stays until the human dismisses it.
import { useStore } from 'zustand';
import type { LockBypassedEvent } from '../../shared/files.js';
import { formatClock } from '../common/format-time.js';
import { useApp } from '../shell/app-context.js';
import { bypassKey } from './locks-store.js';
import { describeBypass } from './describe-bypass.js';

export function LocksBypassAlerts() {
  const { stores } = useApp();
  const bypasses = useStore(stores.locks, (s) => s.bypasses);
  if (bypasses.length === 0) return null;
  return (
    <div className="lock-conflicts" data-testid="lock-bypasses">
      {bypasses.map((b) => (
        <BypassAlert key={bypassKey(b)} event={b} onDismiss={() => stores.locks.getState().dismissBypass(b)} />
      ))}
    </div>
  );
}

function BypassAlert({ event, onDismiss }: { event: LockBypassedEvent; onDismiss: () => void }) {
  const writer = event.writer?.name ?? 'someone';
  return (
    <div className="banner banner-warn lock-conflict" role="alert" aria-label={`Lock bypassed: ${event.path}`}>
      <strong>A locked file was written past its lock.</strong>
      <span data-testid="lock-bypass-text">{describeBypass(event)}.</span>
      <span className="muted">
        at {formatClock(event.ts)}, in <span className="mono">{event.where}</span>
        {event.project ? ` (project ${event.project})` : ''}
      </span>
      <span className="lock-conflict-todo">
        Nothing was undone. Agree who keeps the change: message {writer} and the holder, then review the file before
        either goes on.
      </span>
      <button type="button" className="btn" onClick={onDismiss} aria-label={`Dismiss lock bypass of ${event.path}`}>
        Dismiss
      </button>
    </div>
  );
}
