// The services of the selected project with their live state and the operator's actions, under the project's
// git status; below them its databases (with their snapshots and teammates' published ones), then, grouped by
// branch, the services of each of its worktree copies (an agent's branch running side by side). A copy picked
// itself says whose copy it is.
import { useCallback, useState } from 'react';
import { useStore } from 'zustand';
import { useApp } from '../shell/app-context.js';
import { DatabasesPanel } from './databases-panel.js';
import { ProjectGitStatus } from './project-git-status.js';
import { copiesOf } from './worktree-copies.js';
import { WorktreeCopyServices } from './worktree-copy-services.js';
import { ServiceRow } from './service-row.js';
import type { ServiceAction } from './service-actions.js';
import { ProcessChartPanel } from '../metrics/process-chart.js';

const METHOD = { start: 'services.start', stop: 'services.stop', restart: 'services.restart' } as const;

export function ServicesTable() {
  const { client, stores } = useApp();
  const projectId = useStore(stores.services, (s) => s.projectId);
  const names = useStore(stores.services, (s) => s.names);
  const byName = useStore(stores.services, (s) => s.byName);
  const selectedName = useStore(stores.services, (s) => s.selectedName);
  const loaded = useStore(stores.projects, (s) => s.loaded);
  const projects = useStore(stores.projects, (s) => s.projects);
  const shown = projects.find((p) => p.id === projectId);
  // Actions cannot reach a daemon we are not connected to; the buttons say so instead of failing.
  const connected = useStore(stores.connection, (s) => s.status.state === 'open');
  const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());

  const onSelect = useCallback((name: string) => stores.services.getState().selectService(name), [stores]);
  const onAction = useCallback(
    (name: string, action: ServiceAction) => {
      if (projectId === null) return;
      setBusy((b) => new Set(b).add(name));
      // The answer comes back as service.state events too; the call only matters for its error.
      client
        .call(METHOD[action], { project: projectId, name })
        .catch((err: unknown) => stores.toasts.getState().push(err, `${action} ${name}`))
        .finally(() =>
          setBusy((b) => {
            const next = new Set(b);
            next.delete(name);
            return next;
          }),
        );
    },
    [client, stores, projectId],
  );

  if (projectId === null) {
    return (
      <div className="empty">
        {loaded ? 'No project is open. Run `devmesh up --project <folder>` to open one.' : 'Loading…'}
      </div>
    );
  }
  return (
    <div className="table-wrap">
      <ProjectGitStatus key={projectId} projectId={projectId} />
      {shown?.worktree && (
        <div className="muted" data-testid="copy-of">
          A copy of {shown.worktree.of} running from its worktree on ⎇ {shown.worktree.branch}.
        </div>
      )}
      <table className="services">
        <thead>
          <tr>
            <th>Service</th>
            <th className="col-version">Version</th>
            <th>State</th>
            <th>Port</th>
            <th>URL</th>
            <th>Traffic</th>
            <th className="col-usage">CPU · Memory</th>
            <th className="col-pid">PID</th>
            <th className="num">Restarts</th>
            <th>Uptime</th>
            <th>Last reason</th>
            <th className="col-actions">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {names.map((name) => {
            const info = byName[name];
            if (!info) return null;
            return (
              <ServiceRow
                key={name}
                info={info}
                selected={name === selectedName}
                busy={!connected || busy.has(name)}
                onSelect={onSelect}
                onAction={onAction}
              />
            );
          })}
        </tbody>
      </table>
      {names.length === 0 && <div className="empty">This project declares no services.</div>}
      <ProcessChartPanel kind="service" project={projectId} />
      <DatabasesPanel projectId={projectId} />
      {copiesOf(projects, projectId).map((copy) => (
        <WorktreeCopyServices key={copy.id} copy={copy} />
      ))}
    </div>
  );
}
