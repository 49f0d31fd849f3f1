// Watching files, wired (issue 16): a watcher for each open project's checkout (from `project.opened` until
// `project.closed`) and for each DevMesh worktree of an agent (from the agent's start until it is removed).
// Each debounced batch becomes
// - a `files.changed` event (root, agent, at most FILES_EVENT_MAX_PATHS paths and their count), for live views;
// - a `review.changed` event when the folder is an agent's worktree (its review is stale);
// - entries in the change journal, which `files.changes` (MCP `watch_files`) reads with a cursor;
// - a lock check of its paths: an edit under another holder's lock is raised (LockBypassDetector).
// Disposed first of the core's parts: no watcher fires while the rest closes.
import { existsSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { AgentRecord } from '../../../shared/agent.js';
import { FILES_EVENT_MAX_PATHS, type FilesChanges, type FilesChangesInput } from '../../../shared/files.js';
import type { WatchedRoot } from '../../../shared/files.js';
import { FilesChangesInputSchema } from '../../../shared/files.js';
import type { AgentManager } from '../agents/agent-manager.js';
import type { AsyncDisposable, Disposable } from '../base/disposable.js';
import type { Coordination } from '../coordination/coordination.js';
import type { EventBus } from '../events/event-bus.js';
import type { DaemonHealth } from '../health/daemon-health.js';
import { SystemLockClock, type LockClock } from '../locks/lock-clock.js';
import type { ProjectManager } from '../projects/project-manager.js';
import type { RawChange } from './change-batcher.js';
import { ChangeJournal } from './change-journal.js';
import { FileWatchers, type WatchOwner } from './file-watchers.js';
import { LockBypassDetector } from './lock-bypass-detector.js';
import { parcelSnapshots, parcelSubscribe, type WatchSnapshots, type WatchSubscribe } from './watch-backend.js';

export interface FilesModuleDeps {
  events: EventBus;
  health: DaemonHealth;
  logger: Logger;
  projects: ProjectManager;
  agents: AgentManager;
  coordination: Coordination;
  /** the environment git runs in */
  env?: NodeJS.ProcessEnv;
  clock?: LockClock;
  /** the native watcher (default @parcel/watcher) */
  subscribe?: () => Promise<WatchSubscribe>;
  /** its tree snapshots (default @parcel/watcher's when `subscribe` is; none for another watcher) */
  snapshots?: () => Promise<WatchSnapshots>;
  quietMs?: number;
  maxDelayMs?: number;
}

const BATCH_RULE = 'the lock check of that batch is skipped; the watcher and its events go on';

export class FilesModule implements AsyncDisposable {
  readonly watchers: FileWatchers;
  readonly journal: ChangeJournal;
  readonly bypasses: LockBypassDetector;
  private readonly subscriptions: Disposable[] = [];

  constructor(private readonly deps: FilesModuleDeps) {
    const { events, health, logger, agents, coordination } = deps;
    const clock =
      deps.clock ??
      new SystemLockClock((err) =>
        health.fail({ component: 'file watcher timers', error: err, where: 'the debounce timer', rule: BATCH_RULE }),
      );
    this.journal = new ChangeJournal({ clock });
    const find = (id: string): AgentRecord | null => {
      try {
        return agents.get(id);
      } catch {
        return null; // removed meanwhile: no writer to name
      }
    };
    this.bypasses = new LockBypassDetector({
      locks: coordination.locks,
      agents: { find, list: () => agents.list() },
      audit: (entry) => coordination.trail.observe(entry),
      message: (to, body) => {
        try {
          coordination.messages.send({ from: 'devmesh', to, body });
        } catch (err) {
          // a holder that is no agent here (a script's name): the event and the audit entry still say it
          logger.warn({ domain: 'files', to, err: (err as Error)?.message }, 'could not message a lock holder');
        }
      },
      emit: (e) => events.emit(e),
      clock,
    });
    this.watchers = new FileWatchers({
      subscribe: deps.subscribe ?? parcelSubscribe,
      snapshots: deps.subscribe ? deps.snapshots : (deps.snapshots ?? parcelSnapshots),
      clock,
      health,
      logger,
      env: deps.env,
      quietMs: deps.quietMs,
      maxDelayMs: deps.maxDelayMs,
      onBatch: (owner, changes) => this.batch(owner, changes),
    });
    this.subscriptions.push(
      events.onDidEmitEvent((e) => {
        // a worktree's copy is watched as its agent's worktree (watchAgent), not as a project
        if (e.type === 'project.opened' && !e.project.worktree) void this.watchProject(e.project.id, e.project.root);
        else if (e.type === 'project.closed') this.unwatchProject(e.projectId);
        else if (e.type === 'agent.status' && e.to !== 'exited') void this.watchAgent(e.record);
      }),
      agents.onDidRemove((record) => {
        if (record.worktree) this.watchers.unwatch(resolve(record.worktree.path));
      }),
    );
    for (const p of deps.projects.shared()) void this.watchProject(p.id, p.root);
    for (const a of agents.list()) void this.watchAgent(a);
  }

  /** `files.changes`: the changes after a cursor, waiting up to `waitMs` for the first. */
  changes(raw: FilesChangesInput): Promise<FilesChanges> {
    const input = FilesChangesInputSchema.parse(raw);
    const project = input.project === undefined ? null : this.deps.projects.resolve(input.project).id;
    const exclude = input.excludeAgent === undefined ? undefined : this.agentId(input.excludeAgent);
    const query = { cursor: input.cursor, limit: input.limit, project, prefix: input.prefix, excludeAgentId: exclude };
    return this.journal.wait(query, input.waitMs);
  }

  list(): WatchedRoot[] {
    return this.watchers.list();
  }

  /** Starts watching a project's checkout; resolves once it watches (or failed: see the health). */
  watchProject(id: string, root: string): Promise<void> {
    const r = resolve(root);
    return this.watchers.watch({ root: r, projectRoot: r, project: id, agentId: null });
  }

  /** Starts watching an agent's DevMesh worktree, if it has one that exists. */
  watchAgent(record: AgentRecord): Promise<void> {
    const wt = record.worktree;
    if (!wt || !existsSync(wt.path)) return Promise.resolve();
    const root = resolve(wt.path);
    const project = this.projectAt(wt.repo) ?? record.project;
    const projectRoot = project !== null ? this.rootOf(project, wt.repo) : resolve(wt.repo);
    return this.watchers.watch({ root, projectRoot, project, agentId: record.id });
  }

  private unwatchProject(id: string): void {
    for (const o of this.watchers.owners()) if (o.agentId === null && o.project === id) this.watchers.unwatch(o.root);
  }

  private batch(owner: WatchOwner, changes: RawChange[]): void {
    const ts = Date.now();
    const { root, project, agentId } = owner;
    this.journal.append({ ts, root, project, agentId, changes });
    const paths = changes.slice(0, FILES_EVENT_MAX_PATHS).map((c) => c.path);
    this.deps.events.emit({ type: 'files.changed', ts, root, project, agentId, paths, count: changes.length });
    if (agentId !== null) this.deps.events.emit({ type: 'review.changed', ts, agentId, path: root });
    try {
      this.bypasses.inspect({ ...owner, changes });
    } catch (err) {
      this.deps.logger.error({ domain: 'files', root, err: (err as Error)?.message }, 'could not check a batch');
    }
  }

  private agentId(ref: string): string {
    try {
      return this.deps.agents.get(ref).id;
    } catch {
      return ref; // not an agent here: nothing of its is left out
    }
  }

  private projectAt(repo: string): string | null {
    const want = [resolve(repo), FilesModule.real(repo)];
    return (
      this.deps.projects.all().find((p) => want.includes(p.root) || want.includes(FilesModule.real(p.root)))?.id ?? null
    );
  }

  private rootOf(project: string, fallback: string): string {
    try {
      return this.deps.projects.resolve(project).root;
    } catch {
      return resolve(fallback); // the project closed: its repository is the lock space
    }
  }

  private static real(path: string): string {
    try {
      return realpathSync.native(path);
    } catch {
      return resolve(path); // gone: compared as given
    }
  }

  async dispose(): Promise<void> {
    for (const s of this.subscriptions) s.dispose();
    this.journal.dispose();
    await this.watchers.dispose();
  }
}
