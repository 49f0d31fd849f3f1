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
import { spawn } from 'node:child_process';

/** at most this many ignored folders go to the watcher (past it the rest are filtered per batch) */
const MAX_IGNORED_DIRS = 2_000;
const GIT_TIMEOUT_MS = 30_000;

interface GitRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface GitIgnoreFilterDeps {
  /** the folder watched (a repository's checkout or one of its worktrees) */
  root: string;
  /** the environment git runs in (the user's login-shell environment) */
  env?: NodeJS.ProcessEnv;
  git?: string;
}

export class GitIgnoreFilter {
  /** null until the first answer: is `root` inside a git work tree? */
  private inRepo: boolean | null = null;

  constructor(private readonly deps: GitIgnoreFilterDeps) {}

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

  private git(args: string[], input?: string): Promise<GitRun> {
    return new Promise((resolve) => {
      const child = spawn(this.deps.git ?? 'git', ['-c', 'core.quotePath=false', ...args], {
        cwd: this.deps.root,
        env: { ...(this.deps.env ?? process.env), GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' },
        stdio: ['pipe', 'pipe', 'pipe'],
        timeout: GIT_TIMEOUT_MS,
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4096)));
      // a folder deleted under us, git missing: answered as "nothing ignored", never thrown
      child.on('error', (err) => resolve({ code: null, stdout: '', stderr: err.message }));
      child.stdin.on('error', () => undefined); // git may exit before reading all of stdin (EPIPE)
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(input ?? '');
    });
  }
}
