// The stable addresses of every open project's TCP services (`protocol: tcp`): one TcpForwarder each, opened
// when its project opens (or a service of it first starts, so a dependent started right after finds it) and
// closed when the project closes, moved when a reload changes `tcp_port:`. Per connection it plans where to
// go: the RouteChooser's instances (healthy local first, else teammates', prefer/allow_peers respected),
// checked against the ranges the project's dependents declare. `proxy.tcp` lists them with their counters.
//
// A local database needs no hop: before its engine starts, `lend` hands it the stable port (the forwarder stops
// listening) and the engine listens there itself; when the engine's process ends, the forwarder takes the port
// back and forwards to teammates again. A forwarding Node process costs a database client a third to half of
// its throughput on a loaded machine (bench:data); the engine on the address costs nothing. Lent only when the
// local instance is what the forwarder would choose anyway: loopback, `prefer: local`, and a version inside
// every range the project's dependents declare (else each connection still needs its check or alert).
import type { Logger } from 'pino';
import type { TcpRoute } from '../../../../shared/proxy.js';
import type { AsyncDisposable, Disposable } from '../../base/disposable.js';
import type { ServiceConfig } from '../../config/project-config.js';
import type { EventBus } from '../../events/event-bus.js';
import type { ProjectManager } from '../../projects/project-manager.js';
import type { ServiceRunner } from '../../services/service-runner.js';
import type { MismatchReport, RouteChooser } from '../route-chooser.js';
import type { RouteDecision } from '../route-decision.js';
import { InstanceSelector } from '../instance-selector.js';
import { DirectTraffic } from './direct-traffic.js';
import type { TcpAddressBook } from './tcp-address-book.js';
import { TcpCounters } from './tcp-counters.js';
import type { TcpDialer } from './tcp-dialer.js';
import { TcpForwarder, type TcpPlan } from './tcp-forwarder.js';
import { checkVersions, dependentRanges } from './tcp-version-check.js';

export interface TcpRoutesDeps {
  projects: ProjectManager;
  events: EventBus;
  chooser: RouteChooser;
  book: TcpAddressBook;
  dialer: Pick<TcpDialer, 'dial'>;
  /** where the stable addresses listen: the proxy's host (settings.proxy.host) */
  host: string;
  /** the same alert path as an HTTP request's mismatch */
  onMismatch: (report: MismatchReport) => void;
  /** start_on_request: starts the service and waits until it is healthy */
  ensureRunning?: (project: string, service: string, timeoutMs: number) => Promise<void>;
  logger: Logger;
  connectTimeoutMs?: number;
}

interface Route {
  project: string;
  service: string;
  port: number;
  fixed: boolean;
  forwarder: TcpForwarder | null;
  problem: string | null;
  /** the local engine listens on the port itself (lend), until its process ends */
  lent: boolean;
}

/** a service whose process has ended (or never began): a lent port goes back to the forwarder */
const ENDED = new Set(['stopped', 'crashed', 'backing-off']);
/** a port the engine just left may be held a moment longer (its last children exiting) */
const TAKE_BACK_TRIES = 20;
const TAKE_BACK_PAUSE_MS = 250;

/** an allocated port found busy is moved this many times before the problem is reported */
const MOVES = 5;
const START_ON_REQUEST_MS = 60_000;

export class TcpRoutes implements AsyncDisposable {
  private readonly routes = new Map<string, Route>();
  private readonly counters = new Map<string, TcpCounters>();
  private readonly subscription: Disposable;
  private syncing: Promise<void> = Promise.resolve();
  /** lend and take back, one at a time per address, in the order asked */
  private handovers: Promise<unknown> = Promise.resolve();
  private pending = false;
  private started = false;
  private disposed = false;

  constructor(private readonly deps: TcpRoutesDeps) {
    this.subscription = deps.events.onDidEmitEvent((e) => {
      const starting =
        e.type === 'service.state' &&
        e.to === 'starting' &&
        e.info.protocol === 'tcp' &&
        !this.routes.has(`${e.project}/${e.service}`);
      if (e.type === 'project.opened' || e.type === 'project.closed' || e.type === 'project.reloaded' || starting)
        void this.sync();
      // also while a lend is queued: the takeBack queued behind it undoes it
      if (e.type === 'service.state' && ENDED.has(e.to) && this.routes.has(`${e.project}/${e.service}`))
        void this.takeBack(e.project, e.service);
    });
  }

  /** Opens the stable addresses of the open projects, and from now on follows them. */
  start(): Promise<void> {
    this.started = true;
    return this.sync();
  }

  /** Brings the listeners in line with the open projects; calls coalesce, and it never rejects. */
  sync(): Promise<void> {
    if (this.pending) return this.syncing;
    this.pending = true;
    this.syncing = this.syncing.then(async () => {
      this.pending = false;
      try {
        await this.syncNow();
      } catch (err) {
        this.deps.logger.error({ err: (err as Error).message }, 'tcp routes sync failed');
      }
    });
    return this.syncing;
  }

  /** The stable port of a TCP service (for its dependents' `<DEP>_PORT`), allocated now if need be. */
  portOf(project: string, def: ServiceConfig): number {
    return this.deps.book.portOf(project, def);
  }

  /**
   * false when the service's stable address was tried and does not listen (its port is another program's);
   * true while it listens or has not been opened yet (it opens as the service starts, before its dependents).
   */
  mayServe(project: string, service: string): boolean {
    const route = this.routes.get(`${project}/${service}`);
    return route === undefined || route.forwarder !== null;
  }

  /**
   * Before a local database engine starts: the stable port for the engine to listen on itself, the forwarder
   * no longer listening there; null when the engine keeps its own port (no address, not loopback, another
   * preference, a version outside a dependent's range). The port comes back when the service's process ends.
   */
  lend(project: string, service: string): Promise<number | null> {
    return this.handover(async () => {
      await this.syncing;
      const key = `${project}/${service}`;
      const route = this.routes.get(key);
      if (this.disposed || route === undefined || route.lent || !route.forwarder?.listening) return null;
      if (!this.lendable(project, service)) return null;
      await route.forwarder.unlisten();
      route.lent = true;
      this.countersOf(key).watchDirect(
        new DirectTraffic({ port: route.port, logger: this.deps.logger.child({ project, service }) }),
      );
      this.deps.logger.info({ project, service, port: route.port }, 'tcp address lent to the local engine');
      return route.port;
    });
  }

  list(project?: string): TcpRoute[] {
    const out: TcpRoute[] = [];
    for (const [key, route] of this.routes) {
      if (project !== undefined && route.project !== project) continue;
      const runner = this.runner(route.project, route.service);
      const now = this.deps.chooser.choose(this.query(route.project, route.service, runner), true);
      const served = now.kind === 'forward' ? now : null;
      out.push({
        project: route.project,
        service: route.service,
        address: route.forwarder !== null ? `${this.deps.host}:${route.port}` : null,
        direct: route.lent,
        port: route.port,
        fixed: route.fixed,
        state: runner?.info().state ?? 'stopped',
        target: served?.upstream ?? null,
        servedBy: served?.label ?? null,
        ...this.countersOf(key).snapshot(),
        problem: route.problem,
      });
    }
    return out;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.subscription.dispose();
    await this.syncing;
    const routes = [...this.routes.entries()];
    this.routes.clear();
    for (const [key] of routes) this.countersOf(key).endDirect();
    await Promise.all(routes.map(([, r]) => r.forwarder?.close() ?? Promise.resolve()));
  }

  private async syncNow(): Promise<void> {
    if (this.disposed || !this.started) return;
    const wanted = new Map<string, { project: string; def: ServiceConfig }>();
    for (const p of this.deps.projects.all()) {
      for (const name of p.supervisor.names()) {
        const def = p.supervisor.get(name).definition;
        if (def.protocol === 'tcp') wanted.set(`${p.id}/${name}`, { project: p.id, def });
      }
    }
    for (const [key, route] of [...this.routes]) {
      if (wanted.has(key)) continue;
      this.routes.delete(key);
      this.countersOf(key).endDirect();
      await route.forwarder?.close();
    }
    for (const [key, { project, def }] of wanted) {
      if (this.disposed) return;
      const port = this.deps.book.portOf(project, def);
      const existing = this.routes.get(key);
      if (existing?.lent) continue; // the engine has it; it comes back (and moves, if need be) when it ends
      if (existing !== undefined && existing.port === port && existing.forwarder !== null) continue;
      await existing?.forwarder?.close();
      this.routes.set(key, await this.open(project, def, port));
    }
  }

  private async open(project: string, def: ServiceConfig, first: number): Promise<Route> {
    const { logger } = this.deps;
    const fixed = def.tcpPort !== null;
    const busy = new Set<number>();
    let port = first;
    for (let attempt = 0; ; attempt++) {
      const forwarder = this.forwarder(project, def.name, port);
      const problem = await forwarder.listen();
      if (problem === null) {
        if (port !== first) logger.warn({ project, service: def.name, from: first, to: port }, 'tcp address moved');
        logger.info({ project, service: def.name, port }, 'tcp address listening');
        return { project, service: def.name, port, fixed, forwarder, problem: null, lent: false };
      }
      // A remembered port someone else took while DevMesh was down: DevMesh picked it, so it may pick again.
      if (fixed || attempt >= MOVES || !problem.includes('already in use')) {
        logger.warn({ project, service: def.name, problem }, 'tcp address not listening');
        return { project, service: def.name, port, fixed, forwarder: null, problem, lent: false };
      }
      busy.add(port);
      port = this.deps.book.move(project, def, busy);
    }
  }

  /** The engine's process ended: the forwarder listens on the port again (a busy port is retried briefly). */
  private takeBack(project: string, service: string): Promise<void> {
    return this.handover(async () => {
      const key = `${project}/${service}`;
      const route = this.routes.get(key);
      if (route === undefined || !route.lent) return;
      route.lent = false;
      this.countersOf(key).endDirect();
      let problem: string | null = null;
      for (let attempt = 0; attempt < TAKE_BACK_TRIES && !this.disposed; attempt++) {
        problem = (await route.forwarder?.listen()) ?? null;
        if (problem === null || !problem.includes('already in use')) break;
        await new Promise((r) => setTimeout(r, TAKE_BACK_PAUSE_MS));
      }
      route.problem = problem;
      if (problem !== null) {
        route.forwarder = null;
        this.deps.logger.warn({ project, service, problem }, 'tcp address not taken back');
      }
      void this.sync();
    });
  }

  private handover<T>(work: () => Promise<T>): Promise<T> {
    const next = this.handovers.then(work);
    this.handovers = next.catch((err: unknown) =>
      this.deps.logger.error({ err: (err as Error).message }, 'tcp address handover failed'),
    );
    return next;
  }

  /** The local instance is what every connection would get: loopback, preferred, inside every range. */
  private lendable(project: string, service: string): boolean {
    if (this.deps.host !== '127.0.0.1') return false;
    const def = this.runner(project, service)?.definition;
    if (def === undefined || def.database === null || def.database.engine === 'sqlite') return false;
    if (def.prefer !== 'local') return false;
    const version = def.version ?? this.runner(project, service)?.info().version ?? null;
    if (version === null) return false; // its engine is not installed: nothing local to lend the address to
    const ranges = dependentRanges(project, this.definitions(project), service);
    return ranges.every((r) => InstanceSelector.satisfies(version, r.range));
  }

  private forwarder(project: string, service: string, port: number): TcpForwarder {
    const { host, dialer, chooser, logger, connectTimeoutMs } = this.deps;
    return new TcpForwarder({
      project,
      service,
      host,
      port,
      counters: this.countersOf(`${project}/${service}`),
      plan: () => this.plan(project, service),
      dial: (candidate, timeoutMs) => dialer.dial(candidate, timeoutMs),
      reportFailure: (key) => chooser.reportFailure(key),
      logger: logger.child({ service, project, port }),
      ...(connectTimeoutMs !== undefined ? { connectTimeoutMs } : {}),
    });
  }

  private async plan(project: string, service: string): Promise<TcpPlan> {
    const runner = this.runner(project, service);
    if (runner === null) return { kind: 'none', why: `${service} (${project}) is no longer declared` };
    let decision = this.deps.chooser.choose(this.query(project, service, runner));
    if (decision.kind === 'unavailable' && decision.startOnRequest && this.deps.ensureRunning) {
      try {
        await this.deps.ensureRunning(project, service, START_ON_REQUEST_MS);
      } catch (err) {
        return { kind: 'none', why: (err as Error).message };
      }
      decision = this.deps.chooser.choose(this.query(project, service, runner));
    }
    if (decision.kind !== 'forward') return { kind: 'none', why: TcpRoutes.why(decision) };
    const definitions = this.definitions(project);
    const verdict = checkVersions([decision, ...decision.alternates], dependentRanges(project, definitions, service));
    if (verdict.kind === 'refused') {
      for (const r of verdict.reports) this.deps.onMismatch(r);
      return { kind: 'none', why: verdict.why };
    }
    for (const r of verdict.warnings) this.deps.onMismatch(r);
    return { kind: 'forward', candidates: verdict.candidates };
  }

  private static why(d: Exclude<RouteDecision, { kind: 'forward' }>): string {
    if ('message' in d && d.message !== undefined) return d.message;
    if (d.kind === 'unavailable') return `${d.service} (${d.project}) is ${d.state}${d.reason ? `: ${d.reason}` : ''}`;
    return d.kind;
  }

  private query(project: string, service: string, local: ServiceRunner | null) {
    return { project, service, local, caller: null, stripPrefix: null, peers: true };
  }

  private runner(project: string, service: string): ServiceRunner | null {
    const p = this.deps.projects.all().find((x) => x.id === project);
    if (p === undefined || !p.supervisor.names().includes(service)) return null;
    return p.supervisor.get(service);
  }

  private definitions(project: string): ServiceConfig[] {
    const p = this.deps.projects.all().find((x) => x.id === project);
    return p === undefined ? [] : p.supervisor.names().map((n) => p.supervisor.get(n).definition);
  }

  private countersOf(key: string): TcpCounters {
    let c = this.counters.get(key);
    if (c === undefined) this.counters.set(key, (c = new TcpCounters()));
    return c;
  }
}
