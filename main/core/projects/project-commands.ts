// The project and service calls a face makes (open, close, start, stop…), answered in the API's terms: by
// project reference and service name, each resolving once the audit entries it caused (a service starting,
// healthy, stopped) are on disk, as an audited decision does. The API calls these instead of reaching
// through a project to its supervisor.
import { DevMeshError } from '../../../shared/errors.js';
import type { ProjectInfo, ServiceInfo } from '../../../shared/service.js';
import type { ProjectManager } from './project-manager.js';
import type { WorktreeCopies } from './worktree-copies.js';

export interface ProjectCommandsDeps {
  projects: Pick<ProjectManager, 'resolve' | 'open' | 'close' | 'list'>;
  /** resolves once every audit entry recorded so far is on disk (AuditTrail.settled) */
  settled: () => Promise<void>;
  /** the copies of projects in worktrees (absent: projects.openWorktree is refused) */
  copies?: Pick<WorktreeCopies, 'open' | 'refuseProjectInWorktree'>;
}

export class ProjectCommands {
  constructor(private readonly deps: ProjectCommandsDeps) {}

  list(): ProjectInfo[] {
    return this.deps.projects.list();
  }

  /** a folder in a git worktree of an open project is refused, pointing at its copy (openWorktree) */
  async open(root: string): Promise<ProjectInfo> {
    await this.deps.copies?.refuseProjectInWorktree(root);
    return this.settle(this.deps.projects.open(root));
  }

  /** the copy of a project in the worktree of an agent, a branch or a path (worktree-copies.ts) */
  openWorktree(project: string | undefined, worktree: string): Promise<ProjectInfo> {
    const copies = this.deps.copies;
    if (copies === undefined) throw new DevMeshError('INTERNAL', 'worktree copies are not wired into this DevMesh');
    return this.settle(copies.open({ ...(project !== undefined ? { project } : {}), worktree }));
  }

  /** the project's id */
  close(ref: string): Promise<string> {
    return this.settle(this.deps.projects.close(ref));
  }

  /** the project's id; throws PROJECT_NOT_FOUND, and SERVICE_NOT_FOUND with the known names for `service` */
  idOf(ref: string | undefined, service?: string): string {
    const project = this.deps.projects.resolve(ref);
    if (service !== undefined) project.supervisor.get(service);
    return project.id;
  }

  services(ref: string | undefined): ServiceInfo[] {
    return this.supervisor(ref).list();
  }

  start(ref: string | undefined, name: string, options: { wait?: boolean } = {}): Promise<ServiceInfo> {
    return this.settle(this.supervisor(ref).start(name, options));
  }

  stop(ref: string | undefined, name: string): Promise<ServiceInfo> {
    return this.settle(this.supervisor(ref).stop(name));
  }

  restart(ref: string | undefined, name: string, options: { wait?: boolean } = {}): Promise<ServiceInfo> {
    return this.settle(this.supervisor(ref).restart(name, options));
  }

  startAll(ref: string | undefined, options: { wait?: boolean } = {}): Promise<ServiceInfo[]> {
    return this.settle(this.supervisor(ref).startAll(options));
  }

  stopAll(ref: string | undefined): Promise<ServiceInfo[]> {
    return this.settle(this.supervisor(ref).stopAll());
  }

  private supervisor(ref: string | undefined) {
    return this.deps.projects.resolve(ref).supervisor;
  }

  /** a failed call too: what it recorded (a service that crashed while starting) is on disk before the answer */
  private async settle<T>(pending: T | Promise<T>): Promise<T> {
    let value: T;
    try {
      value = await pending;
    } catch (err) {
      await this.deps.settled();
      throw err;
    }
    await this.deps.settled();
    return value;
  }
}
