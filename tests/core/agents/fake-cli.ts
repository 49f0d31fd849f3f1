// Test helpers for the agents domain: fake agent CLIs (small shell scripts on a temp PATH), a temp git
// repository, and a TerminalLauncher that runs the command as a real child process with pipes.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toDisposable, type Disposable } from '../../../main/core/base/disposable.js';
import type {
  TerminalExit,
  TerminalLaunchOptions,
  TerminalLauncher,
} from '../../../main/core/agents/terminal-launcher.js';

export function writeScript(dir: string, name: string, body: string, mode = 0o755): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, mode);
  return path;
}

/**
 * A fake `claude` for end-to-end tests: like Claude Code it prints its version, takes the prompt as its last
 * argument (after the MCP and settings flags DevMesh adds) and asks a permission question before acting; answered, it says so (with where it ran) and exits 0.
 */
export function writeFakeClaude(dir: string): string {
  return writeScript(
    dir,
    'claude',
    `if [ "$1" = "--version" ]; then echo "9.9.9 (Claude Code, fake)"; exit 0; fi
last=''; for last; do :; done
printf 'task: %s\\n' "$last"
printf 'Do you want to make this edit to README.md?\\n\\342\\235\\257 1. Yes\\n  2. No\\n'
read answer
printf 'editing (answer %s) in %s\\n' "$answer" "$(pwd)"
exit 0`,
  );
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync(
    'git',
    ['-c', 'user.name=DevMesh Test', '-c', 'user.email=test@devmesh.invalid', '-c', 'init.defaultBranch=main', ...args],
    {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', LC_ALL: 'C' },
    },
  );
}

export function makeRepo(dir: string): string {
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '-q');
  writeFileSync(join(dir, 'README.md'), '# repo\n');
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'first');
  return dir;
}

interface Session {
  child: ChildProcess;
  output: string;
  outputListeners: Set<(data: string) => void>;
  exitListeners: Set<(exit: TerminalExit) => void>;
  exit: TerminalExit | null;
}

/** Runs each "terminal" as a child process with pipes; PATH gets `binDir` first. */
export class ChildProcessLauncher implements TerminalLauncher {
  readonly sessions = new Map<string, Session>();
  readonly created: TerminalLaunchOptions[] = [];
  readonly writes: { id: string; data: string }[] = [];
  private next = 1;
  private readonly prefix = Math.random().toString(36).slice(2, 8);

  constructor(private readonly binDir: string) {}

  async create(options: TerminalLaunchOptions): Promise<{ id: string }> {
    this.created.push(options);
    const id = `t-${this.prefix}-${this.next++}`;
    const child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env, PATH: `${this.binDir}:${process.env.PATH}` },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    const session: Session = { child, output: '', outputListeners: new Set(), exitListeners: new Set(), exit: null };
    this.sessions.set(id, session);
    const onData = (buf: Buffer) => {
      const text = buf.toString('utf8');
      session.output += text;
      for (const l of [...session.outputListeners]) l(text);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('close', (code, signal) => {
      session.exit = { exitCode: code, signal };
      for (const l of [...session.exitListeners]) l(session.exit);
    });
    return { id };
  }

  onOutput(id: string, listener: (data: string) => void): Disposable {
    const s = this.session(id);
    s.outputListeners.add(listener);
    return toDisposable(() => s.outputListeners.delete(listener));
  }

  onExit(id: string, listener: (exit: TerminalExit) => void): Disposable {
    const s = this.session(id);
    if (s.exit) {
      const exit = s.exit;
      queueMicrotask(() => listener(exit));
      return toDisposable(() => {});
    }
    s.exitListeners.add(listener);
    return toDisposable(() => s.exitListeners.delete(listener));
  }

  write(id: string, data: string): void {
    this.writes.push({ id, data });
    this.session(id).child.stdin!.write(data.replace(/\r/g, '\n'));
  }

  kill(id: string, signal: NodeJS.Signals = 'SIGTERM'): void {
    this.session(id).child.kill(signal);
  }

  isRunning(id: string): boolean {
    const s = this.sessions.get(id);
    return !!s && s.exit === null;
  }

  output(id: string): string {
    return this.session(id).output;
  }

  async dispose(): Promise<void> {
    await Promise.all(
      [...this.sessions.values()]
        .filter((s) => s.exit === null)
        .map(
          (s) =>
            new Promise<void>((resolve) => {
              s.exitListeners.add(() => resolve());
              s.child.kill('SIGKILL');
            }),
        ),
    );
  }

  private session(id: string): Session {
    const s = this.sessions.get(id);
    if (!s) throw new Error(`no session ${id}`);
    return s;
  }
}
