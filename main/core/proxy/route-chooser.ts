// Which instance serves a request for one service: this machine's, or a teammate's reached through their
// DevMesh ingress. Order (InstanceSelector): a healthy local instance; else a healthy peer instance whose
// version satisfies the caller's range, the fastest first with round robin among equals; `prefer` and
// `allow_peers` of the service bend that order. An instance that just failed to connect sits out briefly,
// so a peer killed mid-load stops drawing requests before its link's heartbeat declares it gone.
import type { MeshService } from '../../../shared/mesh.js';
import { InstanceSelector, type Instance } from './instance-selector.js';
import type { RoutablePeer } from './routable-peer.js';
import type { ServiceRunner } from '../services/service-runner.js';
import type { ForwardDecision, HeadRewrite, RouteDecision } from './route-decision.js';

/** What routing needs of the mesh: who this agent is and the connected peers with their services. */
export interface PeerDirectory {
  readonly agentId: string;
  readonly name: string;
  routable(): RoutablePeer[];
}

/** The calling service, as X-DevMesh-From or the injected URL names it, with what it declared. */
export interface Caller {
  project: string;
  service: string;
  version: string | null;
  /** its declared range for the dependency, null: any version */
  range: string | null;
  onMismatch: 'warn' | 'refuse';
}

export interface MismatchReport {
  caller: Caller;
  dependency: string;
  range: string;
  instance: Instance;
  action: 'warned' | 'refused';
}

export interface ChooseQuery {
  project: string;
  service: string;
  /** this machine's instance, null when no open project declares it */
  local: ServiceRunner | null;
  caller: Caller | null;
  stripPrefix: string | null;
  /** false on the peer ingress: a request a teammate routed here is served here or not at all */
  peers: boolean;
}

/** how long an instance that refused or dropped a connection is passed over */
export const FAILED_INSTANCE_MS = 3_000;
const MAX_FAILED = 1000;

export class RouteChooser {
  private readonly selector = new InstanceSelector();
  private readonly failed = new Map<string, number>();

  constructor(
    private readonly directory: PeerDirectory | null,
    private readonly onMismatch: (report: MismatchReport) => void = () => {},
    private readonly now: () => number = Date.now,
  ) {}

  get selfName(): string {
    return this.directory?.name ?? 'local';
  }

  /** Services the connected peers announce, by `service` and `service.project`. */
  peerServices(): MeshService[] {
    return this.directory?.routable().flatMap((p) => p.services) ?? [];
  }

  /** A connected teammate serving `service` of `project` healthy within `range` (its name), else null. */
  peerServing(project: string, service: string, range: string | null): string | null {
    for (const p of this.directory?.routable() ?? []) {
      if (
        p.services.some(
          (s) =>
            s.project === project &&
            s.name === service &&
            s.state === 'healthy' &&
            InstanceSelector.satisfies(s.version, range),
        )
      )
        return p.name;
    }
    return null;
  }

  /** A connection to this instance failed before it answered: pass it over for a moment. */
  reportFailure(key: string): void {
    if (this.failed.size >= MAX_FAILED) this.failed.clear();
    this.failed.set(key, this.now() + FAILED_INSTANCE_MS);
  }

  /** `peek`: where a request would go now, without advancing round robin or reporting mismatches. */
  choose(q: ChooseQuery, peek = false): RouteDecision {
    const def = q.local?.definition ?? null;
    const info = q.local?.info() ?? null;
    const localServable =
      info !== null && (info.state === 'healthy' || info.state === 'unhealthy') && info.port !== null;
    const prefer = def?.prefer ?? 'local';
    const allowPeers = q.peers && (def?.allowPeers ?? true);
    // start_on_request says where the user wants it: here. Start it rather than borrow a teammate's.
    if (q.local !== null && !localServable && def!.startOnRequest && prefer !== 'peer' && q.peers)
      return this.unavailable(q);

    const peersByKey = new Map<string, RoutablePeer>();
    const instances: Instance[] = [];
    const selfId = this.directory?.agentId ?? 'local';
    // A local instance whose version is unknown is a database whose engine is not installed: it serves nothing.
    const localVersion = info?.version ?? null;
    if (q.local !== null && localVersion !== null) {
      instances.push({
        key: `${selfId}/${q.project}/${q.service}`,
        agentId: selfId,
        agentName: this.selfName,
        local: true,
        project: q.project,
        service: q.service,
        version: localVersion,
        healthy: info!.state === 'healthy' && info!.port !== null,
        latencyMs: 0,
      });
    }
    if (allowPeers && this.directory !== null) {
      for (const p of this.directory.routable()) {
        const s = p.services.find((x) => x.name === q.service && x.project === q.project);
        if (s === undefined) continue;
        const key = `${p.agentId}/${q.project}/${q.service}`;
        peersByKey.set(key, p);
        instances.push({
          key,
          agentId: p.agentId,
          agentName: p.name,
          local: false,
          project: q.project,
          service: q.service,
          version: s.version,
          healthy: s.state === 'healthy',
          latencyMs: p.latencyMs,
        });
      }
    }
    // The common case, no teammate serves it: this machine's instance, without the selector's work.
    if (peersByKey.size === 0 && localServable && info.state === 'healthy' && (q.caller?.range ?? null) === null) {
      return this.forward(instances[0]!, q, null, info.port);
    }
    const input = {
      instances,
      range: q.caller?.range ?? null,
      onMismatch: q.caller?.onMismatch ?? 'warn',
      prefer,
      allowPeers: true,
    } as const;
    const resting = this.resting();
    let selection = this.selector.select({ ...input, exclude: resting }, peek);
    // Every instance failed a moment ago: trying one again beats refusing outright.
    if (selection.kind === 'none' && resting.size > 0) selection = this.selector.select(input, peek);

    if (selection.kind === 'route') {
      if (selection.mismatch !== null && q.caller !== null && !peek) {
        this.onMismatch({
          caller: q.caller,
          dependency: q.service,
          range: selection.mismatch.range,
          instance: selection.chosen,
          action: 'warned',
        });
      }
      const [first, ...rest] = [selection.chosen, ...selection.alternates].map((i) =>
        this.forward(i, q, peersByKey.get(i.key) ?? null, info?.port ?? null),
      );
      return { ...first!, alternates: rest };
    }
    if (selection.kind === 'refuse') {
      const caller = q.caller!;
      if (!peek)
        for (const instance of selection.candidates)
          this.onMismatch({ caller, dependency: q.service, range: selection.range, instance, action: 'refused' });
      const versions = selection.candidates.map((i) => ({
        agent: i.local ? `${i.agentName} (this machine)` : i.agentName,
        version: i.version,
      }));
      const have = versions.map((v) => `${v.agent} has ${v.version}`).join(', ');
      return {
        kind: 'refused',
        project: q.project,
        service: q.service,
        range: selection.range,
        caller: `${caller.service}.${caller.project}`,
        versions,
        message: `${caller.service} (${caller.project}) requires ${q.service} ${selection.range}, and no reachable instance satisfies it: ${have}. The project's on_version_mismatch is refuse; start a matching version of ${q.service}, or change the range in devmesh.yaml.`,
      };
    }
    // Nobody healthy: an unhealthy local instance still answers better than nothing.
    if (localServable) return { ...this.forward(instances[0]!, q, null, info.port), alternates: [] };
    if (q.local !== null) return this.unavailable(q);
    return {
      kind: 'unavailable',
      project: q.project,
      service: q.service,
      state: 'stopped',
      reason: null,
      startOnRequest: false,
      stripPrefix: q.stripPrefix,
      message: `${q.service} (${q.project}) does not run on this machine, and no connected teammate serves it healthy right now. See \`devmesh peers\`.`,
    };
  }

  private unavailable(q: ChooseQuery): RouteDecision {
    const info = q.local!.info();
    return {
      kind: 'unavailable',
      project: q.project,
      service: q.service,
      state: info.state,
      reason: info.reason,
      startOnRequest: q.local!.definition.startOnRequest && q.peers,
      stripPrefix: q.stripPrefix,
    };
  }

  private forward(i: Instance, q: ChooseQuery, peer: RoutablePeer | null, localPort: number | null): ForwardDecision {
    const caller = q.caller !== null ? `${q.caller.service}.${q.caller.project}` : null;
    const from: [string, string][] = caller !== null ? [['X-DevMesh-From', caller]] : [];
    const label = `${i.agentName}/${i.service}@${i.version}`;
    if (peer === null) {
      const rewrite: HeadRewrite | null = from.length > 0 ? { host: null, headers: from } : null;
      return {
        kind: 'forward',
        project: q.project,
        service: q.service,
        target: { host: '127.0.0.1', port: localPort! },
        upstream: `127.0.0.1:${localPort}`,
        label,
        key: i.key,
        caller,
        stripPrefix: q.stripPrefix,
        rewrite,
        alternates: [],
      };
    }
    const hostPort = peer.host.includes(':')
      ? `[${peer.host}]:${peer.ingressPort}`
      : `${peer.host}:${peer.ingressPort}`;
    return {
      kind: 'forward',
      project: q.project,
      service: q.service,
      target: { host: peer.host, port: peer.ingressPort, tls: { cert: peer.ingressCert } },
      upstream: `${peer.name} ${hostPort}`,
      label,
      key: i.key,
      caller,
      stripPrefix: q.stripPrefix,
      rewrite: {
        host: `${q.service}.${q.project}.localhost`,
        headers: [['X-DevMesh-Mesh', `${this.directory!.agentId} ${peer.token}`], ...from],
      },
      alternates: [],
    };
  }

  private resting(): Set<string> {
    const out = new Set<string>();
    if (this.failed.size === 0) return out;
    const now = this.now();
    for (const [key, until] of this.failed) {
      if (until <= now) this.failed.delete(key);
      else out.add(key);
    }
    return out;
  }
}
