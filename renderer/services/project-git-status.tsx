// The open project's git status above its services (projects.git): branch, ahead/behind its upstream, changed
// and untracked files. Read when the project is shown, on every reconnect, after a review.changed event (a
// merge moves the base branch), after a files.changed event in the project's checkout (at most one read in
// flight, one more after it) and on Refresh; a folder outside git says so, a failure shows the daemon's message.
// Below it, the files that changed lately (RecentChanges).
import { useCallback, useEffect, useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { GitStatus } from '../../shared/review.js';
import { DevMeshError } from '../../shared/errors.js';
import { useApp } from '../shell/app-context.js';
import { messageOf } from '../state/list-sync.js';
import { RecentChanges } from './recent-changes.js';

type Read = { state: 'reading' } | { state: 'read'; status: GitStatus } | { state: 'failed'; message: string };

export function ProjectGitStatus({ projectId }: { projectId: string }) {
  const { client, stores } = useApp();
  const connected = useStore(stores.connection, (s) => s.status.state === 'open');
  const [read, setRead] = useState<Read>({ state: 'reading' });
  const generation = useRef(0);
  /** a read is in flight / another was asked for meanwhile (a burst of file events is two reads, not one each) */
  const reading = useRef(false);
  const again = useRef(false);

  const load = useCallback(async () => {
    if (reading.current) {
      again.current = true;
      return;
    }
    reading.current = true;
    try {
      do {
        again.current = false;
        const mine = ++generation.current;
        try {
          const status = await client.call('projects.git', { project: projectId });
          if (mine === generation.current) setRead({ state: 'read', status });
        } catch (err) {
          // an answer for a view that is gone, or a daemon that is not running (the banner's news), is dropped
          const dropped =
            mine !== generation.current || (err instanceof DevMeshError && err.code === 'DAEMON_NOT_RUNNING');
          if (!dropped) setRead({ state: 'failed', message: messageOf(err) });
        }
      } while (again.current);
    } finally {
      reading.current = false;
    }
  }, [client, projectId]);

  useEffect(() => {
    if (connected) void load();
  }, [connected, load]);
  useEffect(
    () =>
      client.onEvent((event) => {
        if (event.type === 'review.changed') void load();
        // the checkout's own changes (an agent's worktree has its own status, in the Review view)
        else if (event.type === 'files.changed' && event.project === projectId && event.agentId === null) void load();
      }),
    [client, load, projectId],
  );
  useEffect(
    () => () => {
      generation.current++; // an answer after unmount is dropped
    },
    [],
  );

  return (
    <>
      <div className="git-status" role="group" aria-label="Git status" data-testid="git-status">
        {read.state === 'reading' ? (
          <span className="muted">git: reading…</span>
        ) : read.state === 'failed' ? (
          <span className="git-status-error" role="alert">
            git status: {read.message}
          </span>
        ) : (
          <GitFacts status={read.status} />
        )}
        <button
          type="button"
          className="btn btn-small"
          aria-label="Refresh git status"
          disabled={!connected}
          onClick={() => void load()}
        >
          ↻
        </button>
      </div>
      <RecentChanges projectId={projectId} />
    </>
  );
}

function GitFacts({ status }: { status: GitStatus }) {
  if (status.branch === null && !status.detached) return <span className="muted">not a git repository</span>;
  const parts: string[] = [];
  if (status.upstream) parts.push(`${status.ahead} ahead, ${status.behind} behind ${status.upstream}`);
  parts.push(status.changed + status.untracked === 0 ? 'clean' : `${status.changed} changed`);
  if (status.untracked > 0) parts.push(`${status.untracked} untracked`);
  return (
    <span data-testid="git-status-facts">
      <span className="mono git-status-branch">⎇ {status.detached ? 'detached HEAD' : status.branch}</span>
      <span className="muted"> · {parts.join(' · ')}</span>
    </span>
  );
}
