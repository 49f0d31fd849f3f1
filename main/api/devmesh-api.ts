// The one API surface over the core. Both transports (Electron IPC, loopback WebSocket) hand it raw,
// untrusted input; it validates with the shared schemas, dispatches to the core and always answers with a
// Result: it never throws and never lets a bad message reach the core.
import { z } from 'zod';
import { apiMethods, apiTopics, type ApiMethod, type ApiOutput, type ApiParsedInput, type ApiTopic, type DaemonInfo } from '../../shared/api.js';
import { DevMeshError, type Result } from '../../shared/errors.js';
import type { DevMeshCore } from '../core/devmesh-core.js';
import type { Disposable } from '../core/base/disposable.js';
import type { TerminalManager } from '../core/terminals/terminal-manager.js';
import { StorageFailure } from '../core/health/storage-failure.js';
import { pageWithUnrouted } from './unrouted-request-page.js';

type Handlers = { [M in ApiMethod]: (input: ApiParsedInput<M>) => Promise<ApiOutput<M>> | ApiOutput<M> };

export interface ApiFace {
  face: DaemonInfo['face'];
  /** the WebSocket URL of this process's API, once it listens */
  apiUrl: () => string | null;
  /** called by `daemon.shutdown`; the face stops the core and exits */
  requestShutdown: () => void;
}

export class DevMeshApi {
  private readonly handlers: Handlers;

  constructor(
    private readonly core: DevMeshCore,
    private readonly face: ApiFace,
  ) {
    this.handlers = this.createHandlers();
  }

  /** the terminal sessions, for the faces' stream endpoints (their bytes do not go through `call`) */
  get terminals(): TerminalManager {
    return this.core.terminals;
  }

  async call(method: string, rawInput: unknown): Promise<Result<unknown>> {
    if (!Object.hasOwn(apiMethods, method)) {
      return DevMeshApi.fail(new DevMeshError('UNKNOWN_METHOD', `unknown API method '${method}'; known: ${Object.keys(apiMethods).join(', ')}`));
    }
    const m = method as ApiMethod;
    const parsed = apiMethods[m].input.safeParse(rawInput ?? {});
    if (!parsed.success) {
      return DevMeshApi.fail(new DevMeshError('BAD_REQUEST', `${method}: invalid input: ${DevMeshApi.describe(parsed.error)}`));
    }
    let result: Result<unknown>;
    try {
      const handler = this.handlers[m] as (input: unknown) => Promise<unknown> | unknown;
      result = { ok: true, value: await handler(parsed.data) };
    } catch (err) {
      // a store that refused the call's write (a full disk) is named with its file and what to do
      const code = String((err as { code?: unknown } | null)?.code ?? '');
      const storage = !(err instanceof DevMeshError) && (code.startsWith('SQLITE_') || code === 'ENOSPC' || code === 'EDQUOT');
      result = DevMeshApi.fail(storage
        ? StorageFailure.toError(err, `${method}: its change`, this.core.home.databasePath, this.core.home.dir)
        : err);
    }
    // The call's decisions (a lock granted or refused, a task awarded…) are in the audit chain: answer only
    // once they are on disk, so nothing acknowledged is lost in a crash. Concurrent calls share one sync.
    try {
      // (a read wrote nothing: no extra turn of the event loop for it)
      if (this.core.coordination.audit.syncPending) await this.core.coordination.audit.durable();
    } catch (err) {
      return DevMeshApi.fail(StorageFailure.toError(err, `${method}: the audit chain`, this.core.home.auditMirrorPath, this.core.home.dir));
    }
    return result;
  }

  /** Opens a stream; the listener gets each item. Errors (unknown topic, bad params) come back as results. */
  subscribe(topic: string, rawParams: unknown, listener: (data: unknown) => void): Result<Disposable> {
    if (!Object.hasOwn(apiTopics, topic)) {
      return DevMeshApi.fail(new DevMeshError('UNKNOWN_METHOD', `unknown topic '${topic}'; known: ${Object.keys(apiTopics).join(', ')}`));
    }
    const t = topic as ApiTopic;
    const parsed = apiTopics[t].params.safeParse(rawParams ?? {});
    if (!parsed.success) {
      return DevMeshApi.fail(new DevMeshError('BAD_REQUEST', `subscribe ${topic}: invalid params: ${DevMeshApi.describe(parsed.error)}`));
    }
    try {
      if (t === 'events') return { ok: true, value: this.core.events.onDidEmitEvent(listener) };
      if (t === 'requests') {
        const params = parsed.data as z.output<(typeof apiTopics)['requests']['params']>;
        const projectId = params.project ? this.core.projects.resolve(params.project).id : null;
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
        const projectId = params.project ? this.core.projects.resolve(params.project).id : null;
        return {
          ok: true,
          value: this.core.events.onDidUpdateTraffic((all) => listener(projectId ? all.filter((s) => s.project === projectId) : all)),
        };
      }
      const params = parsed.data as z.output<(typeof apiTopics)['logs']['params']>;
      const project = this.core.projects.resolve(params.project);
      if (params.name) project.supervisor.get(params.name); // throws SERVICE_NOT_FOUND with the known names
      return {
        ok: true,
        value: this.core.events.onDidLogLine((line) => {
          if (line.project === project.id && (!params.name || line.service === params.name)) listener(line);
        }),
      };
    } catch (err) {
      return DevMeshApi.fail(err);
    }
  }

  private createHandlers(): Handlers {
    const core = this.core;
    const sup = (project?: string) => core.projects.resolve(project).supervisor;
    const co = core.coordination;
    return {
      'daemon.info': () => ({ ...core.describe(), face: this.face.face, apiUrl: this.face.apiUrl() }),
      'daemon.shutdown': () => {
        setImmediate(() => this.face.requestShutdown());
        return { stopping: true as const };
      },
      'daemon.health': () => core.health.snapshot(),
      'projects.list': () => core.projects.list(),
      'projects.open': (i) => core.projects.open(i.root),
      'projects.close': async (i) => ({ closed: await core.projects.close(i.project) }),
      'services.list': (i) => sup(i.project).list(),
      'services.start': (i) => sup(i.project).start(i.name, { wait: i.wait }),
      'services.stop': (i) => sup(i.project).stop(i.name),
      'services.restart': (i) => sup(i.project).restart(i.name, { wait: i.wait }),
      'services.startAll': (i) => sup(i.project).startAll({ wait: i.wait }),
      'services.stopAll': (i) => sup(i.project).stopAll(),
      'logs.page': (i) => {
        const project = core.projects.resolve(i.project);
        project.supervisor.get(i.name);
        return core.logs.page({ project: project.id, service: i.name, before: i.before, limit: i.limit, search: i.search });
      },
      'proxy.info': () => core.proxyInfo(),
      'proxy.routes': (i) => core.routes.list(i.project),
      'proxy.requests': (i) => {
        const project = i.project ? core.projects.resolve(i.project).id : undefined;
        const query = { project, service: i.service, before: i.before, limit: i.limit, errorsOnly: i.errorsOnly, search: i.search };
        // A service filter names a service, which an unrouted request never reached.
        if (i.unrouted && project !== undefined && i.service === undefined) return pageWithUnrouted(core.requests, { ...query, project });
        return core.requests.page(query);
      },
      'proxy.traffic': (i) => core.traffic.snapshot(i.project ? core.projects.resolve(i.project).id : undefined),
      'ca.info': () => core.ca.info(),
      'mesh.info': () => core.mesh.info(),
      'mesh.peers': () => core.mesh.list(),
      'mesh.reload': () => core.reloadMesh(),
      'mesh.graph': () => core.graph(),
      'mesh.alerts': (i) => core.alerts.list(i.limit),
      'terminals.list': () => core.terminals.list(),
      'terminals.create': (i) => core.terminals.create(i),
      'terminals.input': (i) => core.terminals.input(i.id, i.data),
      'terminals.resize': (i) => core.terminals.resize(i.id, i.cols, i.rows),
      'terminals.signal': (i) => core.terminals.signal(i.id, i.signal),
      'terminals.kill': (i) => core.terminals.kill(i.id),
      'terminals.remove': (i) => core.terminals.remove(i.id),
      'recordings.list': () => core.terminals.recordings.list(),
      'recordings.read': (i) => ({ cast: core.terminals.recordings.read(i.id) }),
      'agents.profiles': async () => {
        const profiles = core.agents.profiles.list();
        const found = await core.agents.detector.detectAll(profiles);
        return profiles.map((profile, n) => ({ profile, detection: found[n]! }));
      },
      'agents.list': () => core.agents.manager.list(),
      'agents.start': (i) => co.decide(`starting agent ${i.profile}`, () => co.startAgent(i), (a) => void co.stopAgent(a.id, 'devmesh')),
      'agents.stop': (i) => co.decide(`stopping agent ${i.agent}`, () => co.stopAgent(i.agent)),
      'agents.relaunch': (i) => co.decide(`relaunching agent ${i.agent}`, () => co.relaunchAgent(i.agent)),
      'agents.remove': async (i) => {
        const { id } = core.agents.manager.get(i.agent);
        await core.agents.manager.remove(i.agent, { removeWorktree: i.removeWorktree, deleteBranch: i.deleteBranch, force: i.force });
        return { removed: id };
      },
      ...this.coordinationHandlers(),
    };
  }

  /** locks, audit, tasks, messages, state: each call naming an agent also tells the task board it is alive */
  private coordinationHandlers(): Pick<Handlers, Extract<ApiMethod, `${'locks' | 'audit' | 'tasks' | 'messages' | 'state'}.${string}`>> {
    const co = this.core.coordination;
    const alive = <T>(who: string, value: T): T => {
      co.activity(who);
      return value;
    };
    return {
      'locks.list': (i) => co.locks.list(i.project),
      'locks.acquire': ({ project, ...request }) =>
        alive(request.holder, co.decide(
          `a ${request.mode} lock for ${request.holder}`,
          () => co.locks.acquire(project, { ...request, waitMs: request.waitMs ?? 0 }),
          (lock) => void co.locks.release(project, lock.holder, lock.id),
        )),
      'locks.release': (i) => alive(i.holder, co.decide(`releasing lock ${i.lockId}`, () => co.locks.release(i.project, i.holder, i.lockId))),
      'locks.releaseAll': (i) =>
        alive(i.holder, {
          released: co.decide(`releasing the locks of ${i.holder}`, () => co.locks.releaseAll(i.project, i.holder, i.session)),
        }),
      // not activity: the MCP server beats while the agent's process lives, whether the agent works or not
      'locks.heartbeat': (i) => ({ locks: co.locks.heartbeat(i.holder, i.session) }),
      'locks.check': (i) => alive(i.holder, co.locks.check(i.project, i.holder, i.paths)),
      'audit.list': (i) => co.audit.list(i.actor === undefined ? i : { ...i, actor: co.idOf(i.actor) }),
      'audit.verify': async () => {
        const started = performance.now();
        const result = await co.audit.verify();
        return { ...result, mirrorPath: this.core.home.auditMirrorPath, ms: performance.now() - started };
      },
      'tasks.list': (i) => co.tasks.list(i),
      'tasks.get': (i) => co.tasks.get(i.task),
      // `by` names an agent by id or name: recorded by its id, as lock holders and message parties are
      'tasks.create': (i) => alive(i.by, co.decide(`posting task "${i.title}"`, () => co.tasks.create({ ...i, by: co.idOf(i.by) }))),
      'tasks.cancel': (i) => co.decide(`cancelling task ${i.task}`, () => co.tasks.cancel({ ...i, by: co.idOf(i.by) })),
      'tasks.bid': (i) => alive(i.agent, co.decide(`a bid for task ${i.task}`, () => co.tasks.bid(i))),
      'tasks.claim': (i) => alive(i.agent, co.decide(`claiming task ${i.task}`, () => co.tasks.claim(i))),
      'tasks.update': (i) => alive(i.agent, co.decide(`updating task ${i.task}`, () => co.tasks.update(i))),
      'tasks.complete': (i) => alive(i.agent, co.decide(`completing task ${i.task}`, () => co.tasks.complete(i))),
      'messages.send': (i) => alive(i.from, co.messages.send(i)),
      'messages.read': (i) => alive(i.reader, co.messages.read(i)),
      'messages.list': (i) => co.messages.list(i),
      'state.get': (i) => co.state.get(i.key),
      'state.set': (i) => alive(i.by, co.decide(`setting ${i.key}`, () => co.state.set({ ...i, by: co.idOf(i.by) }))),
      'state.list': (i) => co.state.list(i.prefix),
    };
  }

  private static fail(err: unknown): { ok: false; error: ReturnType<typeof DevMeshError.toInfo> } {
    return { ok: false, error: DevMeshError.toInfo(err) };
  }

  private static describe(error: z.ZodError): string {
    return error.issues
      .map((i) => `${i.path.length ? i.path.join('.') : '(input)'}: ${i.message}`)
      .join('; ');
  }
}
