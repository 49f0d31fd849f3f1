// The agents domain's TerminalLauncher over the core's TerminalManager: agents run in ordinary DevMesh
// terminal sessions (listed, attachable, recorded). Following an agent's output is a passive tap: it
// acknowledges what it reads at once, so it never holds the PTY back the way a slow view would.
import type { Disposable } from '../base/disposable.js';
import type { TerminalManager } from '../terminals/terminal-manager.js';
import type { TerminalExit, TerminalKillSignal, TerminalLauncher, TerminalLaunchOptions } from './terminal-launcher.js';

export class ManagedTerminalLauncher implements TerminalLauncher {
  constructor(private readonly terminals: TerminalManager) {}

  create(options: TerminalLaunchOptions): Promise<{ id: string }> {
    const info = this.terminals.create({
      name: options.name,
      command: options.command,
      args: options.args,
      cwd: options.cwd,
      env: options.env,
      cols: options.cols,
      rows: options.rows,
      record: true,
      ...(options.project !== null ? { project: options.project } : {}),
    });
    return Promise.resolve({ id: info.id });
  }

  onOutput(id: string, listener: (data: string) => void): Disposable {
    return this.tap(id, listener, null);
  }

  onExit(id: string, listener: (exit: TerminalExit) => void): Disposable {
    const info = this.terminals.get(id).info();
    if (info.state === 'exited') {
      const timer = setImmediate(() => listener({ exitCode: info.exitCode, signal: info.signal }));
      return { dispose: () => clearImmediate(timer) };
    }
    return this.tap(id, null, listener);
  }

  write(id: string, data: string): void {
    this.terminals.input(id, data);
  }

  kill(id: string, signal: TerminalKillSignal = 'SIGTERM'): void {
    if (signal === 'SIGHUP' || signal === 'SIGKILL') void this.terminals.kill(id).catch(() => {});
    else this.terminals.signal(id, signal);
  }

  isRunning(id: string): boolean {
    try {
      return this.terminals.get(id).isRunning;
    } catch {
      return false;
    }
  }

  private tap(
    id: string,
    output: ((data: string) => void) | null,
    exit: ((e: TerminalExit) => void) | null,
  ): Disposable {
    let ack: (chars: number) => void = () => {};
    const { viewer } = this.terminals.attach(id, {
      output: (text) => {
        output?.(text);
        ack(text.length);
      },
      exit: (info) => exit?.({ exitCode: info.exitCode, signal: info.signal }),
      backlog: () => 0,
    });
    // What attach replayed counts as read too: a tap is never behind.
    ack = (chars) => viewer.ack(chars);
    viewer.ack(Number.MAX_SAFE_INTEGER);
    return { dispose: () => viewer.detach() };
  }
}
