// Waiting in tests for something that happens asynchronously (a socket, an event, a store update): poll a
// probe until it returns something truthy, and fail naming what never came rather than hanging the test.

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Resolves with the probe's first truthy value; rejects after `timeoutMs` with `timed out waiting for <what>`. */
export async function until<T>(what: string, probe: () => T | undefined | null | false, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}
