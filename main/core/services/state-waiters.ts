// Promises that settle when a condition over a service's state is met: re-checked on each transition.

type Verdict = { done: true } | { done: false; error: Error } | null;

export class StateWaiters {
  private readonly pending = new Set<() => boolean>();

  /** `judge` returns null while undecided, else the outcome. */
  wait(judge: () => Verdict): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const attempt = (): boolean => {
        const verdict = judge();
        if (verdict === null) return false;
        if (verdict.done) resolve();
        else reject(verdict.error);
        return true;
      };
      if (!attempt()) this.pending.add(attempt);
    });
  }

  check(): void {
    for (const attempt of [...this.pending]) if (attempt()) this.pending.delete(attempt);
  }
}
