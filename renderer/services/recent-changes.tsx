// The files that changed lately in a project, live from files.changed events (the daemon's watcher, debounced):
// its checkout's and its agents' worktrees', newest first, each path once, with where and when. Only what
// happened while the page was open: the watcher keeps no history for a page to read back.
import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import type { FilesChangedEvent } from '../../shared/files.js';
import { formatClock } from '../common/format-time.js';
import { useApp } from '../shell/app-context.js';

/** paths kept in the list */
const KEPT = 30;

interface Change {
  path: string;
  ts: number;
  /** the agent whose worktree it changed in; null: the project's checkout */
  agentId: string | null;
}

function merge(list: Change[], event: FilesChangedEvent): { list: Change[]; unlisted: number } {
  const fresh = event.paths.map((path) => ({ path, ts: event.ts, agentId: event.agentId }));
  const seen = new Set(fresh.map((c) => `${c.agentId}|${c.path}`));
  const kept = [...fresh, ...list.filter((c) => !seen.has(`${c.agentId}|${c.path}`))];
  return { list: kept.slice(0, KEPT), unlisted: event.count - event.paths.length };
}

export function RecentChanges({ projectId }: { projectId: string }) {
  const { client, stores } = useApp();
  const names = useStore(stores.agents, (s) => s.byId);
  const [changes, setChanges] = useState<{ list: Change[]; unlisted: number }>({ list: [], unlisted: 0 });
  useEffect(
    () =>
      client.onEvent((event) => {
        if (event.type !== 'files.changed' || event.project !== projectId) return;
        setChanges((c) => {
          const next = merge(c.list, event);
          return { list: next.list, unlisted: c.unlisted + next.unlisted };
        });
      }),
    [client, projectId],
  );
  if (changes.list.length === 0) return null;
  return (
    <details className="recent-changes" data-testid="recent-changes">
      <summary>
        {changes.list.length === 1 ? '1 file' : `${changes.list.length} files`} changed lately
        {changes.unlisted > 0 ? ` (and ${changes.unlisted} more not listed)` : ''}
      </summary>
      <ul aria-label="Recently changed files">
        {changes.list.map((c) => (
          <li key={`${c.agentId}|${c.path}`}>
            <code>{c.path}</code>{' '}
            <span className="muted">
              {c.agentId === null ? 'checkout' : `${names[c.agentId]?.name ?? c.agentId}'s worktree`} ·{' '}
              {formatClock(c.ts)}
            </span>
          </li>
        ))}
      </ul>
    </details>
  );
}
