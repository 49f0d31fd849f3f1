// What the core's domains read of the open projects, each in its own terms: the mesh the services it
// announces, a terminal its project's root and service addresses, the coordination a project's root.
// Functions over the ProjectManager, so the domains depend on a narrow view, not on the projects domain.
import type { MeshService } from '../../shared/mesh.js';
import type { ProjectManager } from './projects/project-manager.js';
import type { ListeningPorts } from './proxy/listening-ports.js';
import { dependencyAddress, proxyBaseUrl, tcpDependencyAddress } from './services/dependency-address.js';
import type { TerminalProjectContext } from './terminals/terminal-manager.js';

/**
 * A terminal opened in a project: its root, and each service's address the way a service's dependencies
 * get theirs (`dependencyAddress`), without a caller.
 */
export function terminalContextOf(
  projects: ProjectManager,
  ref: string,
  proxyPort: number | null,
  /** a TCP service's stable address (ListeningPorts.tcpAddress), null while TCP forwarding is off */
  tcpAddress: ListeningPorts['tcpAddress'] = null,
): TerminalProjectContext {
  const project = projects.resolve(ref);
  const proxyBase = proxyBaseUrl(proxyPort);
  const env: Record<string, string> = {};
  for (const svc of project.supervisor.list()) {
    const def = project.supervisor.get(svc.name).definition;
    const stable = def.protocol === 'tcp' && tcpAddress !== null ? tcpAddress(project.id, def) : null;
    if (stable !== null) {
      Object.assign(env, tcpDependencyAddress(svc.name, stable));
      continue;
    }
    if (def.protocol === 'tcp' && svc.port != null) {
      // no stable address (forwarding off, or its port another program's): the instance itself
      const url = `tcp://127.0.0.1:${svc.port}`;
      Object.assign(env, tcpDependencyAddress(svc.name, { host: '127.0.0.1', port: svc.port, url }));
      continue;
    }
    Object.assign(env, dependencyAddress({ service: svc.name, project: project.id, port: svc.port, proxyBase }));
  }
  return { id: project.id, root: project.root, env };
}

/** The root of an open project, or null when `ref` names none (a lock on a project closed meanwhile). */
export function projectRootOf(projects: ProjectManager, ref: string): string | null {
  try {
    return projects.resolve(ref).root;
  } catch {
    return null; // resolve throws PROJECT_NOT_FOUND: "no such project" is the answer here
  }
}

/**
 * Every service of every open project, as the mesh announces them to teammates: never a worktree's copy's, nor
 * a database whose engine is not installed here (it has no version and can serve no one).
 */
export function meshServicesOf(projects: ProjectManager): MeshService[] {
  return projects
    .shared()
    .flatMap((p) =>
      p.supervisor
        .list()
        .flatMap(({ name, version, state, dependsOn }) =>
          version === null ? [] : [{ project: p.id, name, version, state, dependsOn }],
        ),
    );
}
