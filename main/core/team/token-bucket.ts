// The token bucket (the classic traffic-shaping algorithm, e.g. RFC 2697's single-rate meter): `capacity`
// tokens, refilled at `perSecond`; a frame that finds no token is dropped. It bounds what one teammate's
// machine can make this one store, however fast it sends.
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = capacity;
    this.last = now();
  }

  /** takes a token; false when there is none left */
  take(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) / 1000) * this.perSecond);
    this.last = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
