// The one thing the agents domain needs from terminals: launch a command in a PTY session and follow it.
// The terminal manager satisfies it (wired in the composition root); tests satisfy it with a child process.
import type { Disposable } from '../base/disposable.js';

export interface TerminalLaunchOptions {
  /** the tab's title: the agent's name */
  name: string;
  command: string;
  args: string[];
  cwd: string;
  /** added to the environment the terminal would give anyway (DEVMESH_AGENT_ID, DEVMESH_AGENT_NAME, …) */
  env: Record<string, string>;
  cols: number;
  rows: number;
  /** the project the agent works on, when one was named (its service URLs go into the env) */
  project: string | null;
}

export interface TerminalExit {
  /** null when a signal ended it */
  exitCode: number | null;
  signal: string | null;
}

export type TerminalKillSignal = 'SIGTERM' | 'SIGKILL' | 'SIGHUP' | 'SIGINT';

export interface TerminalLauncher {
  /** Starts the session; rejects (ideally with a DevMeshError SPAWN_FAILED) when the command cannot start. */
  create(options: TerminalLaunchOptions): Promise<{ id: string }>;
  /** Decoded output (UTF-8 already reassembled at chunk edges), every chunk from subscription on. */
  onOutput(id: string, listener: (data: string) => void): Disposable;
  /** Fires once when the session ends; fires at once (asynchronously) if it has ended already. */
  onExit(id: string, listener: (exit: TerminalExit) => void): Disposable;
  /** Writes to the session's input as if typed. */
  write(id: string, data: string): void;
  kill(id: string, signal?: TerminalKillSignal): void;
  /** Whether a session still runs (after a restart, to reattach agents whose terminal survived); optional. */
  isRunning?(id: string): boolean;
}
