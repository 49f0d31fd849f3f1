// Lamport's logical clock ("Time, Clocks, and the Ordering of Events in a Distributed System", CACM 1978):
// the stamps that order the mesh's lock requests. A machine ticks before it stamps a request and observes
// the clock of every message it receives, so a request made after hearing another is always stamped later.
// Pure: no wall time; the daemon may start it above the stamps of the locks it restores.

export class LamportClock {
  private value: number;

  constructor(start = 0) {
    this.value = Math.max(0, Math.floor(start));
  }

  /** the current value, sent with every message so the receiver can observe it */
  get now(): number {
    return this.value;
  }

  /** a new stamp, later than everything this machine has sent or seen */
  tick(): number {
    this.value += 1;
    return this.value;
  }

  /** a message stamped `remote` arrived: the next tick is later than it */
  observe(remote: number): void {
    if (remote > this.value) this.value = remote;
  }
}
