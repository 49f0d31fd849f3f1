// What the proxy does with a request once its Host and path are known: forward it, answer it itself
// (404 unknown, 403 foreign, 503 unavailable, 508 loop) or start the service and decide again. Both the
// fast path and the slow path follow this one policy, so their answers and wording never drift apart.
import type { ProxyLimits, ProxyRoutes } from './proxy-limits.js';
import type { ReplyInput } from './proxy-responder.js';
import type { ForwardDecision, RequestFacts, RouteDecision } from './route-decision.js';

export type { ForwardDecision } from './route-decision.js';

export type RoutingAction =
  | { kind: 'forward'; decision: ForwardDecision }
  | { kind: 'answer'; reply: Omit<ReplyInput, 'html'>; project: string | null; service: string | null; close: boolean }
  /** start_on_request: the request is held until `next` settles */
  | { kind: 'start'; project: string; service: string; next: Promise<RoutingAction> };

export class RoutingPolicy {
  constructor(
    private readonly routes: ProxyRoutes,
    private readonly limits: ProxyLimits,
    private readonly instanceId: string,
  ) {}

  /** The path the target sees: path routing (`/api/x` on localhost) strips the service prefix. */
  static forwardPath(path: string, stripPrefix: string | null): string {
    if (stripPrefix === null || !path.startsWith(stripPrefix)) return path;
    const rest = path.slice(stripPrefix.length);
    return rest.charCodeAt(0) === 0x2f /* / */ ? rest : `/${rest}`;
  }

  decide(host: string | undefined, path: string, loop: boolean, facts: RequestFacts): RoutingAction {
    if (loop)
      return this.answer(
        508,
        'loop_detected',
        'Loop detected',
        `this request already went through this DevMesh proxy (${this.instanceId}): a route points back at the proxy`,
      );
    return this.route(host, path, facts, true);
  }

  /** A forward to `key` failed before any answer: RouteTable passes that instance over for a moment. */
  failed(key: string): void {
    try {
      this.routes.reportFailure(key);
    } catch {
      // only a hint for later decisions
    }
  }

  private route(host: string | undefined, path: string, facts: RequestFacts, mayStart: boolean): RoutingAction {
    let d: RouteDecision;
    try {
      d = this.routes.resolve(host, path, facts);
    } catch (err) {
      return this.answer(
        502,
        'internal',
        'Routing failed',
        `DevMesh could not route ${host ?? ''}${path}: ${(err as Error).message}`,
      );
    }
    return this.act(d, mayStart, host, path, facts);
  }

  private act(
    d: RouteDecision,
    mayStart: boolean,
    host: string | undefined,
    path: string,
    facts: RequestFacts,
  ): RoutingAction {
    if (d.kind === 'forward') return { kind: 'forward', decision: d };
    if (d.kind === 'refused') {
      return {
        kind: 'answer',
        reply: {
          status: 409,
          code: 'version_mismatch',
          title: 'Version mismatch',
          message: d.message,
          extra: { caller: d.caller, range: d.range, versions: d.versions },
        },
        project: d.project,
        service: d.service,
        close: false,
      };
    }
    if (d.kind === 'denied')
      return this.answer(403, 'not_a_mesh_member', 'Not a mesh member', d.message, null, null, true);
    if (d.kind === 'foreign')
      return this.answer(
        403,
        'foreign_host',
        'Not a DevMesh name',
        `DevMesh serves only *.localhost names; "${d.host}" is not one, and DevMesh is not an open proxy.`,
        null,
        null,
        true,
      );
    if (d.kind === 'unknown')
      return {
        ...this.answer(404, 'service_not_found', 'Unknown service', d.message),
        reply: { status: 404, code: 'service_not_found', title: 'Unknown service', message: d.message, known: d.known },
      };
    if (!d.startOnRequest || !mayStart) {
      const message =
        d.message ??
        `${d.service} (${d.project}) is ${d.state}${d.reason ? `: ${d.reason}` : ''}. Start it with \`devmesh start ${d.service}\`${mayStart ? '' : ' and check its logs'}.`;
      return {
        kind: 'answer',
        reply: {
          status: 503,
          code: 'service_unavailable',
          title: 'Service unavailable',
          message,
          extra: { state: d.state, reason: d.reason },
        },
        project: d.project,
        service: d.service,
        close: false,
      };
    }
    const bound = this.limits.startOnRequestTimeoutMs;
    const next = this.routes.ensureRunning(d.project, d.service, bound).then(
      () => this.route(host, path, facts, false),
      (err: Error) =>
        this.answer(
          503,
          'service_unavailable',
          'Service did not start',
          `DevMesh started ${d.service} (${d.project}) for this request, but it did not become healthy within ${bound / 1000} s: ${err.message}`,
          d.project,
          d.service,
        ),
    );
    return { kind: 'start', project: d.project, service: d.service, next };
  }

  private answer(
    status: number,
    code: ReplyInput['code'],
    title: string,
    message: string,
    project: string | null = null,
    service: string | null = null,
    close = false,
  ): Extract<RoutingAction, { kind: 'answer' }> {
    return { kind: 'answer', reply: { status, code, title, message }, project, service, close };
  }
}
