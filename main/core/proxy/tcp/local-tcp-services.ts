// What the peer tunnel may serve of this machine's TCP services: a running instance of a `protocol: tcp`
// service of an open main checkout (a worktree's copy is local only and never served to teammates). Like the
// HTTP peer ingress, it never starts a service for a teammate and never forwards on to a third machine.
import type { ServiceRunner } from '../../services/service-runner.js';

/** the local instance a tunnel pipes to, or why there is none (an ErrorCode and a message for the caller) */
export type LocalTcpTarget = { port: number; label: string } | { code: string; message: string };

export interface LocalTcpLookup {
  find(project: string, service: string): LocalTcpTarget;
}

export interface LocalTcpServicesDeps {
  /** the open main checkouts (ProjectManager.shared) */
  projects: () => readonly { id: string; supervisor: { names(): string[]; get(name: string): ServiceRunner } }[];
  /** this machine's name in the mesh, for labels and messages */
  selfName: () => string;
}

export class LocalTcpServices implements LocalTcpLookup {
  constructor(private readonly deps: LocalTcpServicesDeps) {}

  find(project: string, service: string): LocalTcpTarget {
    const self = this.deps.selfName();
    const open = this.deps.projects().find((p) => p.id === project);
    if (open === undefined) return { code: 'PROJECT_NOT_FOUND', message: `project ${project} is not open on ${self}` };
    if (!open.supervisor.names().includes(service))
      return { code: 'SERVICE_NOT_FOUND', message: `${self} has no service ${service} in project ${project}` };
    const runner = open.supervisor.get(service);
    const def = runner.definition;
    if (def.protocol !== 'tcp')
      return {
        code: 'CONFLICT',
        message: `${service}.${project} on ${self} is an HTTP service: reach it through the proxy (http://${service}.${project}.localhost), not a TCP tunnel`,
      };
    const info = runner.info();
    const running = info.state === 'healthy' || info.state === 'unhealthy';
    if (!running || info.port === null)
      return {
        code: 'CONFLICT',
        message: `${service}.${project} is ${info.state} on ${self}: it serves teammates only while it runs there`,
      };
    return { port: info.port, label: `${self}/${service}@${def.version}` };
  }
}
