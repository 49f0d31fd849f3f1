// The last line of defence of a daemon process: an error that escaped every seam (an uncaught exception,
// an unhandled rejection) is written to the face's log file with its stack before the process exits, not
// only to a stderr nobody reads (a detached daemon's, an app launched from a desktop menu). The services
// are stopped by the process reaper once the process is gone; the next start records what happened.
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import type { Disposable } from '../base/disposable.js';

/** the exit status of a daemon that died of an uncaught error (EX_SOFTWARE) */
export const FATAL_EXIT_CODE = 70;

export interface FatalErrorLogDeps {
  logger: Logger;
  /** the log file the error must reach (written directly when the logger writes elsewhere or fails) */
  logPath: string;
  /** does the logger write to logPath? (default true) */
  loggerWritesLogPath?: boolean;
  /** what the process is, for the message: "the DevMesh daemon" */
  what: string;
  /** default: process.exit */
  exit?: (code: number) => void;
  stderr?: { write(text: string): unknown };
}

export class FatalErrorLog implements Disposable {
  private readonly onError = (err: unknown, origin: string): void => this.fatal(err, origin);
  private readonly onRejection = (reason: unknown): void => this.fatal(reason, 'unhandledRejection');
  private handled = false;

  constructor(private readonly deps: FatalErrorLogDeps) {
    process.on('uncaughtException', this.onError);
    process.on('unhandledRejection', this.onRejection);
  }

  fatal(err: unknown, origin: string): void {
    if (this.handled) return; // a second error while exiting: the first one is the cause
    this.handled = true;
    const stack = err instanceof Error ? (err.stack ?? err.message) : String(err);
    const message = `${this.deps.what} stopped on an error no part of it caught (${origin}); this is a bug, please report it with this log`;
    let logged = false;
    try {
      this.deps.logger.fatal({ domain: 'daemon', origin, err: stack }, message);
      logged = true;
    } catch {
      // the logger failed (its disk is full?): write the line directly below
    }
    if (!logged || this.deps.loggerWritesLogPath === false) {
      try {
        mkdirSync(dirname(this.deps.logPath), { recursive: true });
        const line = {
          level: 60,
          time: Date.now(),
          pid: process.pid,
          domain: 'daemon',
          origin,
          err: stack,
          msg: message,
        };
        appendFileSync(this.deps.logPath, `${JSON.stringify(line)}\n`, { mode: 0o600 });
      } catch {
        // nowhere left to write: stderr below is all there is
      }
    }
    try {
      (this.deps.stderr ?? process.stderr).write(`devmesh: ${message}:\n${stack}\n(also in ${this.deps.logPath})\n`);
    } catch {
      // a closed stderr
    }
    (this.deps.exit ?? ((code: number) => process.exit(code)))(FATAL_EXIT_CODE);
  }

  dispose(): void {
    process.off('uncaughtException', this.onError);
    process.off('unhandledRejection', this.onRejection);
  }
}
