// The project's own ignores, as git reads them (.gitignore files at every level, .git/info/exclude, the
// user's core.excludesFile): asked of git itself rather than re-implemented, so DevMesh and `git status` never
// disagree. Two questions, both answered by one git process:
// - at a watcher's start, the ignored folders (`git ls-files --others --ignored --exclude-standard
//   --directory`): handed to @parcel/watcher as ignored paths, so a `dist/` or `.venv/` is never crawled nor
//   given inotify watches (the watcher's cost stays bounded by what the user cares about);
// - for each debounced batch, which of its paths are ignored (`git check-ignore --stdin -z`): a new `*.log`
//   file, or one under a folder that became ignored after the start. Tracked files are never reported ignored.
// Outside a git repository nothing is ignored beyond the watcher's own list (.git, node_modules, .devmesh).
// https://git-scm.com/docs/git-check-ignore, https://git-scm.com/docs/git-ls-files
import { GitRunner } from '../base/git-runner.js';

/** at most this many ignored folders go to the watcher (past it the rest are filtered per batch) */
const MAX_IGNORED_DIRS = 2_000;
const GIT_TIMEOUT_MS = 30_000;

export interface GitIgnoreFilterDeps {
  /** the folder watched (a repository's checkout or one of its worktrees) */
  root: string;
  /** the environment git runs in (the user's login-shell environment) */
  env?: NodeJS.ProcessEnv;
  git?: string;
  /** per git call (default 30 s) */
  timeoutMs?: number;
}

export class GitIgnoreFilter {
  /** null until the first answer: is `root` inside a git work tree? */
  private inRepo: boolean | null = null;
  private readonly runner: GitRunner;

  constructor(private readonly deps: GitIgnoreFilterDeps) {
    // pathspecs as git reads them by default: the filter asked so before it shared the runner
    const { env, git: executable, timeoutMs = GIT_TIMEOUT_MS } = deps;
    this.runner = new GitRunner({ executable, env, timeoutMs, literalPathspecs: false });
  }

  /** Root-relative POSIX paths of the ignored folders (none outside a repository, or when git fails). */
  async ignoredDirs(): Promise<string[]> {
    const r = await this.git(['ls-files', '--others', '--ignored', '--exclude-standard', '--directory', '-z']);
    this.inRepo = r.code === 0;
    if (r.code !== 0) return [];
    return r.stdout
      .split('\0')
      .filter((p) => p.endsWith('/'))
      .map((p) => p.slice(0, -1))
      .slice(0, MAX_IGNORED_DIRS);
  }

  /** Which of these root-relative paths git ignores. */
  async ignored(paths: readonly string[]): Promise<Set<string>> {
    if (paths.length === 0 || this.inRepo === false) return new Set();
    const r = await this.git(['check-ignore', '--stdin', '-z'], `${paths.join('\0')}\0`);
    // 0: some are ignored, 1: none; anything else (128: not a repository) ignores nothing
    if (r.code === 128 && this.inRepo === null) this.inRepo = false;
    if (r.code !== 0) return new Set();
    return new Set(r.stdout.split('\0').filter((p) => p !== ''));
  }

  /** git's exit code and output; null when it could not run or answer in time (it and its children stopped) */
  private async git(args: string[], input?: string): Promise<{ code: number | null; stdout: string }> {
    try {
      const r = await this.runner.run(this.deps.root, args, input === undefined ? {} : { input });
      return { code: r.code, stdout: r.stdout };
    } catch {
      // a folder deleted under us, git missing (SPAWN_FAILED), a git that hangs (TIMEOUT): answered as "nothing
      // ignored", never thrown
      return { code: null, stdout: '' };
    }
  }
}
