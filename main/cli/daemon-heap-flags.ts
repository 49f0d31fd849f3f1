// The V8 heap flags of the daemon (`devmesh up`). Node's V8 is built without pointer compression, so its young
// generation may grow to two 16 MB semi-spaces, which a daemon at work keeps resident (~32 MB); Electron's V8
// compresses pointers and stops at 8 MB, and so does the daemon with this flag. Measured here (bench/logs.mjs,
// 23 services, 200,000 lines): RSS after the lines 129-133 MB instead of 145-148, CPU per line unchanged;
// 4 MB semi-spaces promote the lines in flight to the old space and end higher (195 MB), 1 MB costs 40% CPU.
// The young generation's size is fixed when V8 starts, so `up` runs itself again with the flag: execve keeps
// the pid, the terminal and the environment, and costs one more start of Node.

export const DAEMON_HEAP_FLAGS = ['--max-semi-space-size=8'] as const;

export interface HeapFlagsProcess {
  execPath: string;
  execArgv: readonly string[];
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  versions: NodeJS.ProcessVersions & { electron?: string };
  execve?: (file: string, args?: readonly string[], env?: NodeJS.ProcessEnv) => never;
}

/**
 * The command line that starts this process again with the daemon's heap flags, or null when it needs none:
 * the flags are already given (on the command line or in NODE_OPTIONS, the user's own choice included), or
 * this is Electron (run as Node: its V8 already stops at 8 MB), or the platform cannot replace a process.
 */
export function heapFlagsCommand(p: HeapFlagsProcess): string[] | null {
  if (typeof p.execve !== 'function' || p.platform === 'win32' || p.versions.electron !== undefined) return null;
  const given = [...p.execArgv, ...(p.env.NODE_OPTIONS ?? '').split(/\s+/)];
  if (given.some((a) => /^--max[-_]semi[-_]space[-_]size\b/.test(a))) return null;
  return [p.execPath, ...DAEMON_HEAP_FLAGS, ...p.execArgv, ...p.argv.slice(1)];
}

/** Replaces this process with itself under the daemon's heap flags; returns only when it does not (see above). */
export function execWithHeapFlags(p: HeapFlagsProcess = process): void {
  const command = heapFlagsCommand(p);
  if (command === null) return;
  try {
    p.execve!(p.execPath, command, p.env);
  } catch {
    // execve refused (a sandbox, say): the daemon runs with V8's default young generation, as before
  }
}
