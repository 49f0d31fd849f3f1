// The user's environment as their login shell makes it: an app launched from the macOS Dock or a Linux
// desktop menu inherits a minimal PATH (no nvm, fnm, volta, asdf or Homebrew), so `npm run dev` exits 127
// and `claude` looks uninstalled. Once at start, the user's shell runs as an interactive login shell and
// prints its environment; services, terminals, agents and CLI detection all start from that.
//
// The method is VS Code's (`getResolvedShellEnv` / `doResolveShellEnv` in microsoft/vscode,
// src/vs/platform/shell/node/shellEnv.ts): `$SHELL -i -l -c '<node> -p "<mark>"+JSON.stringify(process.env)+"<mark>"'`
// with ELECTRON_RUN_AS_NODE=1 (the app's own binary is the Node), a random mark on both sides so whatever
// the rc files print is ignored, a 10 s limit, and nothing done on Windows or when started from a terminal
// (whose environment is already the user's). Differences: a timeout kills the shell's whole process group
// with SIGKILL (an interactive bash ignores SIGTERM, and an rc file's `sleep` would outlive the shell), and
// the outcome is returned, never thrown: a timeout or failure falls back to this process's environment and
// says why, with the end of the shell's stderr.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { stripPackagingEnv, type EnvRecord } from './packaging-env.js';
import { ShellFlavor } from './shell-flavor.js';

/** VS Code's MAX_SHELL_RESOLVE_TIME */
export const SHELL_ENV_TIMEOUT_MS = 10_000;
/** what is kept of the shell's stderr for the message (its end: the last lines say what went wrong) */
const STDERR_KEPT = 2000;
/** stdout larger than this is not an environment: the probe stops reading */
const STDOUT_LIMIT = 8 * 1024 * 1024;
/** what bash and zsh say on stderr when started with -i but without a terminal: not an error */
const JOB_CONTROL_NOTICE = /cannot set terminal process group|no job control in this shell|Inappropriate ioctl/;
/** after the shell exits, how long its pipes may take to close */
const PIPE_GRACE_MS = 1000;

export type ShellEnvOutcome =
  | { kind: 'resolved'; shell: string; ms: number }
  | { kind: 'skipped'; reason: string }
  | { kind: 'timed-out'; shell: string; timeoutMs: number; stderr: string }
  | { kind: 'failed'; shell: string; error: string; stderr: string };

export interface ShellEnvResolution {
  /** the environment children start from: the login shell's over this process's, packaging variables removed */
  env: EnvRecord;
  outcome: ShellEnvOutcome;
}

export interface LoginShellEnvOptions {
  /** this process's environment (default process.env) */
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** the shell to ask (default: $SHELL, else the account's shell, else /bin/sh) */
  shell?: string;
  /** a Node to run inside the shell: Node itself, or the Electron binary (run with ELECTRON_RUN_AS_NODE=1) */
  node?: string;
  timeoutMs?: number;
  /**
   * Started from a terminal (stdin is a TTY): the environment is already the user's and is kept, as VS Code
   * keeps it when started by its CLI; a shell that activated a virtualenv keeps it.
   */
  fromTerminal?: boolean;
}

/** Resolves once; never rejects: on a timeout or a failure the env is this process's own (stripped). */
export async function resolve(options: LoginShellEnvOptions = {}): Promise<ShellEnvResolution> {
  const own = stripPackagingEnv(options.env ?? process.env);
  const platform = options.platform ?? process.platform;
  const skip = (reason: string): ShellEnvResolution => ({ env: own, outcome: { kind: 'skipped', reason } });
  if (platform === 'win32') return skip('Windows: GUI apps get the user environment');
  if (options.fromTerminal) return skip('started from a terminal: its environment is kept');
  if (own.DEVMESH_SHELL_ENV === '0') return skip('DEVMESH_SHELL_ENV=0');
  const shell = options.shell ?? userShell(own);
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? SHELL_ENV_TIMEOUT_MS;
  const probe = await run(shell, options.node ?? process.execPath, own, timeoutMs);
  if (probe.kind !== 'resolved') return { env: own, outcome: probe };
  // Over this process's: what the session gave the app (DISPLAY, DBUS_SESSION_BUS_ADDRESS…) and the shell
  // did not repeat stays.
  const env = stripPackagingEnv({ ...own, ...clean(probe.env, own) });
  return { env, outcome: { kind: 'resolved', shell, ms: Date.now() - started } };
}

/** $SHELL, else the login shell of the account (getpwuid), else /bin/sh. */
export function userShell(env: NodeJS.ProcessEnv): string {
  if (env.SHELL && existsSync(env.SHELL)) return env.SHELL;
  try {
    const shell = userInfo().shell;
    if (shell && existsSync(shell)) return shell;
  } catch {
    // no passwd entry (a container's arbitrary uid): /bin/sh below
  }
  return '/bin/sh';
}

/** The shell's own bookkeeping and the probe's variables are not part of the user's environment. */
function clean(resolved: EnvRecord, own: EnvRecord): EnvRecord {
  const out = { ...resolved };
  delete out._; // the path of the probe's Node
  // VS Code keeps the session's XDG_RUNTIME_DIR (microsoft/vscode#22593): a login shell may compute another
  if (own.XDG_RUNTIME_DIR !== undefined) out.XDG_RUNTIME_DIR = own.XDG_RUNTIME_DIR;
  else delete out.XDG_RUNTIME_DIR;
  return out;
}

function run(
  shell: string,
  node: string,
  env: EnvRecord,
  timeoutMs: number,
): Promise<{ kind: 'resolved'; env: EnvRecord } | Exclude<ShellEnvOutcome, { kind: 'resolved' | 'skipped' }>> {
  const mark = randomBytes(6).toString('hex');
  const { args } = new ShellFlavor(shell).envProbe(node, mark);
  return new Promise((done) => {
    const child = spawn(shell, args, {
      // its own process group (and session, without a terminal): the whole group is killed on a timeout
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...env, ELECTRON_RUN_AS_NODE: '1', ELECTRON_NO_ATTACH_CONSOLE: '1', DEVMESH_RESOLVING_ENVIRONMENT: '1' },
    });
    const out: Buffer[] = [];
    let outBytes = 0;
    let err = '';
    let settled = false;
    const finish = (result: Parameters<typeof done>[0]) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      done(result);
    };
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // the group is already gone
      }
    };
    const timer = setTimeout(() => {
      killGroup();
      finish({ kind: 'timed-out', shell, timeoutMs, stderr: tail(err) });
    }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => {
      outBytes += b.length;
      if (outBytes <= STDOUT_LIMIT) out.push(b);
    });
    child.stderr.on('data', (b: Buffer) => {
      err = (err + b.toString('utf8')).slice(-4 * STDERR_KEPT);
    });
    child.once('error', (e) =>
      finish({ kind: 'failed', shell, error: `could not start ${shell}: ${e.message}`, stderr: '' }),
    );
    const complete = (code: number | null, signal: NodeJS.Signals | null) => {
      const stderr = tail(err);
      if (code !== 0 || signal !== null) {
        const how = signal !== null ? `was killed by ${signal}` : `exited with code ${code}`;
        return finish({ kind: 'failed', shell, error: `${shell} ${how}`, stderr });
      }
      const raw = Buffer.concat(out).toString('utf8');
      const match = new RegExp(`${mark}([\\s\\S]*?)${mark}`).exec(raw);
      if (match === null) {
        const error = `${shell} printed no environment (an rc file may exit early or replace the command)`;
        return finish({ kind: 'failed', shell, error, stderr });
      }
      try {
        const parsed = JSON.parse(match[1]!) as unknown;
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
        const env: EnvRecord = {};
        for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') env[k] = v;
        finish({ kind: 'resolved', env });
      } catch (e) {
        const error = `${shell} printed an environment that is not JSON (${(e as Error).message})`;
        finish({ kind: 'failed', shell, error, stderr });
      }
    };
    // 'close' waits for every holder of the pipes: a job an rc file started in the background would hold
    // them. On exit the group goes (jobs with it), and what was read within a moment is what counts.
    child.once('exit', (code, signal) => {
      killGroup();
      const grace = setTimeout(() => complete(code, signal), PIPE_GRACE_MS);
      child.once('close', () => {
        clearTimeout(grace);
        complete(code, signal);
      });
    });
  });
}

/** The end of the shell's stderr, without the job-control notices of an interactive shell without a terminal. */
function tail(stderr: string): string {
  const lines = stderr.split(/\r?\n/).filter((l) => l.trim() !== '' && !JOB_CONTROL_NOTICE.test(l));
  const text = lines.join('\n');
  return text.length > STDERR_KEPT ? `…${text.slice(-STDERR_KEPT)}` : text;
}
