// Structured logs (pino), one JSON line per event, with the domain as a field.
// Each key appears once per line: pino writes a child's bindings ahead of the call's fields without
// merging them (a documented trade-off), so `"service":"api","service":"api"` came out wherever a
// service's logger was also handed its name; readers keep one of the two silently. The logMethod hook
// drops a call's field its logger already carries with the same value, and renames one that differs.
// Writing never throws: on a full disk (or a closed stderr) lines wait in memory, bounded, and are written
// once the file takes them again.
import { isDeepStrictEqual } from 'node:util';
import pino, { type LogFn, type Logger } from 'pino';

/** Lines waiting while the destination refuses writes; beyond this they are dropped. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

export interface LoggerDeps {
  name: string;
  level?: string;
  destination?: string | number;
}

/** What a logger's destination lost: write failures (ENOSPC, EPIPE…) and lines dropped past the bound. */
export interface LogDestinationState {
  failures: number;
  dropped: number;
  lastError: string | null;
}

const destinations = new WeakMap<Logger, LogDestinationState>();

export function createLogger(deps: LoggerDeps): Logger {
  const level = deps.level ?? process.env.DEVMESH_LOG_LEVEL ?? 'info';
  // mode: a log file is created readable by you only (it holds services' commands and errors)
  const dest = pino.destination({
    dest: deps.destination ?? 2,
    sync: true,
    maxLength: MAX_BUFFERED_BYTES,
    mode: 0o600,
  });
  const state: LogDestinationState = { failures: 0, dropped: 0, lastError: null };
  // Without a listener an 'error' event throws, out of whatever called logger.info.
  dest.on('error', (err: Error) => {
    state.failures++;
    state.lastError = err.message;
  });
  dest.on('drop', () => state.dropped++);
  const base = { pid: process.pid };
  const logger = pino({ name: deps.name, level, base, hooks: { logMethod: uniqueKeys(base, deps.name) } }, dest);
  destinations.set(logger, state);
  return logger;
}

/** Failures of a logger made by createLogger (its children share its destination). */
export function logDestinationState(logger: Logger): LogDestinationState | null {
  return destinations.get(logger) ?? null;
}

function uniqueKeys(base: Record<string, unknown>, name: string) {
  const bound = new WeakMap<Logger, Record<string, unknown>>();
  return function logMethod(this: Logger, args: Parameters<LogFn>, method: LogFn): void {
    const fields = args[0];
    if (fields === null || typeof fields !== 'object' || fields instanceof Error) return method.apply(this, args);
    let carried = bound.get(this);
    if (carried === undefined) {
      // bindings() leaves out pid; the base and the name are written on every line too.
      carried = { ...base, name, ...this.bindings() };
      bound.set(this, carried);
    }
    let own: Record<string, unknown> | null = null;
    for (const key of Object.keys(fields)) {
      if (!(key in carried)) continue;
      own ??= { ...(fields as Record<string, unknown>) };
      const value = own[key];
      delete own[key];
      if (!isDeepStrictEqual(value, carried[key])) own[`${key}_call`] = value;
    }
    if (own === null) return method.apply(this, args);
    return method.apply(this, [own, ...args.slice(1)] as Parameters<LogFn>);
  };
}
