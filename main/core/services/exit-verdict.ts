// What a service's process ending on its own means under its restart policy (`restart:` in devmesh.yaml):
// stopped (a clean exit the policy does not restart), crashed for good (policy `no`, or the crash-loop bound
// max_restarts reached), or crashed and restarted after the backoff's delay. The reason names the exit and the
// last line the service wrote to stderr, which is usually why. An end the runner asked for (a stop) is not
// judged here.
import type { RestartBackoff } from '../base/restart-backoff.js';
import type { RestartConfig } from '../config/project-config.js';

export type ExitVerdict =
  | { kind: 'stopped' | 'crashed'; reason: string }
  /** `crash`: the crashed state's reason; `reason`: the backing-off state's */
  | { kind: 'restart'; crash: string; reason: string; delayMs: number };

export interface ServiceExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** the last non-empty line on stderr, if any */
  lastError: string | null;
}

/** Judges an exit; a restart takes the next delay from `backoff` (which counts it). */
export function judgeExit(exit: ServiceExit, restart: RestartConfig, backoff: RestartBackoff): ExitVerdict {
  const how = exit.code !== null ? `exited with code ${exit.code}` : `killed by ${exit.signal}`;
  const why = exit.lastError ? `${how}: ${exit.lastError.trim().slice(0, 300)}` : how;
  if (exit.code === 0 && restart.policy !== 'always') return { kind: 'stopped', reason: how };
  if (restart.policy === 'no') return { kind: 'crashed', reason: why };
  if (backoff.exhausted) {
    const times = `crashed ${backoff.consecutive + 1} times in a row`;
    const bound = `not restarting (max_restarts: ${restart.maxRestarts}): fix it, then start it again`;
    return { kind: 'crashed', reason: `${why}; ${times}, ${bound}` };
  }
  const delayMs = backoff.next();
  const attempt = `attempt ${backoff.consecutive} of ${restart.maxRestarts}`;
  return {
    kind: 'restart',
    crash: why,
    reason: `restarting in ${(delayMs / 1000).toFixed(1)} s (${attempt}) after: ${why}`,
    delayMs,
  };
}
