// Runs the user's git for every domain that asks it something (review and land, the watcher's ignores, agents'
// worktrees): one child process per call, no shell, the user's environment (their git, identity and hooks),
// C locale so messages parse, and no prompt for credentials. Exit codes are answers here (`merge-tree` exits 1
// on conflicts, `diff --no-index` on differences, `check-ignore` when nothing is ignored), so a non-zero exit
// resolves; a git that cannot run at all rejects, with how to fix it, and so does one that runs past its time:
// a timeout is never read as an exit code (1 would mean "conflicts" or "not an ancestor"). Git runs in its own
// process group, so a timeout stops what it started too (a hook, an alias, a wrapper's children), not git
// alone: one of them left running would also hold git's output open, and the call with it. Output is bounded
// (`maxBuffer`: cut, and the group stopped); stderr keeps its end. A call may write `input` to git's stdin.
import { spawn } from 'node:child_process';
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
  /** pathspecs are literal (a file named `*.ts` is that file, not a glob); default true */
  literalPathspecs?: boolean;
}

export interface GitRunOptions {
  /** stdout is cut past this many bytes (`overflow`), default 64 MiB */
  maxBuffer?: number;
  /** written to git's stdin, which is then closed (`check-ignore --stdin`); without it git reads nothing */
  input?: string;
}

/** stderr kept (its end: git's last words) */
const STDERR_KEEP = 64 * 1024;

export class GitRunner {
  private readonly executable: string;

  constructor(private readonly deps: GitRunnerDeps = {}) {
    this.executable = deps.executable ?? 'git';
  }

  run(cwd: string, args: string[], options: GitRunOptions = {}): Promise<GitResult> {
    const maxBuffer = options.maxBuffer ?? 64 * 1024 * 1024;
    const timeoutMs = this.deps.timeoutMs ?? 120_000;
    return new Promise((done, fail) => {
      // quotePath off: paths come back as they are (the -z forms never quote; messages would otherwise)
      const literal = this.deps.literalPathspecs === false ? [] : ['--literal-pathspecs'];
      const child = spawn(this.executable, ['-c', 'core.quotePath=false', ...literal, ...args], {
        cwd,
        env: { ...(this.deps.env ?? process.env), GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', GIT_OPTIONAL_LOCKS: '0' },
        // stdin a pipe closed at once without input: git and its hooks read an empty stdin, as from /dev/null
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
      });
      child.stdin.on('error', () => undefined); // git may exit before reading all of it (EPIPE): its exit says
      child.stdin.end(options.input ?? '');
      const out: Buffer[] = [];
      let outBytes = 0;
      let stderr = '';
      let overflow = false;
      let timedOut = false;
      let settled = false;
      const stopGroup = (): void => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch (err) {
          // ESRCH: the group has ended already; anything else is said by the child's own end
          if ((err as NodeJS.ErrnoException).code !== 'ESRCH') child.kill('SIGKILL');
        }
      };
      const timer = setTimeout(() => {
        timedOut = true;
        stopGroup();
      }, timeoutMs);
      timer.unref();
      child.stdout.on('data', (chunk: Buffer) => {
        if (overflow) return;
        if (outBytes + chunk.length > maxBuffer) {
          out.push(chunk.subarray(0, maxBuffer - outBytes));
          outBytes = maxBuffer;
          overflow = true;
          stopGroup();
          return;
        }
        out.push(chunk);
        outBytes += chunk.length;
      });
      child.stderr.setEncoding('utf8').on('data', (text: string) => {
        stderr = (stderr + text).slice(-STDERR_KEEP);
      });
      const finish = (result: GitResult | DevMeshError): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (result instanceof DevMeshError) fail(result);
        else done(result);
      };
      child.on('error', (err: NodeJS.ErrnoException) =>
        finish(
          new DevMeshError(
            'SPAWN_FAILED',
            `cannot run ${this.executable} in ${cwd} (${err.code ?? err.message}); install git and make sure it is on PATH`,
          ),
        ),
      );
      child.on('close', (code, signal) => {
        const stdout = Buffer.concat(out).toString('utf8');
        if (overflow) return finish({ code: 0, stdout, stderr, overflow: true });
        if (timedOut) {
          return finish(
            new DevMeshError(
              'TIMEOUT',
              `git ${args.slice(0, 3).join(' ')} in ${cwd} took longer than ${Math.round(timeoutMs / 1000)} s and was ` +
                'stopped, with what it had started (a hook?); run it yourself there to see what it waits for',
            ),
          );
        }
        finish({ code: code ?? (signal ? 128 : 1), stdout, stderr, overflow: false });
      });
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
