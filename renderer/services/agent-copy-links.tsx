// Links to the app an agent runs from its worktree (its project's worktree copy), one per service, at
// `http://<service>.<label>.localhost:<proxy port>/`: on the agent's card and in the task drawer of the task it
// holds. Nothing while no copy is open for the agent, or while the proxy's address is unknown.
import { useStore } from 'zustand';
import { useApp } from '../shell/app-context.js';
import { useProxyHttpUrl } from './use-proxy-url.js';
import { copyOfAgent, copyServiceUrl } from './worktree-copies.js';

export function AgentCopyLinks({ agentId, className }: { agentId: string; className?: string }) {
  const { stores } = useApp();
  const copy = useStore(stores.projects, (s) => copyOfAgent(s.projects, agentId));
  const agentName = useStore(stores.agents, (s) => s.byId[agentId]?.name ?? agentId);
  const proxyUrl = useProxyHttpUrl();
  if (copy === null || proxyUrl === null || copy.services.length === 0) return null;
  return (
    <span className={className} data-testid={`agent-copy-links-${agentId}`}>
      {copy.services.map((service) => {
        const url = copyServiceUrl(proxyUrl, service, copy.worktree.label);
        return url ? (
          <a
            key={service}
            className="btn btn-small"
            href={url}
            target="_blank"
            rel="noopener noreferrer"
            aria-label={`open ${agentName}'s ${service} (${copy.worktree.branch})`}
            title={url}
          >
            {service} ↗
          </a>
        ) : null;
      })}
    </span>
  );
}
