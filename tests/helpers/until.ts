// Waiting in tests for something that happens asynchronously (a socket, an event, a store update): poll a
// probe until it returns something truthy, and fail naming what never came rather than hanging the test.
// The default limit is 5 s on a quiet machine, scaled by the machine's load (see load-scale.ts).
import { describeLoad, scaled } from './load-scale.js';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Resolves with the probe's first truthy value (an async probe is awaited); rejects after `timeoutMs` (default: 5 s scaled by the
 * machine's load) with `timed out after N ms waiting for <what>` and the load it was scaled for. */
export async function until<T>(
  what: string,
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = scaled(5000),
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${describeLoad()})`);
    await sleep(5);
  }
}
