// A project's worktree copies (ProjectInfo.worktree, shared/service.ts): the copies of a main project, the
// copy an agent works in, and a copy's service URL, `http://<service>.<label>.localhost:<proxy port>/`,
// the name the proxy gives a copy's services beside the main checkout's `<service>.localhost`.
import type { ProjectInfo, WorktreeCopy } from '../../shared/service.js';

export type CopyProject = ProjectInfo & { worktree: WorktreeCopy };

export const isCopy = (p: ProjectInfo): p is CopyProject => p.worktree !== undefined;

/** the open copies of project `of`, by branch */
export function copiesOf(projects: readonly ProjectInfo[], of: string): CopyProject[] {
  return projects
    .filter(isCopy)
    .filter((p) => p.worktree.of === of)
    .sort((a, b) => a.worktree.branch.localeCompare(b.worktree.branch));
}

/** the open copy made for agent `agentId`, if any */
export function copyOfAgent(projects: readonly ProjectInfo[], agentId: string): CopyProject | null {
  return projects.filter(isCopy).find((p) => p.worktree.agentId === agentId) ?? null;
}

/**
 * The URL of a copy's service through the proxy: the proxy's own HTTP URL (proxy.info `httpUrl`,
 * `http://localhost:7777`) with the copy's host name. Null while the proxy's HTTP listener is off.
 */
export function copyServiceUrl(proxyHttpUrl: string | null, service: string, label: string): string | null {
  if (proxyHttpUrl === null) return null;
  let port: string;
  try {
    port = new URL(proxyHttpUrl).port;
  } catch {
    return null; // not a URL: no link rather than a wrong one
  }
  return `http://${service}.${label}.localhost${port ? `:${port}` : ''}/`;
}
