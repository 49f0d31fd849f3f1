// Git worktrees for agents: each agent can work on a new branch in its own folder, so several agents (and
// the developer) edit one repository without stepping on each other. Worktrees go under
// `<repo>/.devmesh/worktrees/<branch>` (or a configured root), and `.devmesh/` is added to the repository's
// local exclude file so the main worktree's `git status` stays clean.
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { DevMeshError } from '../../../shared/errors.js';
import { GitRunner, type GitResult } from '../base/git-runner.js';

export interface WorktreeInfo {
  path: string;
  /** null for a detached HEAD */
  branch: string | null;
  head: string | null;
  /** under DevMesh's worktree root (created for an agent) */
  managed: boolean;
}

export interface CreatedWorktree {
  path: string;
  branch: string;
  /** the repository's top level (its main worktree) */
  repo: string;
}

export class WorktreeManager {
  private readonly runner: GitRunner;

  /** `root`: where worktrees go; relative to the repository when not absolute (default `.devmesh/worktrees`). */
  constructor(
    private readonly root: string | null = null,
    gitExecutable = 'git',
    /** the environment git runs in (the user's login-shell env: their git, SSH agent, credential helpers) */
    env: NodeJS.ProcessEnv = process.env,
    /** per git call (a `worktree add` runs the post-checkout hook) */
    timeoutMs = 30_000,
  ) {
    // a timeout refuses the call (TIMEOUT) and stops the hook git runs: it is never read as git's exit code
    this.runner = new GitRunner({ executable: gitExecutable, env, timeoutMs });
  }

  async create(input: { repo: string; branch: string; base?: string }): Promise<CreatedWorktree> {
    const repo = await this.topLevel(input.repo);
    const branch = input.branch;
    const valid = await this.git(repo, ['check-ref-format', '--branch', branch]);
    if (valid.code !== 0 || branch.startsWith('-')) {
      throw new DevMeshError(
        'BAD_REQUEST',
        `"${branch}" is not a valid git branch name (in ${repo}); use letters, digits, / - _ . without spaces, e.g. feature-x`,
      );
    }
    const exists = await this.git(repo, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`]);
    if (exists.code === 0) {
      throw new DevMeshError(
        'CONFLICT',
        `branch "${branch}" already exists in ${repo}; pick a new branch name for the agent's worktree, or delete the old branch (git branch -D ${branch})`,
      );
    }
    const path = join(this.rootFor(repo), branch);
    if (existsSync(path)) {
      throw new DevMeshError(
        'CONFLICT',
        `${path} already exists; remove it (git worktree remove ${path}) or pick another branch name`,
      );
    }
    if (input.base !== undefined) {
      const base = await this.git(repo, ['rev-parse', '--verify', '--quiet', `${input.base}^{commit}`]);
      if (base.code !== 0)
        throw new DevMeshError(
          'BAD_REQUEST',
          `base "${input.base}" is not a branch or commit of ${repo}; check \`git branch -a\``,
        );
    }
    const head = await this.git(repo, ['rev-parse', '--verify', '--quiet', 'HEAD']);
    if (head.code !== 0 && input.base === undefined) {
      throw new DevMeshError(
        'BAD_REQUEST',
        `${repo} has no commit yet, so a worktree has nothing to start from; make a first commit`,
      );
    }
    this.excludeDevmeshFolder(await this.commonDir(repo));
    mkdirSync(dirname(path), { recursive: true });
    const added = await this.git(repo, [
      'worktree',
      'add',
      '-b',
      branch,
      path,
      ...(input.base !== undefined ? [input.base] : []),
    ]);
    if (added.code !== 0) {
      throw new DevMeshError(
        'INTERNAL',
        `git worktree add -b ${branch} ${path} failed in ${repo}: ${added.stderr.trim() || `exit code ${added.code}`}`,
      );
    }
    await this.recordBase(repo, branch, input.base);
    return { path, branch, repo };
  }

  // The branch this one lands on when its work is reviewed (main/core/review/base-branch.ts reads
  // `branch.<name>.devmeshBase`): the base named when it is a branch, else the repository's current branch.
  private async recordBase(repo: string, branch: string, base: string | undefined): Promise<void> {
    let landsOn = '';
    if (
      base !== undefined &&
      (await this.git(repo, ['show-ref', '--verify', '--quiet', `refs/heads/${base}`])).code === 0
    )
      landsOn = base;
    else {
      const current = await this.git(repo, ['symbolic-ref', '--quiet', '--short', 'HEAD']);
      if (current.code === 0) landsOn = current.stdout.trim();
    }
    if (landsOn !== '') await this.git(repo, ['config', `branch.${branch}.devmeshBase`, landsOn]);
  }

  /**
   * Removes a worktree (refused by git when it has uncommitted changes, unless `force`), then optionally its
   * branch: `git branch -d` (refused when unmerged), or `-D` with `force`.
   */
  async remove(input: {
    repo: string;
    path: string;
    branch?: string;
    deleteBranch?: boolean;
    force?: boolean;
  }): Promise<void> {
    const repo = await this.topLevel(input.repo);
    if (existsSync(input.path)) {
      const removed = await this.git(repo, ['worktree', 'remove', ...(input.force ? ['--force'] : []), input.path]);
      if (removed.code !== 0) {
        const why = removed.stderr.trim() || `exit code ${removed.code}`;
        throw new DevMeshError(
          'CONFLICT',
          `cannot remove the worktree ${input.path}: ${why}; commit or discard its changes, or remove it with force`,
        );
      }
    } else {
      await this.git(repo, ['worktree', 'prune']); // its folder is gone already: forget it
    }
    if (input.deleteBranch && input.branch) {
      const deleted = await this.git(repo, ['branch', input.force ? '-D' : '-d', input.branch]);
      if (deleted.code !== 0) {
        throw new DevMeshError(
          'CONFLICT',
          `the worktree is removed but branch "${input.branch}" was kept: ${deleted.stderr.trim()}; merge it first, or delete it with force (git branch -D ${input.branch})`,
        );
      }
    }
  }

  async list(repoDir: string): Promise<WorktreeInfo[]> {
    const repo = await this.topLevel(repoDir);
    const out = await this.git(repo, ['worktree', 'list', '--porcelain']);
    if (out.code !== 0) throw new DevMeshError('INTERNAL', `git worktree list failed in ${repo}: ${out.stderr.trim()}`);
    const root = this.rootFor(repo);
    const worktrees: WorktreeInfo[] = [];
    let current: WorktreeInfo | null = null;
    for (const line of out.stdout.split('\n')) {
      if (line.startsWith('worktree ')) {
        const path = line.slice('worktree '.length);
        current = { path, branch: null, head: null, managed: path.startsWith(root + '/') };
        worktrees.push(current);
      } else if (current && line.startsWith('HEAD ')) {
        current.head = line.slice(5);
      } else if (current && line.startsWith('branch ')) {
        current.branch = line.slice(7).replace(/^refs\/heads\//, '');
      }
    }
    return worktrees;
  }

  /** The repository's top level for a folder inside it; a clear error when it is not in a git repository. */
  async topLevel(dir: string): Promise<string> {
    if (!existsSync(dir))
      throw new DevMeshError('BAD_REQUEST', `${dir} does not exist; give an existing repository folder`);
    const out = await this.git(dir, ['rev-parse', '--show-toplevel']);
    if (out.code !== 0) {
      throw new DevMeshError(
        'BAD_REQUEST',
        `${dir} is not inside a git repository, so DevMesh cannot add a worktree there; run \`git init\` and commit, or start the agent without --worktree`,
      );
    }
    return out.stdout.trim();
  }

  private rootFor(repo: string): string {
    if (this.root === null) return join(repo, '.devmesh', 'worktrees');
    return isAbsolute(this.root)
      ? join(this.root, repo.split('/').filter(Boolean).pop() ?? 'repo')
      : resolve(repo, this.root);
  }

  private async commonDir(repo: string): Promise<string> {
    const out = await this.git(repo, ['rev-parse', '--git-common-dir']);
    return resolve(repo, out.stdout.trim());
  }

  // Only for the default root inside the repository: a root elsewhere does not show up in `git status`.
  private excludeDevmeshFolder(commonDir: string): void {
    if (this.root !== null && isAbsolute(this.root)) return;
    const exclude = join(commonDir, 'info', 'exclude');
    const entry = this.root === null ? '/.devmesh/' : `/${this.root.replace(/^\.\//, '').split('/')[0]}/`;
    const current = existsSync(exclude) ? readFileSync(exclude, 'utf8') : '';
    if (current.split('\n').includes(entry)) return;
    mkdirSync(dirname(exclude), { recursive: true });
    appendFileSync(
      exclude,
      `${current && !current.endsWith('\n') ? '\n' : ''}# added by DevMesh: agent worktrees\n${entry}\n`,
    );
  }

  private git(cwd: string, args: string[]): Promise<GitResult> {
    return this.runner.run(cwd, args);
  }
}
