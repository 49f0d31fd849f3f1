// Who a project is across machines: the same repository on two machines is one project, so teammates' daemons
// can agree on it and compare paths repo-relative (locks, tasks). Computed with the user's git, once per open.
//
// The key is sha256(rootCommit + "\n" + subPath), hex, truncated to 16 characters, where
// - rootCommit is the OLDEST commit without parents reachable from HEAD (`git log --max-parents=0`; ties by
//   hash). A history merged in later (`--allow-unrelated-histories`) adds a root but, being younger as a rule,
//   leaves the oldest in place, so a teammate who has pulled the merge and one who has not keep one key. All
//   roots sorted would split them the moment the merge lands.
// - subPath is the project's folder inside the repository: two projects of one monorepo are two projects.
// The remote is NOT in the key: it is spelt per machine (ssh or https, a fork, a mirror, a local path), while
// a commit hash is the history itself. A fork is therefore the same project as its upstream (they share files
// and paths); unrelated repositories pushed to one URL are not. The normalized remote is shown as a hint.
// A git worktree has the same root commit and subPath, so an agent's worktree has its checkout's key.
//
// When git cannot say (no git, not a repository, no commit yet, a shallow clone whose first commit is not here,
// a broken repository) the identity is local-only: a key from this machine's name and the folder, marked so the
// mesh never matches it with a teammate's, and the reason. Identifying never throws.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { hostname } from 'node:os';
import { isAbsolute, relative, sep } from 'node:path';
import { DevMeshError } from '../../../shared/errors.js';
import type { ProjectIdentityInfo } from '../../../shared/service.js';
import { normalizeRemoteUrl } from './remote-url.js';

export interface ProjectIdentity extends ProjectIdentityInfo {
  /** this checkout's top level (symlinks resolved); the project root when git cannot say */
  repoRoot: string;
  /** the project's folder (symlinks resolved) */
  projectRoot: string;
}

export interface ProjectIdentityResolverDeps {
  /** the environment git runs in (the core's base environment); its GIT_* variables are dropped */
  env: NodeJS.ProcessEnv;
  gitExecutable?: string;
  /** per git call; a hung git (a network file system) gives a local-only identity, not a stuck open */
  timeoutMs?: number;
}

interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

const KEY_LENGTH = 16;

export class ProjectIdentityResolver {
  private readonly env: NodeJS.ProcessEnv;

  constructor(private readonly deps: ProjectIdentityResolverDeps) {
    // GIT_DIR, GIT_WORK_TREE, GIT_INDEX_FILE… (set when the daemon starts from a git hook) would make git
    // describe another repository than the project's folder.
    const kept = Object.entries(deps.env).filter(
      ([name]) => !name.startsWith('GIT_') || name === 'GIT_CEILING_DIRECTORIES',
    );
    this.env = { ...Object.fromEntries(kept), GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' };
  }

  /** The identity of the project whose folder is `root`; local-only with the reason when git cannot say. */
  async identify(root: string): Promise<ProjectIdentity> {
    let projectRoot: string;
    try {
      projectRoot = realpathSync.native(root);
    } catch (err) {
      return localOnly(root, `cannot read ${root}: ${(err as Error).message}`);
    }
    try {
      return await this.fromGit(projectRoot);
    } catch (err) {
      return localOnly(projectRoot, (err as Error).message);
    }
  }

  private async fromGit(projectRoot: string): Promise<ProjectIdentity> {
    // Three independent questions at once: where (top level, prefix, shallow), the roots, the remotes.
    const [where, roots, remotes] = await Promise.all([
      this.git(projectRoot, ['rev-parse', '--show-toplevel', '--show-prefix', '--is-shallow-repository']),
      this.git(projectRoot, ['log', '--max-parents=0', '--format=%ct %H', 'HEAD']),
      this.git(projectRoot, ['config', '--get-regexp', '^remote\\..*\\.url$']),
    ]);
    if (where.code !== 0) {
      const why = firstLine(where.stderr);
      const notRepo = /not a git repository/i.test(why);
      throw new Error(notRepo ? `${projectRoot} is not inside a git repository` : `git rev-parse failed: ${why}`);
    }
    const [top = '', prefix = '', shallow = 'false'] = where.stdout.split('\n');
    const repoRoot = top;
    const subPath = prefix.replace(/\/+$/, '');
    const remote = pickRemote(remotes.code === 0 ? remotes.stdout : '', repoRoot);
    const base = { remote, subPath, repoRoot, projectRoot };
    if (roots.code !== 0 || roots.stdout.trim() === '') {
      const why = firstLine(roots.stderr);
      const empty = /does not have any commits|unknown revision|bad default revision/i.test(why);
      return localOnly(projectRoot, empty ? `${repoRoot} has no commit yet` : `git log failed: ${why}`, base);
    }
    if (shallow === 'true') {
      const why = `${repoRoot} is a shallow clone, so its first commit is not here; run \`git fetch --unshallow\``;
      return localOnly(projectRoot, why, base);
    }
    const rootCommit = oldestRoot(roots.stdout);
    return { key: digest(`${rootCommit}\n${subPath}`), rootCommit, localOnly: false, ...base };
  }

  private git(cwd: string, args: string[]): Promise<GitResult> {
    const executable = this.deps.gitExecutable ?? 'git';
    const timeoutMs = this.deps.timeoutMs ?? 10_000;
    return new Promise((done, fail) => {
      execFile(
        executable,
        args,
        { cwd, env: this.env, timeout: timeoutMs, maxBuffer: 1024 * 1024 },
        (err, out, errOut) => {
          const e = err as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean }) | null;
          if (e && typeof e.code === 'string') {
            fail(new Error(`cannot run ${executable} (${e.code}); install git and make sure it is on PATH`));
          } else if (e?.killed) {
            fail(new Error(`git ${args[0]} did not answer within ${timeoutMs} ms in ${cwd}`));
          } else {
            done({ code: e ? Number(e.code ?? 1) : 0, stdout: String(out), stderr: String(errOut) });
          }
        },
      );
    });
  }
}

/**
 * `path` (absolute, inside the project) as a POSIX path from the repository's top level, symlinks resolved,
 * as teammates' machines spell it. A path outside the project, through `..` or a symlink, is refused. Give it
 * the identity of the checkout the path is in (an agent's worktree has its own repoRoot, and the same key).
 */
export function repoRelative(identity: ProjectIdentity, path: string): string {
  if (!isAbsolute(path)) {
    throw new DevMeshError(
      'BAD_REQUEST',
      `${path} is not an absolute path; give the full path of a file in ${identity.projectRoot}`,
    );
  }
  const real = realPathOf(path);
  const inside = real === identity.projectRoot || real.startsWith(identity.projectRoot + sep);
  if (!inside) {
    throw new DevMeshError(
      'BAD_REQUEST',
      `${path} is outside the project ${identity.projectRoot}${real === path ? '' : ` (it leads to ${real})`}; give a path inside it`,
    );
  }
  return relative(identity.repoRoot, real).split(sep).join('/');
}

/** realpath(3) of the longest part of `path` that exists, and the rest after it (a file not yet created). */
function realPathOf(path: string): string {
  const parts = path.split(sep);
  for (let n = parts.length; n > 1; n--) {
    let head: string;
    try {
      // The native call resolves `link/..` as the kernel does; Node's JS realpath would first drop the pair.
      head = realpathSync.native(parts.slice(0, n).join(sep));
    } catch {
      continue; // this part does not exist (yet): try its parent
    }
    const rest = parts.slice(n).filter((p) => p !== '' && p !== '.');
    if (rest.includes('..')) {
      throw new DevMeshError(
        'BAD_REQUEST',
        `${path} goes up (..) through folders that do not exist; give a plain path`,
      );
    }
    return [head, ...rest].join(sep);
  }
  return path;
}

/** The oldest root commit from `git log --format='%ct %H'` lines; ties by hash, so every machine agrees. */
function oldestRoot(lines: string): string {
  const roots = lines
    .trim()
    .split('\n')
    .map((line) => {
      const [time = '0', hash = ''] = line.trim().split(' ');
      return { time: Number(time), hash };
    });
  roots.sort((a, b) => a.time - b.time || (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
  return roots[0]!.hash;
}

/** `origin`'s URL, or the first remote's in config order, normalized; null without remotes. */
function pickRemote(configLines: string, repoRoot: string): string | null {
  const remotes = configLines
    .split('\n')
    .map((line) => /^remote\.(.+)\.url (.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ name: m[1]!, url: m[2]! }));
  const chosen = remotes.find((r) => r.name === 'origin') ?? remotes[0];
  return chosen ? normalizeRemoteUrl(chosen.url, repoRoot) : null;
}

function localOnly(
  projectRoot: string,
  reason: string,
  found: Partial<Pick<ProjectIdentity, 'remote' | 'subPath' | 'repoRoot'>> = {},
): ProjectIdentity {
  return {
    // This machine's name is in it: the same folder on a teammate's machine is not the same project.
    key: `local-${digest(`local-only\n${hostname()}\n${projectRoot}`)}`,
    rootCommit: null,
    remote: found.remote ?? null,
    subPath: found.subPath ?? '',
    localOnly: true,
    reason,
    repoRoot: found.repoRoot ?? projectRoot,
    projectRoot,
  };
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, KEY_LENGTH);
}

function firstLine(text: string): string {
  return (
    text
      .trim()
      .split('\n')[0]
      ?.replace(/^fatal: /, '') || 'no message'
  );
}
