// Runs git for the review domain: one child process per call, no shell, the user's environment (their git,
// identity and hooks), C locale so messages parse, and no prompt for credentials. Exit codes are answers
// here (`merge-tree` exits 1 on conflicts, `diff --no-index` on differences), so a non-zero exit resolves;
// only a git that cannot run at all rejects, with how to fix it.
import { execFile } from 'node:child_process';
import { DevMeshError } from '../../../shared/errors.js';

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
  /** the output went over `maxBuffer` and was cut */
  overflow: boolean;
}

export interface GitRunnerDeps {
  /** `git`, or an absolute path */
  executable?: string;
  /** the environment git runs in (the user's login-shell env) */
  env?: NodeJS.ProcessEnv;
  /** per call; a merge runs hooks, so it is generous (default 120 s) */
  timeoutMs?: number;
}

export class GitRunner {
  private readonly executable: string;

  constructor(private readonly deps: GitRunnerDeps = {}) {
    this.executable = deps.executable ?? 'git';
  }

  run(cwd: string, args: string[], options: { maxBuffer?: number } = {}): Promise<GitResult> {
    return new Promise((done, fail) => {
      execFile(
        this.executable,
        // quotePath off: paths come back as they are (the -z forms never quote; messages would otherwise);
        // literal pathspecs: a file named `*.ts` is that file, not a glob
        ['-c', 'core.quotePath=false', '--literal-pathspecs', ...args],
        {
          cwd,
          timeout: this.deps.timeoutMs ?? 120_000,
          maxBuffer: options.maxBuffer ?? 64 * 1024 * 1024,
          env: { ...(this.deps.env ?? process.env), GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', GIT_OPTIONAL_LOCKS: '0' },
        },
        (err, stdout, stderr) => {
          const e = err as (NodeJS.ErrnoException & { code?: number | string }) | null;
          const overflow = e?.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER';
          if (e && typeof e.code === 'string' && !overflow) {
            fail(
              new DevMeshError(
                'SPAWN_FAILED',
                `cannot run ${this.executable} in ${cwd} (${e.code}); install git and make sure it is on PATH`,
              ),
            );
            return;
          }
          const code = overflow ? 0 : e ? Number(e.code ?? 1) : 0;
          done({ code, stdout: String(stdout), stderr: String(stderr), overflow });
        },
      );
    });
  }

  /** Runs git and answers its stdout; a non-zero exit is an INTERNAL error naming the command and git's words. */
  async out(cwd: string, args: string[]): Promise<string> {
    const r = await this.run(cwd, args);
    if (r.code !== 0) throw GitRunner.failed(cwd, args, r);
    return r.stdout;
  }

  static failed(cwd: string, args: string[], r: GitResult): DevMeshError {
    const why = r.stderr.trim().split('\n').slice(-3).join(' ') || `exit code ${r.code}`;
    return new DevMeshError('INTERNAL', `git ${args.slice(0, 3).join(' ')} failed in ${cwd}: ${why}`);
  }
}
