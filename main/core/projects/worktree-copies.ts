// Copies of a project running from its git worktrees (an agent's branch) beside the main checkout: which
// worktree a request names (an agent, a branch or a path), opening its devmesh.yaml as the copy, and
// closing an agent's copies (stopping their services) when the agent stops or is removed.
import { existsSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Logger } from 'pino';
import type { AgentRecord } from '../../../shared/agent.js';
import { DevMeshError } from '../../../shared/errors.js';
import type { ProjectInfo, WorktreeCopy } from '../../../shared/service.js';
import type { Disposable } from '../base/disposable.js';
import type { Project } from './project.js';
import type { ProjectManager } from './project-manager.js';
import { dnsLabel } from './worktree-copy.js';

type CopyAgent = Pick<AgentRecord, 'id' | 'name' | 'project' | 'worktree' | 'status'>;

export interface WorktreeCopiesDeps {
  projects: Pick<ProjectManager, 'open' | 'close' | 'resolve' | 'all' | 'shared'>;
  agents: {
    /** an agent by id or name, or null */
    find(idOrName: string): CopyAgent | null;
    list(): CopyAgent[];
  };
  worktrees: {
    list(repoDir: string): Promise<Array<{ path: string; branch: string | null }>>;
    topLevel(dir: string): Promise<string>;
  };
  logger: Logger;
}

/** What the agents domain tells of its agents: a status change, a removal. */
export interface AgentLifecycle {
  onDidChangeStatus(listener: (e: { to: string; record: CopyAgent }) => void): Disposable;
  onDidRemove(listener: (record: CopyAgent) => void): Disposable;
}

interface Found {
  main: Project;
  /** the worktree's folder */
  path: string;
  branch: string | null;
  agentId: string | null;
}

export class WorktreeCopies {
  constructor(private readonly deps: WorktreeCopiesDeps) {}

  /**
   * Opens (idempotent) the copy of `project` (omitted: the agent's, or the only open one) in the worktree that
   * `worktree` names: an agent by id or name, a branch, or an absolute path inside a worktree.
   */
  async open(input: { project?: string; worktree: string }): Promise<ProjectInfo> {
    const found = await this.find(input.project, input.worktree);
    if (found.branch === null) {
      throw new DevMeshError(
        'BAD_REQUEST',
        `the worktree ${found.path} has a detached HEAD: its services are named by branch; check out a branch there`,
      );
    }
    const repo = await this.deps.worktrees.topLevel(found.main.root);
    const inRepo = relative(WorktreeCopies.real(repo), WorktreeCopies.real(found.main.configPath));
    if (inRepo.startsWith('..') || isAbsolute(inRepo)) {
      throw new DevMeshError(
        'BAD_REQUEST',
        `project '${found.main.id}' (${found.main.configPath}) is not in the repository ${repo} of the worktree ` +
          `${found.path}; name the project of that repository with --project`,
      );
    }
    const copy: WorktreeCopy = {
      of: found.main.id,
      branch: found.branch,
      label: dnsLabel(found.branch),
      agentId: found.agentId,
    };
    const info = await this.deps.projects.open(join(found.path, inRepo), copy);
    this.deps.logger.info({ copy: info.id, root: info.root, agent: copy.agentId }, 'worktree copy opened');
    return info;
  }

  /**
   * Refuses to open a folder in a git worktree of an open project's repository as a project of its own: its
   * devmesh.yaml names the main checkout's project (or runs its services a second time on their ports), so it
   * runs as that project's copy instead (`devmesh start --worktree`). Anything else opens as before.
   */
  async refuseProjectInWorktree(root: string): Promise<void> {
    const start = WorktreeCopies.folderOf(resolve(root));
    if (start === null || !WorktreeCopies.inLinkedWorktree(start)) return; // the cheap test: `.git` is a file
    let top: string;
    let listed: Array<{ path: string; branch: string | null }>;
    try {
      top = await this.deps.worktrees.topLevel(start);
      listed = await this.deps.worktrees.list(top);
    } catch (err) {
      // not git's worktree after all (or git failed): the folder opens as a project, as it did before
      this.deps.logger.debug({ root, err: (err as Error).message }, 'worktree check skipped');
      return;
    }
    const repo = listed[0]; // `git worktree list` names the main worktree first
    if (repo === undefined || WorktreeCopies.real(repo.path) === WorktreeCopies.real(top)) return;
    const repoDir = WorktreeCopies.real(repo.path);
    const main = this.deps.projects.shared().find((p) => (WorktreeCopies.real(p.root) + sep).startsWith(repoDir + sep));
    if (main === undefined) return;
    const branch = listed.find((w) => WorktreeCopies.real(w.path) === WorktreeCopies.real(top))?.branch ?? null;
    const names = branch === null ? null : WorktreeCopies.labelOrNull(branch);
    throw new DevMeshError(
      'BAD_REQUEST',
      `${top} is a git worktree (${branch === null ? 'detached HEAD' : `branch ${branch}`}) of project ` +
        `${main.id}, which is open from ${main.root}: a worktree runs as the project's copy, beside the main ` +
        `checkout, not as a project of its own. Start it with \`devmesh start --all --worktree ${top}\` ` +
        '(or name services instead of --all)' +
        (names === null
          ? branch === null
            ? '; check out a branch there first: a copy is named by its branch'
            : ''
          : `; its services answer at http://<service>.${names}.localhost`),
    );
  }

  /** Closes the copies an agent's stop or removal ends: the next status change to `exited`, or the removal. */
  follow(agents: AgentLifecycle): Disposable {
    const subscriptions = [
      agents.onDidChangeStatus((e) => {
        if (e.to === 'exited') this.closeInBackground(e.record, 'its agent stopped');
      }),
      agents.onDidRemove((record) => this.closeInBackground(record, 'its agent was removed')),
    ];
    return { dispose: () => subscriptions.forEach((s) => s.dispose()) };
  }

  /** Stops and closes every copy the agent works in (by its id, or in its worktree's folder). */
  async closeFor(agent: CopyAgent): Promise<string[]> {
    const folder = agent.worktree ? resolve(agent.worktree.path) : null;
    const copies = this.deps.projects
      .all()
      .filter(
        (p) =>
          p.worktree !== null &&
          (p.worktree.agentId === agent.id || (folder !== null && (p.root + sep).startsWith(folder + sep))),
      );
    const closed: string[] = [];
    for (const copy of copies) {
      // a copy closed meanwhile (its main checkout closed, or a request) is no failure
      if (this.deps.projects.all().includes(copy)) closed.push(await this.deps.projects.close(copy.id));
    }
    return closed;
  }

  private closeInBackground(agent: CopyAgent, why: string): void {
    this.closeFor(agent).then(
      (closed) => {
        if (closed.length) this.deps.logger.info({ agent: agent.id, closed }, `worktree copy closed: ${why}`);
      },
      (err: Error) =>
        this.deps.logger.warn({ agent: agent.id, err: err.message }, `could not close a worktree copy (${why})`),
    );
  }

  private async find(projectRef: string | undefined, ref: string): Promise<Found> {
    const agent = this.deps.agents.find(ref);
    if (agent !== null) {
      if (agent.worktree === null) {
        throw new DevMeshError(
          'BAD_REQUEST',
          `agent "${agent.name}" works in no worktree of its own (it runs in its project's checkout); ` +
            'start an agent with a worktree to run a copy of the app beside the main one',
        );
      }
      const { path, branch, repo } = agent.worktree;
      const main = projectRef !== undefined ? this.main(projectRef) : this.mainOf(agent, repo);
      return { main, path, branch, agentId: agent.id };
    }
    const main = this.main(projectRef ?? (isAbsolute(ref) ? ref : undefined), projectRef === undefined);
    const repo = await this.deps.worktrees.topLevel(main.root);
    const worktrees = (await this.deps.worktrees.list(repo)).filter((w) => resolve(w.path) !== resolve(repo));
    const match = isAbsolute(ref)
      ? worktrees
          .filter((w) => (resolve(ref) + sep).startsWith(resolve(w.path) + sep))
          .sort((a, b) => b.path.length - a.path.length)[0]
      : worktrees.find((w) => w.branch === ref || w.branch === `refs/heads/${ref}`);
    if (match === undefined) {
      const agents = this.deps.agents
        .list()
        .filter((a) => a.worktree !== null)
        .map((a) => `${a.name} (${a.worktree!.branch})`);
      throw new DevMeshError(
        'AGENT_NOT_FOUND',
        `no agent, branch or worktree named "${ref}" in ${repo}; ` +
          `agents with a worktree: ${agents.join(', ') || '(none)'}; ` +
          `worktrees: ${worktrees.map((w) => w.branch ?? w.path).join(', ') || '(none)'} (\`devmesh agent ls\`)`,
      );
    }
    const owner = this.deps.agents
      .list()
      .find((a) => a.worktree !== null && resolve(a.worktree.path) === resolve(match.path));
    return { main, path: match.path, branch: match.branch, agentId: owner?.id ?? null };
  }

  /** A main checkout by reference (a copy's id names the project it copies). */
  private main(ref: string | undefined, fallBack = false): Project {
    let project: Project;
    try {
      project = this.deps.projects.resolve(ref);
    } catch (err) {
      if (!fallBack || ref === undefined) throw err;
      project = this.deps.projects.resolve(undefined); // a worktree outside every project's folder
    }
    return project.worktree === null ? project : this.deps.projects.resolve(project.worktree.of);
  }

  /** The main checkout an agent's worktree copies: the project it was started in, else the one in its repository. */
  private mainOf(agent: CopyAgent, repo: string): Project {
    if (agent.project !== null) {
      const named = this.deps.projects.shared().find((p) => p.id === agent.project || p.root === agent.project);
      if (named) return named;
    }
    const top = resolve(repo);
    const inRepo = this.deps.projects.shared().filter((p) => (p.root + sep).startsWith(top + sep));
    if (inRepo.length === 1) return inRepo[0]!;
    throw new DevMeshError(
      inRepo.length === 0 ? 'PROJECT_NOT_FOUND' : 'PROJECT_AMBIGUOUS',
      inRepo.length === 0
        ? `agent "${agent.name}" works in ${top}, where no project is open: open it first (devmesh open ${top})`
        : `several open projects are in ${top} (${inRepo.map((p) => p.id).join(', ')}): name one with --project`,
    );
  }

  /** the folder a project path names (its devmesh.yaml's folder), or null when it does not exist */
  private static folderOf(path: string): string | null {
    if (!existsSync(path)) return existsSync(dirname(path)) ? dirname(path) : null;
    return statSync(path).isFile() ? dirname(path) : path;
  }

  /** a `.git` file (not a folder) at the nearest level holding one: a linked worktree (or a submodule) */
  private static inLinkedWorktree(dir: string): boolean {
    for (let at = dir; ; at = dirname(at)) {
      const dotGit = join(at, '.git');
      if (existsSync(dotGit)) return statSync(dotGit).isFile();
      if (dirname(at) === at) return false;
    }
  }

  private static labelOrNull(branch: string): string | null {
    try {
      return dnsLabel(branch);
    } catch (err) {
      if (err instanceof DevMeshError) return null; // a branch with no letter or digit: named in the message
      throw err;
    }
  }

  private static real(path: string): string {
    return existsSync(path) ? realpathSync(path) : resolve(path);
  }
}
