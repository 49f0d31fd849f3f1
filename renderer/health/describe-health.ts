// How one of the daemon's problems reads in the header: the part and what is wrong with it, for how long,
// and what it cost (failed writes, items given up). The message (what, where, how to fix) and the rule
// (what happens to the data meanwhile) are the daemon's own words, shown as they are.
import type { HealthCode, HealthProblem } from '../../shared/health.js';
import { formatDuration } from '../common/format-time.js';

const WHAT: Record<HealthCode, string> = {
  DISK_FULL: 'disk full',
  READ_ONLY: 'cannot write',
  CORRUPT: 'damaged file',
  IO: 'input/output error',
  INTERNAL: 'internal error',
  ENVIRONMENT: 'not read from your login shell',
};

export interface HealthProblemText {
  /** "request log: disk full" */
  title: string;
  /** "for 3m 05s" */
  since: string;
  /** "12 failures · 340 dropped" */
  counts: string;
}

export function describeHealthProblem(p: HealthProblem, now: number): HealthProblemText {
  const failures = `${p.failures.toLocaleString('en-US')} ${p.failures === 1 ? 'failure' : 'failures'}`;
  return {
    title: `${p.component}: ${WHAT[p.code]}`,
    since: `for ${formatDuration(now - p.since)}`,
    counts: `${failures} · ${p.dropped.toLocaleString('en-US')} dropped`,
  };
}
