// AI coding agents in terminals: the manager, which CLIs are installed, and the profiles they run with.
// Its status changes go on the event bus; input typed into an agent's terminal reaches the manager.
import type { Logger } from 'pino';
import type { Disposable } from '../base/disposable.js';
import type { DevMeshHome } from '../home/devmesh-home.js';
import { projectRootOf } from '../project-views.js';
import type { ProjectsModule } from '../projects/projects-module.js';
import { WorktreeCopies } from '../projects/worktree-copies.js';
import type { AgentSettings } from '../settings/user-settings.js';
import type { StoreModule } from '../store/store-module.js';
import type { TerminalsModule } from '../terminals/terminals-module.js';
import { AgentDetector } from './agent-detector.js';
import { AgentManager } from './agent-manager.js';
import { AgentProfiles } from './agent-profiles.js';
import { AgentSessionSetup, type AgentSessionSetupDeps } from './agent-session-setup.js';
import { AgentStore } from './agent-store.js';
import { AgentSupervisor } from './agent-supervisor.js';
import { SystemLockClock } from '../locks/lock-clock.js';
import { ManagedTerminalLauncher } from './managed-terminal-launcher.js';
import { ResourceBudget, type MeasuredMemory } from './resource-budget.js';
import type { DevMeshCommandLineSpec } from './session-command-line.js';
import { WorktreeManager } from './worktree-manager.js';

export interface AgentsModuleDeps {
  home: DevMeshHome;
  store: StoreModule;
  projects: ProjectsModule;
  terminals: TerminalsModule;
  settings: AgentSettings;
  /** how agents' generated files run `devmesh` again; null: agents get none of them */
  devmeshCommand: DevMeshCommandLineSpec | null;
  logger: Logger;
  /** where each launch's CLI sends its token and cost figures (the usage domain) */
  telemetry?: AgentSessionSetupDeps['telemetry'];
  /** the machine's measured memory (the metrics domain): starts are refused when it is short */
  memory?: MeasuredMemory;
}

export class AgentsModule implements Disposable {
  readonly manager: AgentManager;
  readonly detector: AgentDetector;
  readonly profiles: AgentProfiles;
  /** the files and flags each launch gets (MCP server, hooks) */
  readonly session: AgentSessionSetup;
  /** relaunches agents whose CLI crashed, with the services' backoff */
  readonly supervisor: AgentSupervisor;
  /** the projects' copies in agents' worktrees, closed when their agent stops or is removed */
  readonly copies: WorktreeCopies;
  private readonly subscriptions: Disposable[];

  constructor(deps: AgentsModuleDeps) {
    const { home, store, projects, terminals, settings } = deps;
    const logger = deps.logger.child({ domain: 'agents' });
    this.profiles = new AgentProfiles(settings.profiles);
    this.detector = new AgentDetector({ env: store.baseEnv });
    this.session = new AgentSessionSetup({
      homeDir: home.dir,
      devmesh: deps.devmeshCommand,
      baseEnv: store.baseEnv,
      logger,
      telemetry: deps.telemetry,
    });
    const worktrees = new WorktreeManager(settings.worktreeRoot, 'git', store.baseEnv);
    this.manager = new AgentManager({
      store: new AgentStore(store.database, store.health),
      launcher: new ManagedTerminalLauncher(terminals.manager),
      profiles: this.profiles,
      worktrees,
      budget: new ResourceBudget(settings.budget, { memory: deps.memory, minFreeRamGb: settings.minFreeRamGb }),
      projects: { rootOf: (ref) => projectRootOf(projects.manager, ref) },
      session: this.session,
      logger,
    });
    this.supervisor = new AgentSupervisor({
      agents: this.manager,
      clock: new SystemLockClock((err) => logger.warn({ err: String(err) }, 'an agent relaunch timer threw')),
      emit: (e) => store.events.emit(e),
      logger,
    });
    this.copies = new WorktreeCopies({
      projects: projects.manager,
      agents: { find: (ref) => AgentsModule.find(this.manager, ref), list: () => this.manager.list() },
      worktrees,
      logger: deps.logger.child({ domain: 'projects' }),
    });
    this.subscriptions = [
      this.copies.follow(this.manager),
      this.manager.supervise(this.supervisor),
      this.manager.onDidChangeStatus((e) => store.events.emit(e)),
      terminals.onInput((id) => this.manager.noteTerminalInput(id)),
    ];
  }

  private static find(manager: AgentManager, ref: string): ReturnType<AgentManager['get']> | null {
    try {
      return manager.get(ref);
    } catch {
      return null; // get throws BAD_REQUEST for a name no agent has: "no such agent" is the answer here
    }
  }

  dispose(): void {
    this.supervisor.dispose(); // no relaunch once DevMesh is closing
    for (const s of this.subscriptions) s.dispose();
    this.manager.dispose();
  }
}
