// The proxy's one routing decision: which service a Host header (or, on plain localhost, a first path
// segment) names, and whether it can be served now. Names: `<service>.localhost` when the service name
// is unique across open projects, and always `<service>.<project>.localhost`; a worktree's copy of a project
// (local only, never served to teammates) answers at `<service>.<label>.localhost` and never takes the
// bare name from the main checkout. The name map is rebuilt
// when projects open, close or reload; a service's state is read live, so a lookup is one Map get.
import type { RouteInfo } from '../../../shared/proxy.js';
import { DevMeshError } from '../../../shared/errors.js';
import { didYouMean } from '../base/did-you-mean.js';
import type { EventBus } from '../events/event-bus.js';
import type { Disposable } from '../base/disposable.js';
import type { ProjectManager } from '../projects/project-manager.js';
import type { ServiceRunner } from '../services/service-runner.js';
import { NO_FACTS, type RequestFacts, type RouteDecision } from './route-decision.js';
import { RouteChooser, type Caller } from './route-chooser.js';

export interface ProxyUrls {
  /** port of the HTTP listener, null when it is not up */
  httpPort: number | null;
  httpsPort: number | null;
}

interface Entry {
  project: string;
  service: string;
  runner: ServiceRunner;
  /** a worktree copy's DNS label; null for a main checkout */
  label: string | null;
}

const SUFFIX = '.localhost';
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);
/** how long a remembered decision may be reused without any event having been seen (a bound on staleness) */
const HOT_MS = 1_000;
const MAX_HOT = 256;

export class RouteTable implements Disposable {
  /** `api` → the services named api in every open project; `api.shop` → exactly one */
  private names = new Map<string, Entry[]>();
  private stale = true;
  private readonly subscription: Disposable;
  /**
   * Decisions remembered by the raw Host header, with teammates (the proxy) and without (the ingress), for
   * the common case only: one local instance serves the name, no caller, nothing to fail over to. Routing
   * every request again costs more allocation than the rest of its head; any event (a state or port
   * change, a project or peer coming or going) or a reported failure forgets them all.
   */
  private readonly hot = [new Map<string, RouteDecision>(), new Map<string, RouteDecision>()] as const;
  private hotSince = 0;

  constructor(
    private readonly projects: ProjectManager,
    events: EventBus,
    private readonly urls: () => ProxyUrls,
    private readonly chooser: RouteChooser = new RouteChooser(null),
  ) {
    this.subscription = events.onDidEmitEvent((e) => {
      if (e.type === 'project.opened' || e.type === 'project.closed' || e.type === 'project.reloaded')
        this.stale = true;
      this.forgetHot();
    });
  }

  resolve(hostHeader: string | undefined, path: string, facts: RequestFacts = NO_FACTS): RouteDecision {
    return this.route(hostHeader, path, facts.from, true);
  }

  /** The peer ingress: this machine's instances only, never a teammate's, never started on request. */
  resolveLocal(hostHeader: string | undefined, path: string): RouteDecision {
    return this.route(hostHeader, path, null, false);
  }

  /** A forward to this instance failed before it answered (RouteChooser passes it over briefly). */
  reportFailure(key: string): void {
    this.chooser.reportFailure(key);
    this.forgetHot();
  }

  private route(hostHeader: string | undefined, path: string, from: string | null, peers: boolean): RouteDecision {
    const hot = from === null && hostHeader !== undefined ? this.hot[peers ? 1 : 0] : null;
    if (hot !== null) {
      const d = hot.get(hostHeader!);
      if (d !== undefined && Date.now() - this.hotSince < HOT_MS) return d;
    }
    const host = RouteTable.hostname(hostHeader);
    if (host === '' || LOOPBACK_NAMES.has(host)) return this.resolvePath(path, from, peers);
    if (!host.endsWith(SUFFIX)) return { kind: 'foreign', host };
    const d = this.decide(host.slice(0, -SUFFIX.length), null, from, peers);
    // Only a decision made by the Host header alone: path routing (localhost/<service>/) is never remembered.
    const byHost = d.kind === 'forward' && d.stripPrefix === null && d.caller === null;
    if (hot !== null && byHost && d.alternates.length === 0 && d.rewrite === null && d.target.tls === undefined) {
      const now = Date.now();
      if (now - this.hotSince >= HOT_MS || hot.size >= MAX_HOT) {
        this.forgetHot();
        this.hotSince = now;
      }
      hot.set(hostHeader!, d);
    }
    return d;
  }

  private forgetHot(): void {
    this.hot[0].clear();
    this.hot[1].clear();
  }

  /**
   * Every route of the open projects (or one project), with the names and URLs that reach it and where a
   * request goes now (this machine, or a teammate); then the teammates' services no open project declares.
   */
  list(projectRef?: string): RouteInfo[] {
    const only = projectRef ? this.projects.resolve(projectRef).id : null;
    const routes: RouteInfo[] = [];
    const declared = new Set<string>();
    for (const project of this.projects.all()) {
      if (only && project.id !== only) continue;
      for (const info of project.supervisor.list()) {
        declared.add(`${info.name}.${project.id}`);
        const runner = project.supervisor.get(info.name);
        const now = this.chooser.choose(
          { project: project.id, service: info.name, local: runner, caller: null, stripPrefix: null, peers: true },
          true,
        );
        const served = now.kind === 'forward' ? now : null;
        routes.push({
          ...this.addressOf(info.name, project.id, project.worktree?.label ?? null),
          project: project.id,
          service: info.name,
          state: info.state,
          target: served?.upstream ?? null,
          servedBy: served?.label ?? null,
          local: true,
          startOnRequest: runner.definition.startOnRequest,
        });
      }
    }
    for (const s of this.chooser.peerServices()) {
      const id = `${s.name}.${s.project}`;
      if (declared.has(id) || (only && s.project !== only)) continue;
      declared.add(id);
      const now = this.chooser.choose(
        { project: s.project, service: s.name, local: null, caller: null, stripPrefix: null, peers: true },
        true,
      );
      const served = now.kind === 'forward' ? now : null;
      routes.push({
        ...this.addressOf(s.name, s.project),
        project: s.project,
        service: s.name,
        state: s.state,
        target: served?.upstream ?? null,
        servedBy: served?.label ?? null,
        local: false,
        startOnRequest: false,
      });
    }
    return routes;
  }

  private addressOf(
    service: string,
    project: string,
    label: string | null = null,
  ): { hosts: string[]; urls: string[] } {
    const { httpPort, httpsPort } = this.urls();
    const hosts = [`${service}.${label ?? project}${SUFFIX}`];
    if (label === null && (this.table().get(service)?.length ?? 0) <= 1) hosts.unshift(`${service}${SUFFIX}`);
    const urls = [
      ...(httpPort !== null ? [`http://${hosts[0]}:${httpPort}/`] : []),
      ...(httpsPort !== null ? [`https://${hosts[0]}:${httpsPort}/`] : []),
    ];
    return { hosts, urls };
  }

  /** The routes an unknown name's answer lists: to a teammate (the ingress), none of a worktree's copy. */
  private known(peers: boolean): RouteInfo[] {
    if (peers) return this.list();
    const copies = new Set(this.projects.all().flatMap((p) => (p.worktree ? [p.id] : [])));
    return this.list().filter((r) => !copies.has(r.project));
  }

  /** start_on_request: starts the service (with its dependencies) and waits until it is healthy. */
  async ensureRunning(project: string, service: string, timeoutMs: number): Promise<void> {
    const supervisor = this.projects.resolve(project).supervisor;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new DevMeshError(
              'TIMEOUT',
              `${service} did not become healthy within ${Math.round(timeoutMs / 1000)} s of a request starting it (start_on_request); see \`devmesh logs ${service}\``,
            ),
          ),
        timeoutMs,
      );
    });
    try {
      await Promise.race([supervisor.start(service, { wait: true }), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  dispose(): void {
    this.subscription.dispose();
  }

  private resolvePath(path: string, from: string | null, peers: boolean): RouteDecision {
    const segment = /^\/([^/?#]+)/.exec(path)?.[1];
    if (!segment) {
      return {
        kind: 'unknown',
        name: '',
        message: 'name a service: http://<service>.localhost/ or http://localhost/<service>/',
        known: this.known(peers),
      };
    }
    let text: string;
    try {
      text = decodeURIComponent(segment).toLowerCase();
    } catch {
      text = segment.toLowerCase();
    }
    // `auth.shop;from=web.shop`: the name, then path parameters; only `from` means something here.
    const [name, ...params] = text.split(';');
    const param = params.find((p) => p.startsWith('from='));
    return this.decide(name!, `/${segment}`, from ?? (param ? param.slice(5) : null), peers);
  }

  private decide(name: string, stripPrefix: string | null, from: string | null, peers: boolean): RouteDecision {
    // The peer ingress serves teammates: a worktree's copy is this machine's own, never theirs to reach.
    let entries = (this.table().get(name) ?? []).filter((e) => peers || e.label === null);
    const caller = from !== null ? this.caller(from, name) : null;
    if (entries.length > 1 && caller !== null) entries = entries.filter((e) => e.project === caller.project);
    if (entries.length > 1) {
      const names = entries.map((e) => `${e.service}.${e.project}${SUFFIX}`).join(' or ');
      return {
        kind: 'unknown',
        name,
        message: `'${name}' is a service of several projects: use ${names}`,
        known: this.known(peers),
      };
    }
    const local = entries[0] ?? null;
    let project = local?.project ?? null;
    let service = local?.service ?? name;
    if (local === null && peers) {
      // Not declared here: perhaps a teammate's service (`api`, or `api.shop`).
      const matches = this.chooser.peerServices().filter((s) => s.name === name || `${s.name}.${s.project}` === name);
      const projects = [...new Set(matches.map((s) => s.project))];
      const inCaller = caller !== null ? projects.filter((p) => p === caller.project) : [];
      const chosen = inCaller.length === 1 ? inCaller : projects;
      if (chosen.length > 1) {
        return {
          kind: 'unknown',
          name,
          message: `'${name}' is a service of several teammates' projects: use ${chosen.map((p) => `${matches[0]!.name}.${p}${SUFFIX}`).join(' or ')}`,
          known: this.known(peers),
        };
      }
      if (chosen.length === 1) {
        project = chosen[0]!;
        service = matches[0]!.name;
      }
    }
    if (project === null) {
      const remote = peers ? this.chooser.peerServices().map((s) => s.name) : [];
      const suggestion = didYouMean(name, [...this.table().keys(), ...remote]);
      return {
        kind: 'unknown',
        name,
        message: `no service named '${name}' in the open projects${remote.length > 0 ? " or on a connected teammate's machine" : ''}${suggestion ? `; did you mean '${suggestion}'?` : ''}`,
        known: this.known(peers),
      };
    }
    return this.chooser.choose({
      project,
      service,
      local: local?.runner ?? null,
      caller: caller?.project === project ? caller : null,
      stripPrefix,
      peers,
    });
  }

  /** The caller `web.shop` (or `web`, in the project of the service it calls) with its declared range. */
  private caller(from: string, target: string): Caller | null {
    const dot = from.indexOf('.');
    const service = dot < 0 ? from : from.slice(0, dot);
    let project: string | null = dot < 0 ? null : from.slice(dot + 1);
    if (project === null) {
      const candidates = this.table().get(service) ?? [];
      const targetProject = target.includes('.') ? target.slice(target.indexOf('.') + 1) : null;
      const match =
        candidates.find((e) => e.project === targetProject) ?? (candidates.length === 1 ? candidates[0] : undefined);
      if (match === undefined) return null;
      project = match.project;
    }
    const entry = this.table().get(`${service}.${project}`)?.[0];
    if (entry === undefined) return { project, service, version: null, range: null, onMismatch: 'warn' };
    const targetService = target.includes('.') ? target.slice(0, target.indexOf('.')) : target;
    const dep = entry.runner.definition.dependsOn.find((d) => d.name === targetService);
    return {
      project,
      service,
      version: entry.runner.definition.version,
      range: dep?.range ?? null,
      onMismatch: dep?.onVersionMismatch ?? 'warn',
    };
  }

  private table(): Map<string, Entry[]> {
    if (!this.stale) return this.names;
    const names = new Map<string, Entry[]>();
    for (const project of this.projects.all()) {
      for (const service of project.supervisor.names()) {
        const label = project.worktree?.label ?? null;
        const entry = { project: project.id, service, runner: project.supervisor.get(service), label };
        names.set(`${service}.${project.id}`, [entry]);
        if (label !== null) names.set(`${service}.${label}`, [entry]);
        else names.set(service, [...(names.get(service) ?? []), entry]);
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
