// The one API surface over the core. Both transports (Electron IPC, loopback WebSocket) hand it raw,
// untrusted input; it validates with the shared schemas, dispatches to the core and always answers with a
// Result: it never throws and never lets a bad message reach the core. The handlers live by domain in
// handlers/; this file composes them (the typed map needs one for every method) and keeps validation, error
// mapping and subscriptions. A call that makes an audited decision is answered by the core once the
// decision's entries are on disk (Coordination, ProjectCommands): the API does not know the audit's protocol.
import type { z } from 'zod';
import { apiMethods, apiTopics, type ApiMethod, type ApiTopic, type DaemonInfo } from '../../shared/api.js';
import { DevMeshError, type Result } from '../../shared/errors.js';
import type { DevMeshCore } from '../core/devmesh-core.js';
import type { Disposable } from '../core/base/disposable.js';
import type { TerminalManager } from '../core/terminals/terminal-manager.js';
import * as storageFailure from '../core/health/storage-failure.js';
import { agentHandlers } from './handlers/agent-handlers.js';
import { auditHandlers } from './handlers/audit-handlers.js';
import { daemonHandlers } from './handlers/daemon-handlers.js';
import { fileHandlers } from './handlers/file-handlers.js';
import type { Handlers } from './handlers/handlers.js';
import { lockHandlers } from './handlers/lock-handlers.js';
import { meshHandlers } from './handlers/mesh-handlers.js';
import { messageHandlers } from './handlers/message-handlers.js';
import { projectHandlers } from './handlers/project-handlers.js';
import { proxyHandlers } from './handlers/proxy-handlers.js';
import { reminderHandlers } from './handlers/reminder-handlers.js';
import { taskHandlers } from './handlers/task-handlers.js';
import { terminalHandlers } from './handlers/terminal-handlers.js';
import { teamHandlers } from './handlers/team-handlers.js';
import { reviewHandlers } from './handlers/review-handlers.js';
import { databaseHandlers } from './handlers/database-handlers.js';
import { usageHandlers } from './handlers/usage-handlers.js';
import { metricsHandlers } from './handlers/metrics-handlers.js';

export interface ApiFace {
  face: DaemonInfo['face'];
  /** the WebSocket URL of this process's API, once it listens */
  apiUrl: () => string | null;
  /** called by `daemon.shutdown`; the face stops the core and exits */
  requestShutdown: () => void;
}

export class DevMeshApi {
  /** composed at the first call (a face that only streams never needs them) */
  private composed: Handlers | null = null;

  constructor(
    private readonly core: DevMeshCore,
    private readonly face: ApiFace,
  ) {}

  private get handlers(): Handlers {
    return (this.composed ??= this.createHandlers());
  }

  /** the terminal sessions, for the faces' stream endpoints (their bytes do not go through `call`) */
  get terminals(): TerminalManager {
    return this.core.terminals;
  }

  async call(method: string, rawInput: unknown): Promise<Result<unknown>> {
    if (!Object.hasOwn(apiMethods, method)) {
      return DevMeshApi.fail(
        new DevMeshError(
          'UNKNOWN_METHOD',
          `unknown API method '${method}'; known: ${Object.keys(apiMethods).join(', ')}`,
        ),
      );
    }
    const m = method as ApiMethod;
    const parsed = apiMethods[m].input.safeParse(rawInput ?? {});
    if (!parsed.success) {
      return DevMeshApi.fail(
        new DevMeshError('BAD_REQUEST', `${method}: invalid input: ${DevMeshApi.describe(parsed.error)}`),
      );
    }
    try {
      const handler = this.handlers[m] as (input: unknown) => unknown;
      return { ok: true, value: await handler(parsed.data) };
    } catch (err) {
      // a store that refused the call's write (a full disk) is named with its file and what to do
      const code = String((err as { code?: unknown } | null)?.code ?? '');
      const storage =
        !(err instanceof DevMeshError) && (code.startsWith('SQLITE_') || code === 'ENOSPC' || code === 'EDQUOT');
      return DevMeshApi.fail(
        storage
          ? storageFailure.toError(err, `${method}: its change`, this.core.home.databasePath, this.core.home.dir)
          : err,
      );
    }
  }

  /** Opens a stream; the listener gets each item. Errors (unknown topic, bad params) come back as results. */
  subscribe(topic: string, rawParams: unknown, listener: (data: unknown) => void): Result<Disposable> {
    if (!Object.hasOwn(apiTopics, topic)) {
      return DevMeshApi.fail(
        new DevMeshError('UNKNOWN_METHOD', `unknown topic '${topic}'; known: ${Object.keys(apiTopics).join(', ')}`),
      );
    }
    const t = topic as ApiTopic;
    const parsed = apiTopics[t].params.safeParse(rawParams ?? {});
    if (!parsed.success) {
      return DevMeshApi.fail(
        new DevMeshError('BAD_REQUEST', `subscribe ${topic}: invalid params: ${DevMeshApi.describe(parsed.error)}`),
      );
    }
    try {
      if (t === 'events') return { ok: true, value: this.core.events.onDidEmitEvent(listener) };
      if (t === 'requests') {
        const params = parsed.data as z.output<(typeof apiTopics)['requests']['params']>;
        const projectId = params.project ? this.core.projectCommands.idOf(params.project) : null;
        return {
          ok: true,
          value: this.core.events.onDidProxyRequest((r) => {
            const inProject = !projectId || r.project === projectId || (params.unrouted === true && r.project === null);
            if (inProject && (!params.service || r.service === params.service)) listener(r);
          }),
        };
      }
      if (t === 'traffic') {
        const params = parsed.data as z.output<(typeof apiTopics)['traffic']['params']>;
        const projectId = params.project ? this.core.projectCommands.idOf(params.project) : null;
        return {
          ok: true,
          value: this.core.events.onDidUpdateTraffic((all) =>
            listener(projectId ? all.filter((s) => s.project === projectId) : all),
          ),
        };
      }
      const params = parsed.data as z.output<(typeof apiTopics)['logs']['params']>;
      // throws PROJECT_NOT_FOUND, and SERVICE_NOT_FOUND with the known names
      const projectId = this.core.projectCommands.idOf(params.project, params.name);
      return {
        ok: true,
        value: this.core.events.onDidLogLine((line) => {
          if (line.project === projectId && (!params.name || line.service === params.name)) listener(line);
        }),
      };
    } catch (err) {
      return DevMeshApi.fail(err);
    }
  }

  private createHandlers(): Handlers {
    const { core, face } = this;
    const co = core.coordination;
    const activity = (who: string) => co.activity(who);
    return {
      ...daemonHandlers({
        describe: () => core.describe(),
        health: core.health,
        face: face.face,
        apiUrl: () => face.apiUrl(),
        requestShutdown: () => face.requestShutdown(),
      }),
      ...projectHandlers({ commands: core.projectCommands, logs: core.logs }),
      ...proxyHandlers({
        proxyInfo: () => core.proxyInfo(),
        routes: core.routes,
        requests: core.requests,
        traffic: core.traffic,
        tcp: core.tcp,
        ca: core.ca,
        projectId: (ref) => core.projectCommands.idOf(ref),
      }),
      ...meshHandlers({
        mesh: core.mesh,
        alerts: core.alerts,
        reload: () => core.reloadMesh(),
        graph: () => core.graph(),
      }),
      ...terminalHandlers({ terminals: core.terminals, recordings: core.recordings }),
      ...agentHandlers({ ...core.agents, decisions: co, inbox: core.inbox, activity }),
      ...lockHandlers({ locks: co.locks, decisions: co, activity }),
      ...auditHandlers({ audit: co.audit, idOf: (actor) => co.idOf(actor), mirrorPath: core.home.auditMirrorPath }),
      ...taskHandlers({ tasks: co.tasks, decisions: co, team: core.team.tasks, activity }),
      ...messageHandlers({ messages: co.messages, team: core.team.messages, state: co.state, decisions: co, activity }),
      ...teamHandlers({ presence: core.team.presence }),
      ...reminderHandlers({ reminders: core.reminders, activity }),
      ...fileHandlers({ files: core.files }),
      ...reviewHandlers({ ...core.review, rootOf: (ref) => core.projects.resolve(ref).root }),
      ...usageHandlers({ usage: core.usage }),
      ...databaseHandlers({ databases: core.databases, snapshots: core.databaseSnapshots }),
      ...metricsHandlers({ metrics: core.metrics }),
    };
  }

  private static fail(err: unknown): { ok: false; error: ReturnType<typeof DevMeshError.toInfo> } {
    return { ok: false, error: DevMeshError.toInfo(err) };
  }

  private static describe(error: z.ZodError): string {
    return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(input)'}: ${i.message}`).join('; ');
  }
}
