// The tray icon and its menu: every service of the open projects with its version and state, checked while
// it runs, and a click starts or stops it; then the app-wide actions. It reads and acts through the API
// (like any other face), and rebuilds itself, debounced, when a service changes state or a project opens,
// closes or reloads.
import { Menu, Tray, nativeImage, type MenuItemConstructorOptions } from 'electron';
import type { ApiInput, ApiMethod, ApiOutput } from '../../shared/api.js';
import type { Result } from '../../shared/errors.js';
import type { DevMeshEvent } from '../../shared/events.js';
import { RUNNING_STATES, type ProjectInfo, type ServiceInfo, type ServiceState } from '../../shared/service.js';
import type { DevMeshApi } from '../api/devmesh-api.js';
import type { Disposable } from '../core/base/disposable.js';

export type TrayApi = Pick<DevMeshApi, 'call' | 'subscribe'>;

export interface TrayActions {
  openWindow(): void;
  openProject(): void;
  quit(): void;
  startAtLogin(): boolean;
  setStartAtLogin(enabled: boolean): void;
  /** tells the user an action failed (the error's message says why) */
  reportError(title: string, message: string): void;
  /** the version of an update downloaded and waiting for a restart, or null (app-updater.ts) */
  updateReady?(): string | null;
  /** asks to restart into the downloaded update, naming the services that will stop */
  restartToUpdate?(): void;
}

export interface TrayMenuDeps {
  iconPath: string;
  /** how long to wait for more events before rebuilding the menu */
  debounceMs?: number;
}

interface ProjectEntry {
  project: ProjectInfo;
  services: ServiceInfo[];
  error: string | null;
}

/** States in which the user wants the service up: the checkbox is checked and a click stops it. */
const WANTED_UP: readonly ServiceState[] = [...RUNNING_STATES, 'backing-off'];

export class TrayMenu implements Disposable {
  private tray: Tray | null = null;
  private events: Disposable | null = null;
  private timer: NodeJS.Timeout | null = null;
  private generation = 0;
  private disposed = false;
  /** resolves when the menu in flight is shown (for callers that need the fresh menu, and tests) */
  private building: Promise<void> = Promise.resolve();
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly api: TrayApi,
    private readonly actions: TrayActions,
    private readonly deps: TrayMenuDeps,
  ) {}

  start(): void {
    const image = nativeImage.createFromPath(this.deps.iconPath);
    this.tray = new Tray(image);
    this.tray.setToolTip('DevMesh');
    this.tray.on('click', () => this.actions.openWindow());
    const sub = this.api.subscribe('events', {}, (data) => {
      const type = (data as DevMeshEvent).type;
      if (type === 'service.state' || type.startsWith('project.')) this.scheduleRebuild();
    });
    if (sub.ok) this.events = sub.value;
    else this.actions.reportError('DevMesh tray', `the tray will not follow service changes: ${sub.error.message}`);
    // Never rejects: refresh() routes a failed rebuild to process.emitWarning.
    void this.refresh();
  }

  /** Rebuilds now; the promise settles when the new menu is set. */
  refresh(): Promise<void> {
    this.cancelTimer();
    const generation = ++this.generation;
    this.building = this.rebuild(generation).catch((err: Error) => {
      process.emitWarning(`devmesh: could not rebuild the tray menu: ${err.message}`);
    });
    const waiting = this.waiting.splice(0);
    void this.building.then(() => waiting.forEach((resolve) => resolve()));
    return this.building;
  }

  /** Settles once the pending (debounced) rebuild, if any, has set its menu. */
  settled(): Promise<void> {
    if (!this.timer) return this.building;
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.cancelTimer();
    this.waiting.splice(0).forEach((resolve) => resolve());
    this.events?.dispose();
    this.tray?.destroy();
    this.tray = null;
  }

  private cancelTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private scheduleRebuild(): void {
    if (this.disposed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.refresh();
    }, this.deps.debounceMs ?? 100);
  }

  private async rebuild(generation: number): Promise<void> {
    const entries = await this.load();
    // A newer rebuild started while this one awaited the API: its menu wins.
    if (this.disposed || generation !== this.generation || !this.tray) return;
    this.tray.setContextMenu(Menu.buildFromTemplate(this.template(entries)));
    const services = entries.flatMap((e) => e.services);
    const up = services.filter((s) => RUNNING_STATES.includes(s.state)).length;
    this.tray.setToolTip(services.length ? `DevMesh — ${up}/${services.length} services running` : 'DevMesh');
  }

  private async load(): Promise<ProjectEntry[]> {
    const projects = await this.call('projects.list', {});
    if (!projects.ok) return [];
    return Promise.all(
      projects.value.map(async (project) => {
        const services = await this.call('services.list', { project: project.id });
        return services.ok
          ? { project, services: services.value, error: null }
          : { project, services: [], error: services.error.message };
      }),
    );
  }

  private template(entries: ProjectEntry[]): MenuItemConstructorOptions[] {
    const items: MenuItemConstructorOptions[] = [];
    if (entries.length === 0) items.push({ label: 'No project open', enabled: false });
    for (const { project, services, error } of entries) {
      const problem = project.configError ? ' — devmesh.yaml has errors' : '';
      items.push({ id: `project:${project.id}`, label: `${project.id}${problem}`, enabled: false });
      if (error) items.push({ label: `  ${error}`, enabled: false });
      for (const service of services) items.push(this.serviceItem(service));
      items.push({ type: 'separator' });
    }
    if (entries.length === 0) items.push({ type: 'separator' });
    const anyProject = entries.length > 0;
    items.push(
      { id: 'open-window', label: 'Open DevMesh', click: () => this.actions.openWindow() },
      { id: 'open-project', label: 'Open Project…', click: () => this.actions.openProject() },
      { type: 'separator' },
      {
        id: 'start-all',
        label: 'Start all',
        enabled: anyProject,
        click: () => void this.forEachProject(entries, 'services.startAll', 'start'),
      },
      {
        id: 'stop-all',
        label: 'Stop all',
        enabled: anyProject,
        click: () => void this.forEachProject(entries, 'services.stopAll', 'stop'),
      },
      { type: 'separator' },
      {
        id: 'start-at-login',
        label: 'Start at login',
        type: 'checkbox',
        checked: this.actions.startAtLogin(),
        click: (item) => this.actions.setStartAtLogin(item.checked),
      },
      { type: 'separator' },
    );
    const update = this.actions.updateReady?.() ?? null;
    if (update) {
      const restart = () => this.actions.restartToUpdate?.();
      items.push({ id: 'restart-to-update', label: `Restart to Update to ${update}…`, click: restart });
    }
    items.push({ id: 'quit', label: 'Quit DevMesh', click: () => this.actions.quit() });
    return items;
  }

  private serviceItem(service: ServiceInfo): MenuItemConstructorOptions {
    const up = WANTED_UP.includes(service.state);
    const version = service.version ? ` ${service.version}` : '';
    const port = service.port !== null && up ? ` :${service.port}` : '';
    return {
      id: `service:${service.project}/${service.name}`,
      label: `${service.name}${version} — ${service.state}${port}`,
      type: 'checkbox',
      checked: up,
      click: () => void this.toggle(service, up),
    };
  }

  private async toggle(service: ServiceInfo, up: boolean): Promise<void> {
    const ref = { project: service.project, name: service.name };
    const result = up ? await this.call('services.stop', ref) : await this.call('services.start', ref);
    if (!result.ok)
      this.actions.reportError(`Could not ${up ? 'stop' : 'start'} ${service.name}`, result.error.message);
    // The state event rebuilds the menu; a refused action still needs the checkbox put back.
    this.scheduleRebuild();
  }

  private async forEachProject(
    entries: ProjectEntry[],
    method: 'services.startAll' | 'services.stopAll',
    verb: string,
  ): Promise<void> {
    for (const { project } of entries) {
      const result = await this.call(method, { project: project.id });
      if (!result.ok) this.actions.reportError(`Could not ${verb} the services of ${project.id}`, result.error.message);
    }
    this.scheduleRebuild();
  }

  private call<M extends ApiMethod>(method: M, input: ApiInput<M>): Promise<Result<ApiOutput<M>>> {
    return this.api.call(method, input) as Promise<Result<ApiOutput<M>>>;
  }
}
