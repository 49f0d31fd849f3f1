// What happens when the reader of the CLI's output goes away (`devmesh logs api | head -1`): Node reports
// EPIPE as an 'error' on process.stdout, and an unhandled one ends the process with a stack trace and a
// non-zero status. Like git (which dies of SIGPIPE without a word), a command ends quietly then, with
// status 0: it has nothing left to do. A daemon in the foreground (`devmesh up | head -1`) is different: it
// outlives its reader, so once it is up, a lost output is dropped and it keeps running.
// Other write errors (EIO when the terminal is gone, ENOSPC into a file) end the command with status 1.
export type Exit = (code: number) => void;

export class BrokenPipeGuard {
  private outlive = false;

  constructor(private readonly exit: Exit) {}

  /** Watches one output stream (process.stdout or process.stderr). */
  watch(stream: NodeJS.WritableStream, name: 'stdout' | 'stderr'): void {
    stream.on('error', (err: NodeJS.ErrnoException) => this.onError(err, name));
  }

  /** From now on, losing the output does not end the process (a daemon that is up). */
  outliveReader(): void {
    this.outlive = true;
  }

  private onError(err: NodeJS.ErrnoException, name: 'stdout' | 'stderr'): void {
    if (this.outlive) return;
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') {
      this.exit(0);
      return;
    }
    // stderr may be the stream that failed: a last word is best effort
    if (name === 'stdout') process.stderr.write(`devmesh: cannot write the output (${err.code ?? err.message})\n`);
    this.exit(1);
  }
}
