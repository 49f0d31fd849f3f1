// A small in-memory stand-in for DevMeshCore, shaped like the part DevMeshApi uses, so the Electron tests
// go through the real DevMeshApi (real schemas, real errors) and the real EventBus without processes.
// Services start and stop instantly and emit service.state events like the real supervisor.
import { DevMeshApi } from '../../main/api/devmesh-api.js';
import type { DevMeshCore } from '../../main/core/devmesh-core.js';
import { EventBus } from '../../main/core/events/event-bus.js';
import { ProjectCommands, type ProjectCommandsDeps } from '../../main/core/projects/project-commands.js';
import type { Disposable } from '../../main/core/base/disposable.js';
import { DevMeshError } from '../../shared/errors.js';
import type { ProjectInfo, ServiceInfo, ServiceState } from '../../shared/service.js';

/** The real EventBus, counting its live listeners. */
class CountingEventBus extends EventBus {
  live = 0;
  override onDidEmitEvent(listener: Parameters<EventBus['onDidEmitEvent']>[0]): Disposable {
    return this.count(super.onDidEmitEvent(listener));
  }
  override onDidLogLine(listener: Parameters<EventBus['onDidLogLine']>[0]): Disposable {
    return this.count(super.onDidLogLine(listener));
  }
  private count(inner: Disposable): Disposable {
    this.live++;
    let done = false;
    return {
      dispose: () => {
        if (done) return;
        done = true;
        this.live--;
        inner.dispose();
      },
    };
  }
}

export class FakeCore {
  readonly events = new CountingEventBus();
  readonly services = new Map<string, ServiceInfo>();
  readonly calls: string[] = [];
  disposed = false;
  private open = new Map<string, ProjectInfo>();

  constructor(
    readonly projectId = 'shop',
    serviceNames: string[] = ['api', 'web'],
  ) {
    for (const name of serviceNames) {
      this.services.set(name, {
        project: projectId,
        name,
        version: '1.2.0',
        state: 'stopped',
        port: 3000 + this.services.size,
        pid: null,
        restarts: 0,
        startedAt: null,
        since: Date.now(),
        reason: null,
        autostart: true,
        dependsOn: [],
      });
    }
  }

  /** The project as the app sees it once `projects.open` ran. */
  openProject(root = '/work/shop'): ProjectInfo {
    const info: ProjectInfo = {
      id: this.projectId,
      root,
      configPath: `${root}/devmesh.yaml`,
      services: [...this.services.keys()],
      configError: null,
    };
    this.open.set(info.id, info);
    this.events.emit({ type: 'project.opened', ts: Date.now(), project: info });
    return info;
  }

  setState(name: string, to: ServiceState, reason: string | null = null): ServiceInfo {
    const current = this.services.get(name);
    if (!current) throw new DevMeshError('SERVICE_NOT_FOUND', `no service '${name}'`);
    const next = {
      ...current,
      state: to,
      reason,
      since: Date.now(),
      pid: to === 'stopped' || to === 'crashed' ? null : 4242,
    };
    this.services.set(name, next);
    this.events.emit({
      type: 'service.state',
      ts: Date.now(),
      project: this.projectId,
      service: name,
      from: current.state,
      to,
      reason,
      info: next,
    });
    return next;
  }

  describe() {
    return { version: '0.1.0', pid: process.pid, startedAt: 0, home: '/tmp/devmesh', node: process.version };
  }

  readonly projects = {
    list: () => [...this.open.values()],
    open: (root: string) => {
      this.calls.push(`projects.open ${root}`);
      if (root.includes('missing')) throw new DevMeshError('CONFIG_NOT_FOUND', `no devmesh.yaml in ${root}`);
      return this.openProject(root);
    },
    close: async (ref: string) => {
      const project = this.projects.resolve(ref);
      this.open.delete(project.id);
      this.events.emit({ type: 'project.closed', ts: Date.now(), projectId: project.id });
      return project.id;
    },
    resolve: (ref?: string) => {
      const info = ref
        ? [...this.open.values()].find((p) => p.id === ref || p.root === ref)
        : [...this.open.values()][0];
      if (!info) throw new DevMeshError('PROJECT_NOT_FOUND', `no open project '${ref ?? ''}'`);
      return { id: info.id, supervisor: this.supervisor };
    },
  };

  private readonly supervisor = {
    get: (name: string) => {
      if (!this.services.has(name)) throw new DevMeshError('SERVICE_NOT_FOUND', `no service '${name}'`);
      return {};
    },
    list: () => [...this.services.values()],
    start: async (name: string) => {
      this.calls.push(`start ${name}`);
      this.setState(name, 'starting');
      return this.setState(name, 'healthy');
    },
    stop: async (name: string) => {
      this.calls.push(`stop ${name}`);
      this.setState(name, 'stopping');
      return this.setState(name, 'stopped', 'stopped by request');
    },
    restart: async (name: string) => this.setState(name, 'healthy'),
    startAll: async () => {
      this.calls.push('startAll');
      return [...this.services.keys()].map((n) => this.setState(n, 'healthy'));
    },
    stopAll: async () => {
      this.calls.push('stopAll');
      return [...this.services.keys()].map((n) => this.setState(n, 'stopped'));
    },
  };

  readonly logs = { page: () => ({ lines: [], hasMore: false }) };

  readonly home = {
    dir: '/tmp/devmesh',
    databasePath: '/tmp/devmesh/devmesh.db',
    auditMirrorPath: '/tmp/devmesh/audit.jsonl',
  };
  /** no locks, tasks or audit chain here: the API's coordination handlers are never called by these tests */
  readonly coordination = {};
  /** nor a team across the mesh */
  readonly team = {};

  /** the real project commands over the fake projects; nothing is recorded in an audit chain here */
  get projectCommands(): ProjectCommands {
    return new ProjectCommands({
      projects: this.projects as unknown as ProjectCommandsDeps['projects'],
      settled: () => Promise.resolve(),
    });
  }

  async dispose(): Promise<void> {
    this.disposed = true;
  }

  /** Live listeners on the bus (to prove subscriptions are released). */
  listenerCount(): number {
    return this.events.live;
  }

  api(face: Partial<ConstructorParameters<typeof DevMeshApi>[1]> = {}): DevMeshApi {
    return new DevMeshApi(this as unknown as DevMeshCore, {
      face: 'electron',
      apiUrl: () => null,
      requestShutdown: () => {},
      ...face,
    });
  }
}
