// A worktree copy's services, grouped under its main project in the Services view: the branch (and the agent
// working in it), then each service with its state, port, its `<service>.<label>.localhost` URL and the
// operator's actions. Listed when shown and on every reconnect, kept live by the copy's service.state events.
import { useCallback, useEffect, useState } from 'react';
import { useStore } from 'zustand';
import type { ServiceInfo } from '../../shared/service.js';
import { useApp } from '../shell/app-context.js';
import { messageOf } from '../state/list-sync.js';
import type { ServiceAction } from './service-actions.js';
import { ServiceActionButtons } from './service-action-buttons.js';
import { StateBadge } from './state-badge.js';
import { useProxyHttpUrl } from './use-proxy-url.js';
import { copyServiceUrl, type CopyProject } from './worktree-copies.js';

const METHOD = { start: 'services.start', stop: 'services.stop', restart: 'services.restart' } as const;

export function WorktreeCopyServices({ copy }: { copy: CopyProject }) {
  const { client, stores } = useApp();
  const connected = useStore(stores.connection, (s) => s.status.state === 'open');
  const agentName = useStore(stores.agents, (s) =>
    copy.worktree.agentId ? (s.byId[copy.worktree.agentId]?.name ?? copy.worktree.agentId) : null,
  );
  const proxyUrl = useProxyHttpUrl();
  const [services, setServices] = useState<ServiceInfo[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setServices(await client.call('services.list', { project: copy.id }));
      setError(null);
    } catch (err) {
      setError(`could not list the services of ${copy.id}: ${messageOf(err)}`);
    }
  }, [client, copy.id]);
  useEffect(() => {
    if (connected) void load();
  }, [connected, load]);
  useEffect(
    () =>
      client.onEvent((event) => {
        if (event.type !== 'service.state' || event.project !== copy.id) return;
        setServices((list) =>
          list?.some((s) => s.name === event.service)
            ? list.map((s) => (s.name === event.service ? event.info : s))
            : [...(list ?? []), event.info],
        );
      }),
    [client, copy.id],
  );
  const act = (name: string, action: ServiceAction) =>
    void client
      .call(METHOD[action], { project: copy.id, name })
      .catch((err: unknown) => stores.toasts.getState().push(err, `${action} ${name} on ${copy.worktree.branch}`));

  const title = `${copy.worktree.of} on ${copy.worktree.branch}`;
  return (
    <section className="worktree-copy" aria-label={title} data-testid={`worktree-copy-${copy.id}`}>
      <div className="git-status">
        <span className="mono git-status-branch">⎇ {copy.worktree.branch}</span>
        <span className="muted">
          · a copy of {copy.worktree.of} from its worktree{agentName ? `, where ${agentName} works` : ''}
        </span>
      </div>
      {error !== null && (
        <div className="git-status-error" role="alert">
          {error}
        </div>
      )}
      {services !== null && services.length === 0 && <div className="empty">This copy declares no services.</div>}
      {services !== null && services.length > 0 && (
        <table className="services" aria-label={`Services of ${title}`}>
          <thead>
            <tr>
              <th>Service</th>
              <th>State</th>
              <th>Port</th>
              <th>URL</th>
              <th>Last reason</th>
              <th className="col-actions">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {services.map((info) => {
              const url = copyServiceUrl(proxyUrl, info.name, copy.worktree.label);
              return (
                <tr key={info.name} data-testid={`copy-service-${copy.id}-${info.name}`}>
                  <td className="col-name">{info.name}</td>
                  <td>
                    <StateBadge name={`${copy.id}-${info.name}`} state={info.state} />
                  </td>
                  <td className="mono">{info.port ?? <span className="muted">—</span>}</td>
                  <td className="col-url">
                    {url ? (
                      <a className="service-url mono" href={url} target="_blank" rel="noopener noreferrer">
                        {url.replace(/^http:\/\/|\/$/g, '')}
                      </a>
                    ) : (
                      <span className="muted" title="the proxy's HTTP address is not known">
                        —
                      </span>
                    )}
                  </td>
                  <td className="col-reason" title={info.reason ?? undefined}>
                    <span className="reason-text">{info.reason ?? '—'}</span>
                  </td>
                  <td className="col-actions">
                    <ServiceActionButtons
                      name={info.name}
                      state={info.state}
                      disabled={!connected}
                      ariaLabel={(label) => `${label} ${info.name} on ${copy.worktree.branch}`}
                      onAction={(action) => act(info.name, action)}
                    />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
