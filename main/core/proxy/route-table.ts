// The proxy's one routing decision: which service a Host header (or, on plain localhost, a first path
// segment) names, and whether it can be served now. Names: `<service>.localhost` when the service name
// is unique across open projects, and always `<service>.<project>.localhost`. The name map is rebuilt
// when projects open, close or reload; a service's state is read live, so a lookup is one Map get.
import type { RouteInfo } from '../../../shared/proxy.js';
import { DevMeshError } from '../../../shared/errors.js';
import { didYouMean } from '../config/did-you-mean.js';
import type { EventBus } from '../events/event-bus.js';
import type { Disposable } from '../lifecycle/disposable.js';
import type { ProjectManager } from '../projects/project-manager.js';
import type { ServiceRunner } from '../services/service-runner.js';
import type { RouteDecision } from './route-decision.js';

export interface ProxyUrls {
  /** port of the HTTP listener, null when it is not up */
  httpPort: number | null;
  httpsPort: number | null;
}

interface Entry {
  project: string;
  service: string;
  runner: ServiceRunner;
}

const SUFFIX = '.localhost';
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export class RouteTable implements Disposable {
  /** `api` → the services named api in every open project; `api.shop` → exactly one */
  private names = new Map<string, Entry[]>();
  private stale = true;
  private readonly subscription: Disposable;

  constructor(
    private readonly projects: ProjectManager,
    events: EventBus,
    private readonly urls: () => ProxyUrls,
  ) {
    this.subscription = events.onDidEmitEvent((e) => {
      if (e.type === 'project.opened' || e.type === 'project.closed' || e.type === 'project.reloaded') this.stale = true;
    });
  }

  resolve(hostHeader: string | undefined, path: string): RouteDecision {
    const host = RouteTable.hostname(hostHeader);
    if (host === '' || LOOPBACK_NAMES.has(host)) return this.resolvePath(path);
    if (!host.endsWith(SUFFIX)) return { kind: 'foreign', host };
    return this.decide(host.slice(0, -SUFFIX.length), null);
  }

  /** Every route of the open projects (or one project), with the names and URLs that reach it. */
  list(projectRef?: string): RouteInfo[] {
    const only = projectRef ? this.projects.resolve(projectRef).id : null;
    const { httpPort, httpsPort } = this.urls();
    const routes: RouteInfo[] = [];
    for (const project of this.projects.all()) {
      if (only && project.id !== only) continue;
      for (const info of project.supervisor.list()) {
        const hosts = [`${info.name}.${project.id}${SUFFIX}`];
        if ((this.table().get(info.name)?.length ?? 0) === 1) hosts.unshift(`${info.name}${SUFFIX}`);
        const urls = [
          ...(httpPort !== null ? [`http://${hosts[0]}:${httpPort}/`] : []),
          ...(httpsPort !== null ? [`https://${hosts[0]}:${httpsPort}/`] : []),
        ];
        const servable = (info.state === 'healthy' || info.state === 'unhealthy') && info.port !== null;
        routes.push({
          hosts,
          project: project.id,
          service: info.name,
          state: info.state,
          target: servable ? `127.0.0.1:${info.port}` : null,
          urls,
          startOnRequest: project.supervisor.get(info.name).definition.startOnRequest,
        });
      }
    }
    return routes;
  }

  /** start_on_request: starts the service (with its dependencies), waits until healthy, then decides again. */
  async ensureRunning(project: string, service: string, timeoutMs: number): Promise<RouteDecision> {
    const supervisor = this.projects.resolve(project).supervisor;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new DevMeshError('TIMEOUT', `${service} did not become healthy within ${Math.round(timeoutMs / 1000)} s of a request starting it (start_on_request); see \`devmesh logs ${service}\``)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([supervisor.start(service, { wait: true }), timeout]);
    } finally {
      clearTimeout(timer);
    }
    return this.decide(`${service}.${project}`, null);
  }

  dispose(): void {
    this.subscription.dispose();
  }

  private resolvePath(path: string): RouteDecision {
    const segment = /^\/([^/?#]+)/.exec(path)?.[1];
    if (!segment) {
      return {
        kind: 'unknown',
        name: '',
        message: 'name a service: http://<service>.localhost/ or http://localhost/<service>/',
        known: this.list(),
      };
    }
    let name: string;
    try {
      name = decodeURIComponent(segment).toLowerCase();
    } catch {
      name = segment.toLowerCase();
    }
    return this.decide(name, `/${segment}`);
  }

  private decide(name: string, stripPrefix: string | null): RouteDecision {
    const entries = this.table().get(name);
    if (!entries || entries.length === 0) {
      const suggestion = didYouMean(name, [...this.table().keys()]);
      return {
        kind: 'unknown',
        name,
        message: `no service named '${name}' in the open projects${suggestion ? `; did you mean '${suggestion}'?` : ''}`,
        known: this.list(),
      };
    }
    if (entries.length > 1) {
      const names = entries.map((e) => `${e.service}.${e.project}${SUFFIX}`).join(' or ');
      return { kind: 'unknown', name, message: `'${name}' is a service of several projects: use ${names}`, known: this.list() };
    }
    const { project, service, runner } = entries[0]!;
    const info = runner.info();
    if ((info.state === 'healthy' || info.state === 'unhealthy') && info.port !== null) {
      return { kind: 'forward', project, service, target: { host: '127.0.0.1', port: info.port }, upstream: `127.0.0.1:${info.port}`, stripPrefix };
    }
    return { kind: 'unavailable', project, service, state: info.state, reason: info.reason, startOnRequest: runner.definition.startOnRequest, stripPrefix };
  }

  private table(): Map<string, Entry[]> {
    if (!this.stale) return this.names;
    const names = new Map<string, Entry[]>();
    for (const project of this.projects.all()) {
      for (const service of project.supervisor.names()) {
        const entry = { project: project.id, service, runner: project.supervisor.get(service) };
        names.set(`${service}.${project.id}`, [entry]);
        names.set(service, [...(names.get(service) ?? []), entry]);
      }
    }
    this.names = names;
    this.stale = false;
    return names;
  }

  /** `API.Localhost:7777` → `api.localhost`; `[::1]:7777` → `[::1]` */
  private static hostname(header: string | undefined): string {
    if (!header) return '';
    const h = header.trim().toLowerCase();
    if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
    const colon = h.lastIndexOf(':');
    const name = colon === -1 ? h : h.slice(0, colon);
    return name.endsWith('.') ? name.slice(0, -1) : name;
  }
}
