// Processes a test started, found by an argument of their own (a `sleep 300.123456` marker): to check that a
// timeout stopped what git started, and to end what a failing run left behind.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** ids of the processes whose command line holds `marker` as one argument */
export function running(marker: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (
        readFileSync(join('/proc', name, 'cmdline'), 'utf8')
          .split('\0')
          .includes(marker)
      )
        pids.push(Number(name));
    } catch {
      // ended while listed
    }
  }
  return pids;
}

/** a marker for `sleep`: about `seconds` long, and this test's own */
export const sleepMarker = (seconds: number): string => `${(seconds + Math.random()).toFixed(6)}`;
