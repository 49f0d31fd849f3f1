// One open project: its devmesh.yaml, its supervisor, and the watch that reloads it. A reload that fails
// validation keeps every service running on the last valid config and records the error for the faces.
import type { Logger } from 'pino';
import type { ProjectInfo, WorktreeCopy } from '../../../shared/service.js';
import { DevMeshError } from '../../../shared/errors.js';
import { ConfigWatcher } from '../config/config-watcher.js';
import type { ProjectConfig } from '../config/project-config.js';
import type { ProjectConfigLoader } from '../config/project-config-loader.js';
import type { EventBus } from '../events/event-bus.js';
import type { Disposable } from '../base/disposable.js';
import type { ServiceSupervisor } from '../services/service-supervisor.js';
import type { ProjectIdentity } from './project-identity.js';
import { copyConfig } from './worktree-copy.js';

export class Project {
  private configError: string | null = null;
  private watcher: ConfigWatcher | null = null;
  private watchSubscription: Disposable | null = null;
  private reloading: Promise<void> = Promise.resolve();
  /** who the project is across machines; null until git has answered, moments after the open */
  identity: ProjectIdentity | null = null;

  constructor(
    private config: ProjectConfig,
    readonly supervisor: ServiceSupervisor,
    private readonly loader: ProjectConfigLoader,
    private readonly events: EventBus,
    private readonly logger: Logger,
    /** a worktree's copy of another project (local only: no identity, never shared); null for a main checkout */
    readonly worktree: WorktreeCopy | null = null,
  ) {}

  get id(): string {
    return this.config.id;
  }
  get root(): string {
    return this.config.root;
  }
  get configPath(): string {
    return this.config.configPath;
  }

  info(): ProjectInfo {
    return {
      id: this.id,
      root: this.root,
      configPath: this.configPath,
      services: this.supervisor.names(),
      configError: this.configError,
      ...(this.identity ? { identity: Project.shown(this.identity) } : {}),
      ...(this.worktree ? { worktree: { ...this.worktree } } : {}),
    };
  }

  // The local folders stay out of the contract: the project's root is already beside it.
  private static shown(identity: ProjectIdentity): NonNullable<ProjectInfo['identity']> {
    const { key, rootCommit, remote, subPath, localOnly, reason } = identity;
    return { key, rootCommit, remote, subPath, localOnly, ...(reason !== undefined ? { reason } : {}) };
  }

  /** Installs the config, starts the autostart services (not waiting), and begins watching the file. */
  async activate(options: { watch: boolean }): Promise<void> {
    for (const warning of this.config.warnings) this.logger.warn({ warning }, 'devmesh.yaml');
    await this.supervisor.apply(this.config);
    void this.supervisor
      .startAll({ onlyAutostart: true })
      .catch((err: Error) => this.logger.warn({ err: err.message }, 'autostart failed'));
    if (options.watch) {
      this.watcher = new ConfigWatcher(this.configPath);
      this.watchSubscription = this.watcher.onDidChange(() => {
        this.reloading = this.reloading.then(() => this.reload());
      });
    }
  }

  /** Re-reads devmesh.yaml; on success applies it, on failure keeps the running config. */
  async reload(): Promise<void> {
    let next: ProjectConfig;
    try {
      next = this.loader.load(this.configPath);
      if (this.worktree) next = copyConfig(next, this.worktree);
      if (next.id !== this.id) {
        throw new DevMeshError(
          'CONFIG_INVALID',
          `${this.configPath}: the project id changed from '${this.id}' to '${next.id}'; close and reopen the project to rename it`,
        );
      }
    } catch (err) {
      this.configError = (err as Error).message;
      this.logger.warn({ err: this.configError }, 'devmesh.yaml is invalid; keeping the last valid config');
      this.events.emit({ type: 'project.config-error', ts: Date.now(), projectId: this.id, message: this.configError });
      return;
    }
    this.configError = null;
    this.config = next;
    const changes = await this.supervisor.apply(next);
    for (const name of changes.added) {
      if (next.services[name]!.autostart) void this.supervisor.start(name).catch(() => undefined);
    }
    this.logger.info({ ...changes }, 'devmesh.yaml reloaded');
    this.events.emit({ type: 'project.reloaded', ts: Date.now(), project: this.info(), ...changes });
  }

  async dispose(): Promise<void> {
    this.watchSubscription?.dispose();
    this.watcher?.dispose();
    await this.reloading;
    await this.supervisor.dispose();
  }
}
